/**
 * Synthetic SoVITS v3/v4 checkpoints (`SynthesizerTrnV3`) and the v4 vocoder, in GPT-SoVITS's on-disk formats: the
 * model as `s2_train_v3.py` saves it (`savee` → `my_save`: `{weight (fp16, weight norm as weight_g/weight_v, the
 * codebook's training buffers), config: HParams with model.version, info}`, `PK` header, timestamp folder), and the
 * vocoder as `torch.save(state_dict)` after `remove_weight_norm` (fp32, plain weights). `full` has GPT-SoVITS's
 * sizes (DiT 1024 × 22, 16 heads; vocoder 512 channels), `tiny` a few channels of each.
 * @module
 */
import { PickleOrderedDict } from '../checkpoint/pickle-writer.ts';
import type { SovitsCfmArchitecture } from '../checkpoint/sovits-cfm-architecture.ts';
import { sovitsCfmExpectedShapes } from '../checkpoint/sovits-cfm-architecture.ts';
import { sovitsPriorExpectedShapes } from '../checkpoint/sovits-shapes.ts';
import type { CfmSovitsVersion } from '../checkpoint/sovits-version.ts';
import { ownedTensor, writeTorchCheckpoint, type TensorWrite } from '../checkpoint/torch-writer.ts';
import { constant, defaultInit, normal, uniform, weightInit, weightNormPair, type TensorSpec } from './init.ts';
import { sovitsHParams } from './sovits.ts';
import { sovitsDims } from './sovits-dims.ts';
import { countParameters, specBytes, specTensors } from './state-dict.ts';

export interface SovitsCfmDims {
  readonly version: CfmSovitsVersion;
  readonly size: 'tiny' | 'full';
}

const WEIGHT_NORMED = /^(wns1\.enc\.(?:in_layers\.\d+|res_skip_layers\.\d+|cond_layer))\.weight$/;

/**
 * The prior's widths: v2's at this size (GPT-SoVITS builds it from s2.json), with inter = hidden as `bridge` needs
 * (it is declared over inter_channels but fed the hidden-wide encoder output).
 */
function priorDims(size: 'tiny' | 'full'): ReturnType<typeof sovitsDims> {
  const v2 = sovitsDims('v2', size);
  return { ...v2, interChannels: v2.hiddenChannels };
}

/** The architecture a reader derives from a synthetic model of these dims. */
export function sovitsCfmArchitectureOf(d: SovitsCfmDims): SovitsCfmArchitecture {
  const full = d.size === 'full';
  const v2 = priorDims(d.size);
  return {
    version: d.version,
    symbols: 732,
    sslDim: v2.sslDim,
    interChannels: v2.interChannels,
    hiddenChannels: v2.hiddenChannels,
    filterChannels: v2.filterChannels,
    nHeads: v2.nHeads,
    kernelSize: 3,
    encoder: { sslLayers: v2.nLayers / 2, textLayers: v2.nLayers, encoder2Layers: v2.nLayers / 2, window: 4 },
    ginChannels: v2.ginChannels,
    mrte: { hiddenChannels: v2.mrteHidden, heads: 4 },
    refEncoder: { inputBins: 704, hiddenChannels: v2.refHidden, heads: 2, kernelSize: 5 },
    quantizer: { layers: 1, codebookSize: 1024, codebookDim: v2.sslDim },
    sslProj: { kernelSize: 2, stride: 2 },
    semanticFrameRate: '25hz',
    bridgeChannels: full ? 512 : 24,
    wns1: { hiddenChannels: full ? 512 : 24, kernelSize: 5, layers: full ? 8 : 3, dilationRate: 1 },
    dit: full
      ? { dim: 1024, depth: 22, heads: 16, headDim: 64, ffDim: 2048, melDim: 100, textDim: 512, textBlocks: 4, textBlockDim: 1024, timeFreqDim: 256, convPosKernel: 31, convPosGroups: 16 }
      : { dim: 32, depth: 2, heads: 2, headDim: 16, ffDim: 64, melDim: 100, textDim: 24, textBlocks: 2, textBlockDim: 48, timeFreqDim: 256, convPosKernel: 31, convPosGroups: 16 },
  };
}

/** RoPE's inverse frequencies, as x-transformers' `RotaryEmbedding(dim_head)` registers them. */
function ropeInverseFrequencies(headDim: number): Float32Array {
  return Float32Array.from({ length: headDim / 2 }, (_, i) => 1 / 10000 ** ((2 * i) / headDim));
}

