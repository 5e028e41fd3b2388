/**
 * Synthetic GPT-SoVITS SoVITS checkpoints (`.pth`) in the real on-disk format: `{weight: dict (fp16, no enc_q),
 * config: utils.HParams (nested train/data/model HParams), info}`, weight norm stored as weight_g/weight_v, the
 * codebook's training buffers included, and v2Pro/v2ProPlus stamped with their `05`/`06` header like my_save2.
 * @module
 */
import { PickleFloat, PickleInstance, PickleOrderedDict, type PickleWriteValue } from '../checkpoint/pickle-writer.ts';
import { sovitsExpectedShapes } from '../checkpoint/sovits-shapes.ts';
import { writeTorchCheckpoint } from '../checkpoint/torch-writer.ts';
import { constant, defaultInit, normal, uniform, weightInit, weightNormPair, type TensorSpec } from './init.ts';
import { RESBLOCK_DILATIONS, RESBLOCK_KERNEL_SIZES, UPSAMPLE_RATES, sovitsArchitectureOf, type SovitsDims } from './sovits-dims.ts';
import { countParameters, specTensors } from './state-dict.ts';

const WEIGHT_NORMED = /^(dec\.ups\.\d+|dec\.resblocks\.\d+\.convs[12]\.\d+|flow\.flows\.\d+\.enc\.(?:in_layers\.\d+|res_skip_layers\.\d+|cond_layer))\.weight$/;

function specialInit(name: string, shape: readonly number[], d: SovitsDims): TensorSpec['init'] {
  if (/emb_rel_[kv]$/.test(name)) return normal((d.hiddenChannels / d.nHeads) ** -0.5);
  if (name === 'enc_p.text_embedding.weight') return normal(d.hiddenChannels ** -0.5);
  // The flow's post convs start at zero in GPT-SoVITS; small random values keep each coupling near identity.
  if (/^flow\.flows\.\d+\.post\.weight$/.test(name)) return weightInit(shape, 0.1);
  if (name === 'prelu.weight') return normal(0.02, 0.25);
  return defaultInit(name, shape);
}

/** Every stored tensor of a SoVITS model, in state-dict order. */
export function sovitsSpecs(d: SovitsDims): TensorSpec[] {
  const shapes = sovitsExpectedShapes(sovitsArchitectureOf(d));
  const specs: TensorSpec[] = [];
  for (const [name, shape] of shapes) {
    const layer = WEIGHT_NORMED.exec(name)?.[1];
    if (layer !== undefined) {
      // weight_norm re-registers the weight after the bias: bias, weight_g, weight_v.
      const bias = shapes.get(`${layer}.bias`) ?? [];
      specs.push({ name: `${layer}.bias`, shape: bias, init: defaultInit(`${layer}.bias`, bias) });
      const stage = /^dec\.ups\.(\d+)$/.exec(layer)?.[1];
      const [cin = 1, , kernel = 1] = shape;
      const effectiveFanIn = stage === undefined ? shape.slice(1).reduce((a, b) => a * b, 1) : (cin * kernel) / (UPSAMPLE_RATES[Number(stage)] ?? 1);
      specs.push(...weightNormPair(layer, shape, 0, effectiveFanIn));
      continue;
    }
    if (name.endsWith('.bias') && WEIGHT_NORMED.test(name.replace(/\.bias$/, '.weight'))) continue;
    specs.push({ name, shape, init: specialInit(name, shape, d) });
  }
  const codebook = 'quantizer.vq.layers.0._codebook';
  const embedAt = specs.findIndex((spec) => spec.name === `${codebook}.embed`);
  specs.splice(
    embedAt,
    1,
    { name: `${codebook}.inited`, shape: [1], init: constant(1) },
    { name: `${codebook}.cluster_size`, shape: [1024], init: uniform(0, 8) },
    specs[embedAt] ?? { name: `${codebook}.embed`, shape: [1024, d.sslDim], init: normal(1) },
    { name: `${codebook}.embed_avg`, shape: [1024, d.sslDim], init: normal(1) },
  );
  return specs;
}

