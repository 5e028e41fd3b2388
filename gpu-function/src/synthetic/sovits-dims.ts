/**
 * Dimensions of synthetic SoVITS models: the real ones of configs/s2*.json (gpt-sovits.md 2.2) and tiny ones shaped
 * like the parity micro models. Tiny sslDim matches the tiny synthetic HuBERT, so a tiny model set runs end to end.
 * @module
 */
import type { SovitsArchitecture } from '../checkpoint/sovits-architecture.ts';

export type SyntheticSovitsVersion = 'v1' | 'v2' | 'v2Pro' | 'v2ProPlus';

export interface SovitsDims {
  readonly version: SyntheticSovitsVersion;
  readonly interChannels: number;
  readonly hiddenChannels: number;
  readonly filterChannels: number;
  readonly nHeads: number;
  /** encoder_text layers; encoder_ssl and encoder2 get half. */
  readonly nLayers: number;
  readonly ginChannels: number;
  /** MRTE width (512 real; = gin for v1/v2, ge_to512's output for v2Pro). */
  readonly mrteHidden: number;
  /** MelStyleEncoder hidden width (128 real). */
  readonly refHidden: number;
  readonly upsampleInitialChannel: number;
  readonly upsampleKernelSizes: readonly number[];
  readonly sslDim: number;
  /** v2Pro/v2ProPlus: width of the speaker embedding `sv_emb` projects (20480 real; the tiny SV model's 1280). */
  readonly svEmbeddingDim: number;
}

const REAL: Omit<SovitsDims, 'version'> = {
  interChannels: 192,
  hiddenChannels: 192,
  filterChannels: 768,
  nHeads: 2,
  nLayers: 6,
  ginChannels: 512,
  mrteHidden: 512,
  refHidden: 128,
  upsampleInitialChannel: 512,
  upsampleKernelSizes: [16, 16, 8, 2, 2],
  sslDim: 768,
  svEmbeddingDim: 20480,
};

const TINY: Omit<SovitsDims, 'version'> = {
  interChannels: 32,
  hiddenChannels: 16,
  filterChannels: 64,
  nHeads: 2,
  nLayers: 2,
  ginChannels: 64,
  mrteHidden: 64,
  refHidden: 32,
  upsampleInitialChannel: 32,
  upsampleKernelSizes: [16, 16, 8, 2, 2],
  sslDim: 64,
  svEmbeddingDim: 1280,
};

/** Real (`full`) or tiny dimensions of a SoVITS version, with the v2Pro/v2ProPlus deltas of s2v2Pro*.json. */
export function sovitsDims(version: SyntheticSovitsVersion, size: 'tiny' | 'full'): SovitsDims {
  const base = size === 'full' ? REAL : TINY;
  if (version === 'v1' || version === 'v2') return { ...base, version };
  const gin = size === 'full' ? 1024 : 16;
  const plus = version === 'v2ProPlus';
  return {
    ...base,
    version,
    ginChannels: gin,
    upsampleInitialChannel: plus ? (size === 'full' ? 768 : 48) : base.upsampleInitialChannel,
    upsampleKernelSizes: plus ? [20, 16, 8, 2, 2] : base.upsampleKernelSizes,
  };
}

export const UPSAMPLE_RATES: readonly number[] = [10, 8, 2, 2, 2];
export const RESBLOCK_KERNEL_SIZES: readonly number[] = [3, 7, 11];
export const RESBLOCK_DILATIONS: readonly (readonly number[])[] = [[1, 3, 5], [1, 3, 5], [1, 3, 5]];

/** The architecture object the reader would derive for these dims. */
export function sovitsArchitectureOf(d: SovitsDims): SovitsArchitecture {
  let channels = d.upsampleInitialChannel;
  return {
    version: d.version,
    symbols: d.version === 'v1' ? 322 : 732,
    sslDim: d.sslDim,
    interChannels: d.interChannels,
    hiddenChannels: d.hiddenChannels,
    filterChannels: d.filterChannels,
    nHeads: d.nHeads,
    kernelSize: 3,
    encoder: { sslLayers: d.nLayers / 2, textLayers: d.nLayers, encoder2Layers: d.nLayers / 2, window: 4 },
    ginChannels: d.ginChannels,
    mrte: { hiddenChannels: d.mrteHidden, heads: 4 },
    speakerFusion: d.version === 'v2Pro' || d.version === 'v2ProPlus' ? { embeddingDim: d.svEmbeddingDim } : null,
    refEncoder: { inputBins: d.version === 'v1' ? 1025 : 704, hiddenChannels: d.refHidden, heads: 2, kernelSize: 5 },
    decoder: {
      resblock: '1',
      upsampleInitialChannel: d.upsampleInitialChannel,
      upsampleRates: UPSAMPLE_RATES,
      upsampleKernelSizes: d.upsampleKernelSizes,
      upsampleChannels: UPSAMPLE_RATES.map(() => (channels = Math.floor(channels / 2))),
      resblockKernelSizes: RESBLOCK_KERNEL_SIZES,
      resblockDilationSizes: RESBLOCK_DILATIONS,
      convPreKernel: 7,
      convPostKernel: 7,
    },
    flow: { layerIndices: [0, 2, 4, 6], hiddenChannels: d.hiddenChannels, wnLayers: 4, wnKernelSize: 5, wnDilationRate: 1, meanOnly: true },
    quantizer: { layers: 1, codebookSize: 1024, codebookDim: d.sslDim },
    sslProj: { kernelSize: 2, stride: 2 },
    semanticFrameRate: '25hz',
    samplingRate: 32000,
    hopLength: 640,
    filterLength: 2048,
    winLength: 2048,
    specChannels: 1025,
  };
}