/** Every stored tensor of the model, in state-dict order (enc_p, ref_enc, ssl_proj, quantizer, bridge, wns1, linear_mel, cfm). */
export function sovitsCfmSpecs(d: SovitsCfmDims): TensorSpec[] {
  const a = sovitsCfmArchitectureOf(d);
  const specs: TensorSpec[] = [];
  for (const [name, shape] of sovitsPriorExpectedShapes(a)) {
    if (name === 'quantizer.vq.layers.0._codebook.embed') {
      specs.push(
        { name: 'quantizer.vq.layers.0._codebook.inited', shape: [1], init: constant(1) },
        { name: 'quantizer.vq.layers.0._codebook.cluster_size', shape: [1024], init: uniform(0, 8) },
        { name, shape, init: normal(1) },
        { name: 'quantizer.vq.layers.0._codebook.embed_avg', shape, init: normal(1) },
      );
      continue;
    }
    specs.push({ name, shape, init: /emb_rel_[kv]$/.test(name) ? normal((a.hiddenChannels / a.nHeads) ** -0.5) : name === 'enc_p.text_embedding.weight' ? normal(a.hiddenChannels ** -0.5) : defaultInit(name, shape) });
  }
  const shapes = sovitsCfmExpectedShapes(a);
  for (const [name, shape] of shapes) {
    const layer = WEIGHT_NORMED.exec(name)?.[1];
    if (layer !== undefined) {
      const bias = shapes.get(`${layer}.bias`) ?? [];
      specs.push({ name: `${layer}.bias`, shape: bias, init: defaultInit(`${layer}.bias`, bias) }, ...weightNormPair(layer, shape, 0, shape.slice(1).reduce((x, y) => x * y, 1)));
      continue;
    }
    if (name.endsWith('.bias') && WEIGHT_NORMED.test(name.replace(/\.bias$/, '.weight'))) continue;
    if (name.endsWith('rotary_embed.inv_freq')) {
      specs.push({ name, shape, init: { kind: 'values', values: ropeInverseFrequencies(a.dit.headDim) } });
      continue;
    }
    // AdaLN modulations start near zero in trained DiTs; small values keep the random model's activations sane.
    specs.push({ name, shape, init: /(attn_norm|norm_out)\.linear\.weight$/.test(name) ? weightInit(shape, 0.2) : defaultInit(name, shape) });
  }
  return specs;
}

/** Writes the model as `s2_train_v3.py` saves it; returns the parameter count (training buffers included). */
export async function writeSyntheticSovitsCfm(file: string, dims: SovitsCfmDims, options: { seed: number }): Promise<number> {
  const specs = sovitsCfmSpecs(dims);
  const config = sovitsHParams(priorDims(dims.size), dims.version);
  const weight = new Map(specTensors(specs, 'float16', options.seed));
  const root = new PickleOrderedDict([['weight', weight], ['config', config], ['info', '4epoch_96iteration']]);
  await writeTorchCheckpoint(file, root, { folder: '1745400000.0', header: 'PK' });
  return countParameters(specs);
}

/** The v4 vocoder's `Generator` (GPT-SoVITS's TTS.init_vocoder constructor arguments; 48 kHz, 480 samples per frame). */
export const V4_VOCODER = { melChannels: 100, upsampleRates: [10, 6, 2, 2, 2], upsampleKernels: [20, 12, 4, 4, 4], resblockKernels: [3, 7, 11], resblockDilations: [1, 3, 5] } as const;

export function v4VocoderSpecs(size: 'tiny' | 'full'): TensorSpec[] {
  const initial = size === 'full' ? 512 : 32;
  const specs: TensorSpec[] = [];
  const conv = (name: string, shape: readonly number[]): void => {
    specs.push({ name: `${name}.weight`, shape, init: weightInit(shape) }, { name: `${name}.bias`, shape: [shape[0] ?? 0], init: normal(0.02) });
  };
  conv('conv_pre', [initial, V4_VOCODER.melChannels, 7]);
  let channels = initial;
  V4_VOCODER.upsampleRates.forEach((rate, i) => {
    const out = Math.floor(channels / 2);
    const kernel = V4_VOCODER.upsampleKernels[i] ?? rate;
    // ConvTranspose1d weights are [in, out, k]; each output sums in · k / rate taps.
    specs.push({ name: `ups.${String(i)}.weight`, shape: [channels, out, kernel], init: normal(Math.sqrt(rate / (channels * kernel))) }, { name: `ups.${String(i)}.bias`, shape: [out], init: normal(0.02) });
    channels = out;
  });
  for (let stage = 0; stage < V4_VOCODER.upsampleRates.length; stage += 1) {
    const width = Math.floor(initial / 2 ** (stage + 1));
    V4_VOCODER.resblockKernels.forEach((kernel, j) => {
      const block = `resblocks.${String(stage * V4_VOCODER.resblockKernels.length + j)}`;
      for (const convs of ['convs1', 'convs2']) {
        V4_VOCODER.resblockDilations.forEach((_, m) => {
          conv(`${block}.${convs}.${String(m)}`, [width, width, kernel]);
        });
      }
    });
  }
  conv('conv_post', [1, channels, 7]);
  return specs;
}

/** Writes `vocoder.pth` as GPT-SoVITS ships it: a plain fp32 state dict. */
export async function writeSyntheticV4Vocoder(file: string, size: 'tiny' | 'full', options: { seed: number }): Promise<number> {
  const specs = v4VocoderSpecs(size);
  const state = new PickleOrderedDict(specs.map((spec, index): [string, TensorWrite] => [spec.name, ownedTensor(String(index), 'float32', spec.shape, () => specBytes(spec, 'float32', options.seed))]));
  await writeTorchCheckpoint(file, state);
  return countParameters(specs);
}
