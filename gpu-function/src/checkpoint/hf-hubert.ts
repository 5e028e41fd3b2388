/**
 * chinese-hubert-base (`HubertModel`) as GPT-SoVITS uses it: raw 16 kHz audio -> conv feature extractor -> feature
 * projection -> weight-normed positional conv -> post-norm transformer. The positional conv's weight norm (over dim 2)
 * is folded; `masked_spec_embed` (training only) is left out.
 * @module
 */
import { join, relative } from 'node:path';
import { CheckpointError } from './errors.ts';
import { openHfFolder } from './hf-folder.ts';
import { ConfigReader, type PlainObject } from './plain.ts';
import { sha256File } from './sha256.ts';
import { countIndexed, renameStore, requireShape, shapeOf, type TensorStore } from './tensor-store.ts';
import { foldWeightNormStore } from './weight-norm.ts';

export interface HubertArchitecture {
  readonly hiddenSize: number;
  readonly layers: number;
  readonly heads: number;
  readonly headDim: number;
  readonly intermediateSize: number;
  readonly layerNormEps: number;
  /** `hidden_act` (gelu). */
  readonly activation: string;
  readonly featureExtractor: {
    /** Output channels of each conv (512 x 7 in chinese-hubert-base). */
    readonly channels: readonly number[];
    readonly kernels: readonly number[];
    readonly strides: readonly number[];
    /** GroupNorm (one group per channel) after the first conv only. */
    readonly norm: 'group';
    readonly bias: boolean;
    readonly activation: string;
  };
  /** LayerNorm before the feature projection (`feat_proj_layer_norm`). */
  readonly featureProjectionLayerNorm: boolean;
  readonly positionalConv: { readonly kernelSize: number; readonly groups: number };
  /** Always false: post-norm layers with the encoder LayerNorm before them, as chinese-hubert-base. */
  readonly doStableLayerNorm: false;
}

export interface HfHubert {
  readonly dir: string;
  readonly architecture: HubertArchitecture;
  /** Weights named as in `HubertModel`, positional conv folded into float32 `encoder.pos_conv_embed.conv.weight`. */
  readonly weights: TensorStore;
  readonly config: PlainObject;
  readonly ignoredKeys: readonly string[];
  readonly sha256: Readonly<Record<string, string>>;
}

const POS_CONV = 'encoder.pos_conv_embed.conv';

/** Newer torch saves weight norm as parametrizations; map them to the classic names before folding. */
function classicName(name: string): string {
  return name
    .replace(/\.parametrizations\.weight\.original0$/, '.weight_g')
    .replace(/\.parametrizations\.weight\.original1$/, '.weight_v');
}

export function hubertExpectedShapes(a: HubertArchitecture): Map<string, readonly number[]> {
  const h = a.hiddenSize;
  const fe = a.featureExtractor;
  const shapes = new Map<string, readonly number[]>();
  let input = 1;
  fe.channels.forEach((out, i) => {
    shapes.set(`feature_extractor.conv_layers.${i}.conv.weight`, [out, input, fe.kernels[i] ?? 0]);
    if (fe.bias) shapes.set(`feature_extractor.conv_layers.${i}.conv.bias`, [out]);
    input = out;
  });
  shapes.set('feature_extractor.conv_layers.0.layer_norm.weight', [fe.channels[0] ?? 0]);
  shapes.set('feature_extractor.conv_layers.0.layer_norm.bias', [fe.channels[0] ?? 0]);
  if (a.featureProjectionLayerNorm) {
    shapes.set('feature_projection.layer_norm.weight', [input]);
    shapes.set('feature_projection.layer_norm.bias', [input]);
  }
  shapes.set('feature_projection.projection.weight', [h, input]);
  shapes.set('feature_projection.projection.bias', [h]);
  shapes.set(`${POS_CONV}.weight`, [h, h / a.positionalConv.groups, a.positionalConv.kernelSize]);
  shapes.set(`${POS_CONV}.bias`, [h]);
  shapes.set('encoder.layer_norm.weight', [h]);
  shapes.set('encoder.layer_norm.bias', [h]);
  for (let i = 0; i < a.layers; i += 1) {
    const p = `encoder.layers.${i}.`;
    for (const proj of ['q_proj', 'k_proj', 'v_proj', 'out_proj']) {
      shapes.set(`${p}attention.${proj}.weight`, [h, h]);
      shapes.set(`${p}attention.${proj}.bias`, [h]);
    }
    shapes.set(`${p}feed_forward.intermediate_dense.weight`, [a.intermediateSize, h]);
    shapes.set(`${p}feed_forward.intermediate_dense.bias`, [a.intermediateSize]);
    shapes.set(`${p}feed_forward.output_dense.weight`, [h, a.intermediateSize]);
    shapes.set(`${p}feed_forward.output_dense.bias`, [h]);
    for (const norm of ['layer_norm', 'final_layer_norm']) {
      shapes.set(`${p}${norm}.weight`, [h]);
      shapes.set(`${p}${norm}.bias`, [h]);
    }
  }
  return shapes;
}

