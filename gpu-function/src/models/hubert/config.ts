/**
 * The dimensions of the HuBERT that GPT-SoVITS takes its SSL features from (chinese-hubert-base), and the frame
 * count its convolutional front end produces. Imported by the engine, so it imports no graph-building code.
 * @module
 */
import type { HubertArchitecture } from '../../checkpoint/hf-hubert.ts';

export interface HubertDims {
  /** Output channels of the 7 feature-extractor convolutions (512 each in HuBERT-base). */
  readonly convDims: readonly number[];
  readonly convKernels: readonly number[];
  readonly convStrides: readonly number[];
  readonly convBias: boolean;
  /** LayerNorm before the feature projection (`feat_proj_layer_norm`, true in HuBERT). */
  readonly featureProjectionNorm: boolean;
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediate: number;
  /** Positional convolution: kernel 128 over 16 groups. */
  readonly posConvKernel: number;
  readonly posConvGroups: number;
  /** eps of the feature-projection, encoder and layer LayerNorms (`layer_norm_eps`). */
  readonly layerNormEps: number;
}

/** `nn.GroupNorm`'s default eps; transformers does not make the feature extractor's group norm configurable. */
export const HUBERT_GROUP_NORM_EPS = 1e-5;

/** TencentGameMate/chinese-hubert-base, the SSL model of every GPT-SoVITS version. */
export const CHINESE_HUBERT_BASE: HubertDims = {
  convDims: [512, 512, 512, 512, 512, 512, 512],
  convKernels: [10, 3, 3, 3, 3, 2, 2],
  convStrides: [5, 2, 2, 2, 2, 2, 2],
  convBias: false,
  featureProjectionNorm: true,
  hidden: 768,
  layers: 12,
  heads: 12,
  intermediate: 3072,
  posConvKernel: 128,
  posConvGroups: 16,
  layerNormEps: 1e-5,
};

/** Frames the feature extractor makes from `samples` 16 kHz samples: floor((N - 400) / 320) + 1 for HuBERT-base. */
export function hubertFrames(samples: number, dims: HubertDims): number {
  let length = samples;
  dims.convKernels.forEach((kernel, i) => {
    length = length < kernel ? 0 : Math.floor((length - kernel) / (dims.convStrides[i] ?? 1)) + 1;
  });
  return length;
}

/** Fewest samples that give one frame (400 for HuBERT-base). */
export function hubertMinSamples(dims: HubertDims): number {
  let samples = 1;
  for (let i = dims.convKernels.length - 1; i >= 0; i -= 1) samples = (samples - 1) * (dims.convStrides[i] ?? 1) + (dims.convKernels[i] ?? 1);
  return samples;
}

/** Throws a RangeError naming the first dimension that cannot describe a HuBERT this graph can build. */
export function checkHubertDims(dims: HubertDims): void {
  const layers = dims.convDims.length;
  if (layers === 0 || dims.convKernels.length !== layers || dims.convStrides.length !== layers) {
    throw new RangeError(`HuBERT convDims, convKernels and convStrides must have the same non-zero length, got ${layers}, ${dims.convKernels.length}, ${dims.convStrides.length}`);
  }
  const sizes: readonly (readonly [string, number])[] = [
    ...[...dims.convDims, ...dims.convKernels, ...dims.convStrides].map((size) => ['conv geometry', size] as const),
    ['hidden', dims.hidden],
    ['heads', dims.heads],
    ['intermediate', dims.intermediate],
    ['posConvKernel', dims.posConvKernel],
    ['posConvGroups', dims.posConvGroups],
  ];
  for (const [name, size] of sizes) {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`HuBERT ${name} must be a positive integer, got ${size}`);
  }
  if (!Number.isInteger(dims.layers) || dims.layers < 0) throw new RangeError(`HuBERT layers must be a non-negative integer, got ${dims.layers}`);
  if (dims.hidden % dims.heads !== 0) throw new RangeError(`HuBERT heads (${dims.heads}) must divide hidden (${dims.hidden})`);
  if (dims.hidden % dims.posConvGroups !== 0) throw new RangeError(`HuBERT posConvGroups (${dims.posConvGroups}) must divide hidden (${dims.hidden})`);
  if (!(dims.layerNormEps > 0)) throw new RangeError(`HuBERT layerNormEps must be positive, got ${dims.layerNormEps}`);
}

/** The graph's dimensions from what `readHfHubert` found; only exact (erf) GELU activations are supported. */
export function hubertDimsFromArchitecture(architecture: HubertArchitecture): HubertDims {
  for (const [field, activation] of [
    ['hidden_act', architecture.activation],
    ['feat_extract_activation', architecture.featureExtractor.activation],
  ] as const) {
    if (activation !== 'gelu') throw new RangeError(`HuBERT ${field} '${activation}' is not supported (only 'gelu', the exact erf form)`);
  }
  const dims: HubertDims = {
    convDims: architecture.featureExtractor.channels,
    convKernels: architecture.featureExtractor.kernels,
    convStrides: architecture.featureExtractor.strides,
    convBias: architecture.featureExtractor.bias,
    featureProjectionNorm: architecture.featureProjectionLayerNorm,
    hidden: architecture.hiddenSize,
    layers: architecture.layers,
    heads: architecture.heads,
    intermediate: architecture.intermediateSize,
    posConvKernel: architecture.positionalConv.kernelSize,
    posConvGroups: architecture.positionalConv.groups,
    layerNormEps: architecture.layerNormEps,
  };
  checkHubertDims(dims);
  return dims;
}
