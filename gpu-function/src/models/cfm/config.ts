/**
 * The widths and constants of GPT-SoVITS v3/v4 synthesis after T2S (`SynthesizerTrnV3.decode_encp`, the CFM's DiT
 * estimator, the reference mel), as the graph builders need them. Every width comes from tensor shapes
 * ({@link cfmDimsFromWeights}); the v3/v4 difference (which no shape shows) comes from the version the checkpoint
 * reader decided; only true constants are hard-coded here, each with where GPT-SoVITS hard-codes it.
 * @module
 */
import type { SovitsEncoderDims, SovitsMrteDims, SovitsRefEncoderDims } from '../sovits/config.ts';

export type CfmVersion = 'v3' | 'v4';

/** `decode_encp`'s version-specific frame arithmetic (`module/models.py`, `SynthesizerTrnV3.decode_encp`). */
export interface CfmFrameRate {
  /**
   * `F.interpolate(fea, scale_factor=s, mode="nearest")` after `bridge`: 2 (v4) or 1.875 (v3), as an exact fraction
   * `num / den` (output frames `floor(L · s)`).
   */
  readonly upsampleNum: number;
  readonly upsampleDen: number;
  /** `sizee = int(T · f)` (speed 1) / `int(T · f / speed) + 1`: f = 4 (v4) or 3.875 (v3); wns1's mask length. */
  readonly maskFramesPerToken: number;
}

export interface CfmEncpDims {
  /** HuBERT feature width (768 real, 16 micro) and codebook rows (1024). */
  readonly sslDim: number;
  readonly codebookSize: number;
  readonly symbols: number;
  /** `enc_p` width (192 real); `bridge` reads it. */
  readonly hidden: number;
  readonly gin: number;
  readonly encoder: SovitsEncoderDims;
  readonly mrte: SovitsMrteDims;
  readonly refEncoder: SovitsRefEncoderDims;
  /** `bridge.0` output width = wns1's input (GPT-SoVITS's literal `inter_channels2 = 512`, also wns1's and DiT's text width). */
  readonly featureDim: number;
  /** `wns1 = Encoder(512, 512, 512, 5, 1, 8, gin)`: hidden, kernel, layers, dilation rate (hard-coded 1), output width. */
  readonly wns1: { readonly hidden: number; readonly kernel: number; readonly layers: number; readonly dilationRate: number; readonly out: number };
  readonly frameRate: CfmFrameRate;
}

export interface DitDims {
  /** Transformer width (1024 real). */
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;
  readonly dimHead: number;
  /** Feed-forward inner width (`ff_mult · dim` = 2048). */
  readonly ffDim: number;
  /** Mel channels (100). */
  readonly melDim: number;
  /** Text (feature) width C2 (512 real, 24 micro). */
  readonly textDim: number;
  /** ConvNeXtV2 blocks on the text (4 real) and their inner width (`conv_mult · text_dim`) and depthwise kernel (7). */
  readonly convLayers: number;
  readonly convInner: number;
  readonly convKernel: number;
  /** TimestepEmbedding's sinusoid width (256). */
  readonly freqEmbedDim: number;
  /** ConvPositionEmbedding kernel (31) and groups (16). */
  readonly posConvKernel: number;
  readonly posConvGroups: number;
}

export interface CfmDims {
  readonly version: CfmVersion;
  readonly encp: CfmEncpDims;
  readonly dit: DitDims;
}

/** Where the DiT's weights live in a SoVITS v3/v4 state dict (`cfm.estimator`; a LoRA is merged by the reader). */
export const DIT_PREFIX = 'cfm.estimator';

/** GPT-SoVITS / F5-TTS constants that no tensor shape shows. */
export const DIT_CONSTANTS = {
  /** `nn.LayerNorm(dim, elementwise_affine=False, eps=1e-6)` (AdaLayerNormZero, ff_norm, norm_out) and ConvNeXtV2's norm. */
  layerNormEps: 1e-6,
  /** `GRN`: `Gx / (Gx.mean(-1) + 1e-6)`. */
  grnEps: 1e-6,
  /** `SinusPositionEmbedding.forward(x, scale=1000)`. */
  timeScale: 1000,
  /** `TextEmbedding.precompute_max_pos = 4096`: positions past it are clamped to 4095. */
  textMaxPositions: 4096,
  /** `precompute_freqs_cis(theta=10000.0)` and SinusPositionEmbedding's `log(10000)`. */
  theta: 10000,
} as const;