const hparams = (state: PickleWriteValue): PickleInstance => new PickleInstance('utils', 'HParams', state);

/**
 * The HParams object a training run stores (configs/s2*.json sections plus the run's fields). `version` is what the
 * run records: the model's own, or v3/v4 for `s2_train_v3.py`, which builds on s2.json.
 */
export function sovitsHParams(d: SovitsDims, version: string = d.version): PickleInstance {
  const pro = d.version === 'v2Pro' || d.version === 'v2ProPlus';
  const name = `synthetic_${version}`;
  return hparams({
    train: hparams({
      log_interval: 100, eval_interval: 500, seed: 1234, epochs: 8, learning_rate: 0.0001, betas: [0.8, 0.99], eps: 1e-9,
      batch_size: 4, fp16_run: true, lr_decay: 0.999875, segment_size: 20480, init_lr_ratio: 1, warmup_epochs: 0, c_mel: 45,
      c_kl: new PickleFloat(1), text_low_lr_rate: 0.4, grad_ckpt: false,
      pretrained_s2G: 'GPT_SoVITS/pretrained_models/gsv-v2final-pretrained/s2G2333k.pth',
      pretrained_s2D: 'GPT_SoVITS/pretrained_models/gsv-v2final-pretrained/s2D2333k.pth',
      if_save_latest: true, if_save_every_weights: true, save_every_epoch: 8, gpu_numbers: '0', lora_rank: '32',
    }),
    data: hparams({
      max_wav_value: new PickleFloat(32768), sampling_rate: 32000, filter_length: 2048, hop_length: 640, win_length: 2048,
      n_mel_channels: 128, mel_fmin: new PickleFloat(0), mel_fmax: null, add_blank: true, n_speakers: 300, cleaned_text: true,
      exp_dir: `logs/${name}`,
    }),
    model: hparams({
      inter_channels: d.interChannels, hidden_channels: d.hiddenChannels, filter_channels: d.filterChannels, n_heads: d.nHeads,
      n_layers: d.nLayers, kernel_size: 3, p_dropout: new PickleFloat(pro ? 0 : 0.1), resblock: '1',
      resblock_kernel_sizes: [...RESBLOCK_KERNEL_SIZES], resblock_dilation_sizes: RESBLOCK_DILATIONS.map((row) => [...row]),
      upsample_rates: [...UPSAMPLE_RATES], upsample_initial_channel: d.upsampleInitialChannel,
      upsample_kernel_sizes: [...d.upsampleKernelSizes], n_layers_q: 3, use_spectral_norm: false, gin_channels: d.ginChannels,
      semantic_frame_rate: '25hz', freeze_quantizer: true, version,
    }),
    s2_ckpt_dir: `logs/${name}`, content_module: 'cnhubert', save_weight_dir: 'SoVITS_weights_v2', name, version,
    pretrain: null, resume_step: null,
  });
}

const HEADERS = { v1: 'PK', v2: 'PK', v2Pro: '05', v2ProPlus: '06' } as const;

/** Writes a SoVITS `.pth` (fp16) as GPT-SoVITS's savee does; returns the parameter count (training buffers included). */
export async function writeSyntheticSovits(file: string, dims: SovitsDims, options: { seed: number }): Promise<number> {
  const specs = sovitsSpecs(dims);
  const weight = new Map(specTensors(specs, 'float16', options.seed));
  const root = new PickleOrderedDict([['weight', weight], ['config', sovitsHParams(dims)], ['info', '8epoch_192iteration']]);
  const pro = HEADERS[dims.version] !== 'PK';
  // my_save2 (v2Pro) pickles into a BytesIO, so its folder is `archive`; my_save's temporary file gives a timestamp.
  await writeTorchCheckpoint(file, root, { folder: pro ? 'archive' : '1700000000.0000000', header: HEADERS[dims.version] });
  return countParameters(specs);
}