/**
 * Reads a HuBERT folder (config.json + pytorch_model.bin or model.safetensors). Keys may have no prefix
 * (HubertModel) or `hubert.`. Fails naming the file and tensor on any missing or misshapen weight.
 */
export async function readHfHubert(dir: string): Promise<HfHubert> {
  const folder = await openHfFolder(dir);
  const raw = folder.weights;
  try {
    const configFile = join(dir, 'config.json');
    const config = new ConfigReader(configFile, folder.config);
    const modelType = config.string('model_type', 'hubert');
    if (modelType !== 'hubert') throw new CheckpointError(configFile, `model_type is '${modelType}', expected 'hubert'`);
    if (config.get('do_stable_layer_norm') === true) throw new CheckpointError(configFile, 'do_stable_layer_norm is true (a HuBERT-large layout); only the base layout of chinese-hubert-base is supported');
    const norm = config.string('feat_extract_norm', 'group');
    if (norm !== 'group') throw new CheckpointError(configFile, `feat_extract_norm is '${norm}'; only 'group' (chinese-hubert-base) is supported`);
    const prefixed = raw.names().some((name) => name.startsWith('hubert.'));
    const ignoredKeys: string[] = [];
    const renamed = renameStore(raw, (name) => {
      const bare = prefixed ? (name.startsWith('hubert.') ? name.slice(7) : undefined) : name;
      if (bare === undefined || bare === 'masked_spec_embed') {
        ignoredKeys.push(name);
        return undefined;
      }
      return classicName(bare);
    });
    // HuBERT's positional conv uses weight_norm(dim=2): one gain per kernel tap.
    const weights = foldWeightNormStore(renamed, () => 2);
    const convLayers = countIndexed(weights, (i) => `feature_extractor.conv_layers.${i}.conv.weight`);
    const channels: number[] = [];
    const kernels: number[] = [];
    for (let i = 0; i < convLayers; i += 1) {
      const [out = 0, , kernel = 0] = shapeOf(weights, `feature_extractor.conv_layers.${i}.conv.weight`, 3);
      channels.push(out);
      kernels.push(kernel);
    }
    const strides = config.intList('conv_stride');
    if (strides.length !== convLayers) throw new CheckpointError(configFile, `conv_stride lists ${strides.length} strides for ${convLayers} conv layers`);
    config.expectMatches('num_feat_extract_layers', convLayers, `feature_extractor.conv_layers.${convLayers - 1}.conv.weight`);
    const [hiddenSize = 0] = shapeOf(weights, 'feature_projection.projection.weight', 2);
    const [, perGroup = 0, posKernel = 0] = shapeOf(weights, `${POS_CONV}.weight`, 3);
    const [intermediateSize = 0] = shapeOf(weights, 'encoder.layers.0.feed_forward.intermediate_dense.weight', 2);
    const layers = countIndexed(weights, (i) => `encoder.layers.${i}.attention.q_proj.weight`);
    const heads = config.int('num_attention_heads');
    if (heads <= 0 || hiddenSize % heads !== 0) throw new CheckpointError(configFile, `num_attention_heads ${heads} does not divide hidden size ${hiddenSize}`);
    if (perGroup === 0 || hiddenSize % perGroup !== 0) throw new CheckpointError(weights.file, `has ${perGroup} input channels per group, which does not divide ${hiddenSize}`, { tensor: `${POS_CONV}.weight` });
    const groups = hiddenSize / perGroup;
    config.expectMatches('hidden_size', hiddenSize, 'feature_projection.projection.weight');
    config.expectMatches('num_hidden_layers', layers, `encoder.layers.${layers - 1}.*`);
    config.expectMatches('intermediate_size', intermediateSize, 'encoder.layers.0.feed_forward.intermediate_dense.weight');
    config.expectMatches('num_conv_pos_embeddings', posKernel, `${POS_CONV}.weight_v`);
    config.expectMatches('num_conv_pos_embedding_groups', groups, `${POS_CONV}.weight_v`);
    const architecture: HubertArchitecture = {
      hiddenSize,
      layers,
      heads,
      headDim: hiddenSize / heads,
      intermediateSize,
      layerNormEps: config.number('layer_norm_eps', 1e-5),
      activation: config.string('hidden_act', 'gelu'),
      featureExtractor: {
        channels,
        kernels,
        strides,
        norm: 'group',
        bias: weights.info('feature_extractor.conv_layers.0.conv.bias') !== undefined,
        activation: config.string('feat_extract_activation', 'gelu'),
      },
      featureProjectionLayerNorm: weights.info('feature_projection.layer_norm.weight') !== undefined,
      positionalConv: { kernelSize: posKernel, groups },
      doStableLayerNorm: false,
    };
    for (const [name, shape] of hubertExpectedShapes(architecture)) requireShape(weights, name, shape);
    const hashes = await Promise.all(folder.files.map(async (file) => [relative(dir, file), await sha256File(file)] as const));
    return { dir, architecture, weights, config: folder.config, ignoredKeys, sha256: Object.fromEntries(hashes) };
  } catch (error) {
    await raw.close();
    throw error;
  }
}