/** `TTS.py`'s `spec_min`/`spec_max` for `norm_spec` / `denorm_spec`. */
export const SPEC_MIN = -12;
export const SPEC_MAX = 2;

/** `mel_fn_v4` (32 kHz) and `mel_fn` (24 kHz) in `TTS_infer_pack/TTS.py`; librosa Slaney filters, fmin 0, fmax sr/2. */
export interface MelSpec {
  readonly sampleRate: number;
  readonly nFft: number;
  readonly hop: number;
  readonly window: number;
  readonly mels: number;
  readonly fmin: number;
  readonly fmax: number;
  /** `sqrt(re^2 + im^2 + 1e-8)` (mel_processing). */
  readonly eps: number;
  /** `dynamic_range_compression_torch`: `log(clamp(x, min=1e-5))`. */
  readonly clip: number;
}

export const CFM_MEL: Readonly<Record<CfmVersion, MelSpec>> = {
  v4: { sampleRate: 32000, nFft: 1280, hop: 320, window: 1280, mels: 100, fmin: 0, fmax: 16000, eps: 1e-8, clip: 1e-5 },
  v3: { sampleRate: 24000, nFft: 1024, hop: 256, window: 1024, mels: 100, fmin: 0, fmax: 12000, eps: 1e-8, clip: 1e-5 },
};

/** `decode_encp`'s factors per version. */
export const CFM_FRAME_RATES: Readonly<Record<CfmVersion, CfmFrameRate>> = {
  v4: { upsampleNum: 2, upsampleDen: 1, maskFramesPerToken: 4 },
  v3: { upsampleNum: 15, upsampleDen: 8, maskFramesPerToken: 3.875 },
};

/** `wns1 = Encoder(..., 5, 1, 8, ...)`: the dilation rate is the literal 1 (kernel and layers come from shapes). */
export const WNS1_DILATION_RATE = 1;

/** Host-side `norm_spec`, as TTS.py's float32 ops: `(x - spec_min) / (spec_max - spec_min) * 2 - 1`. */
export function normSpec(x: number): number {
  return Math.fround(Math.fround(Math.fround(Math.fround(x - SPEC_MIN) / (SPEC_MAX - SPEC_MIN)) * 2) - 1);
}

/** Host-side `denorm_spec`: `(x + 1) / 2 * (spec_max - spec_min) + spec_min`, float32 at each step. */
export function denormSpec(x: number): number {
  return Math.fround(Math.fround(Math.fround(Math.fround(x + 1) / 2) * (SPEC_MAX - SPEC_MIN)) + SPEC_MIN);
}

/** Checks the relations the graphs rely on; a violation names the offending width. */
export function validateCfmDims(dims: CfmDims): void {
  const fail = (message: string): never => {
    throw new RangeError(`SoVITS ${dims.version} dims: ${message}`);
  };
  const { encp, dit } = dims;
  if (encp.hidden % encp.encoder.heads !== 0) fail(`hidden ${encp.hidden} is not divisible by ${encp.encoder.heads} heads`);
  if (encp.mrte.hidden !== encp.gin) fail(`MRTE hidden ${encp.mrte.hidden} must equal gin ${encp.gin} (ge is added to it)`);
  if (encp.wns1.out !== dit.textDim) fail(`wns1 output width ${encp.wns1.out} differs from the DiT text_dim ${dit.textDim}`);
  if (encp.wns1.kernel % 2 !== 1) fail(`wns1 kernel ${encp.wns1.kernel} must be odd`);
  if (dit.heads * dit.dimHead !== dit.dim) fail(`DiT ${dit.heads} heads x ${dit.dimHead} is not its width ${dit.dim}`);
  if (dit.dimHead % 2 !== 0 || dit.textDim % 2 !== 0) fail('DiT head width and text width must be even');
  if (dit.convKernel % 2 !== 1 || dit.posConvKernel % 2 !== 1) fail('DiT convolution kernels must be odd');
  if (dit.dim % dit.posConvGroups !== 0) fail(`DiT width ${dit.dim} is not divisible by ${dit.posConvGroups} conv groups`);
}
