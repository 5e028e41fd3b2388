/**
 * The widths and hyper-parameters of a SoVITS (VITS) model, as the graph builders and the float64 reference need
 * them. Every width is read from tensor shapes (the parity micro models change constants GPT-SoVITS hard-codes:
 * MRTE hidden, MelStyleEncoder hidden); only what no tensor shape tells (upsample strides, resblock dilations,
 * head counts of the plain attentions) comes from the checkpoint config or GPT-SoVITS's constants.
 * @module
 */

/** SoVITS versions the graphs support (v3/v4, which decode through a CFM and another vocoder, are refused by the reader). */
export type SovitsVersion = 'v1' | 'v2' | 'v2Pro' | 'v2ProPlus';

export interface SovitsEncoderDims {
  /** Transformer layers of `enc_p.encoder_ssl`, `enc_p.encoder_text`, `enc_p.encoder2`. */
  readonly sslLayers: number;
  readonly textLayers: number;
  readonly encoder2Layers: number;
  readonly heads: number;
  /** Relative-position window (GPT-SoVITS: 4), from `emb_rel_k` `[1, 2w+1, head_dim]`. */
  readonly window: number;
  /** FFN width and kernel (768 and 3 in real models). */
  readonly filter: number;
  readonly ffnKernel: number;
}

export interface SovitsMrteDims {
  /** Cross-attention width (512 real, 64 micro); equals `gin` (v1/v2, `ge` is added to it) or `ge_to512`'s output. */
  readonly hidden: number;
  /** Hard-coded 4 in GPT-SoVITS's MRTE. */
  readonly heads: number;
}

/**
 * v2Pro/v2ProPlus: `ge = PReLU(ref_enc(spec) + sv_emb(embedding))`, and MRTE gets `ge_to512(ge)`. The embedding is
 * ERes2NetV2's output for the 16 kHz reference (20480 wide).
 */
export interface SovitsSpeakerFusionDims {
  readonly embeddingDim: number;
}

export interface SovitsRefEncoderDims {
  /** Spectrogram bins the MelStyleEncoder reads: 704 (v2) or 1025 (v1). */
  readonly bins: number;
  readonly hidden: number;
  /** Hard-coded 2 in GPT-SoVITS's MelStyleEncoder. */
  readonly heads: number;
  readonly kernel: number;
  readonly temporalLayers: number;
}

export interface SovitsFlowDims {
  /** Indices of the coupling layers in `flow.flows` (0, 2, 4, 6: a Flip sits after each). */
  readonly couplings: readonly number[];
  readonly hidden: number;
  readonly kernel: number;
  readonly layers: number;
  readonly dilationRate: number;
}

export interface SovitsGeneratorDims {
  readonly initialChannels: number;
  readonly upsampleRates: readonly number[];
  readonly upsampleKernels: readonly number[];
  readonly resblockKernels: readonly number[];
  readonly resblockDilations: readonly (readonly number[])[];
}

export interface SovitsDims {
  readonly version: SovitsVersion;
  /** HuBERT feature width (768) and codebook rows (1024). */
  readonly sslDim: number;
  readonly codebookSize: number;
  readonly symbols: number;
  readonly hidden: number;
  /** Latent channels of the prior, flow and generator input (192 real). */
  readonly inter: number;
  readonly gin: number;
  readonly encoder: SovitsEncoderDims;
  readonly mrte: SovitsMrteDims;
  /** v2Pro/v2ProPlus only. */
  readonly speakerFusion: SovitsSpeakerFusionDims | null;
  readonly refEncoder: SovitsRefEncoderDims;
  readonly flow: SovitsFlowDims;
  readonly generator: SovitsGeneratorDims;
}

/** STFT of `module/mel_processing.spectrogram_torch` as GPT-SoVITS calls it (32 kHz, 2048/640/2048). */
export const SOVITS_STFT = { nFft: 2048, hop: 640, window: 2048, bins: 1025, eps: 1e-8 } as const;

/** GPT-SoVITS constants that no tensor shape reveals (`configs/s2.json`, `MRTE`, `MelStyleEncoder`). */
export const SOVITS_DEFAULTS = {
  upsampleRates: [10, 8, 2, 2, 2],
  resblockDilations: [
    [1, 3, 5],
    [1, 3, 5],
    [1, 3, 5],
  ],
  mrteHeads: 4,
  refEncoderHeads: 2,
  flowDilationRate: 1,
} as const;

/** Output samples per latent frame: the product of the upsample rates (640 = the STFT hop). */
export function samplesPerFrame(dims: SovitsDims): number {
  return dims.generator.upsampleRates.reduce((a, b) => a * b, 1);
}

/** Checks the relations the graphs rely on; a violation names the offending width. */
export function validateSovitsDims(dims: SovitsDims): void {
  const fail = (message: string): never => {
    throw new RangeError(`SoVITS dims: ${message}`);
  };
  if (dims.hidden % dims.encoder.heads !== 0) fail(`hidden ${dims.hidden} is not divisible by ${dims.encoder.heads} heads`);
  if (dims.mrte.hidden % dims.mrte.heads !== 0) fail(`MRTE hidden ${dims.mrte.hidden} is not divisible by ${dims.mrte.heads} heads`);
  const fuses = dims.version === 'v2Pro' || dims.version === 'v2ProPlus';
  if (fuses !== (dims.speakerFusion !== null)) fail(`a ${dims.version} model ${fuses ? 'needs' : 'has no'} speaker-embedding fusion`);
  if (dims.speakerFusion === null && dims.mrte.hidden !== dims.gin) fail(`MRTE hidden ${dims.mrte.hidden} must equal gin ${dims.gin} (ge is added to it)`);
  if (dims.refEncoder.hidden % dims.refEncoder.heads !== 0) fail(`ref_enc hidden ${dims.refEncoder.hidden} is not divisible by its heads`);
  if (dims.inter % 2 !== 0) fail(`inter channels ${dims.inter} must be even (the flow splits them)`);
  if (dims.refEncoder.bins > SOVITS_STFT.bins) fail(`ref_enc reads ${dims.refEncoder.bins} bins; the STFT has ${SOVITS_STFT.bins}`);
  const g = dims.generator;
  if (g.upsampleRates.length !== g.upsampleKernels.length) fail('upsample rates and kernels differ in count');
  g.upsampleRates.forEach((rate, i) => {
    const kernel = g.upsampleKernels[i] ?? 0;
    if ((kernel - rate) % 2 !== 0 || kernel < rate) fail(`upsample stage ${i}: kernel ${kernel} and rate ${rate} give no symmetric padding`);
  });
  const hop = g.upsampleRates.reduce((a, b) => a * b, 1);
  if (hop !== SOVITS_STFT.hop) fail(`upsample rates multiply to ${hop}; the decoder must give ${SOVITS_STFT.hop} samples per frame`);
  // GPT-SoVITS floors each halving (`upsample_initial_channel // 2 ** (i + 1)`): v2ProPlus's micro 48 ends at 1 channel.
  if (Math.floor(g.initialChannels / 2 ** g.upsampleRates.length) < 1) fail(`upsample_initial_channel ${g.initialChannels} cannot halve ${g.upsampleRates.length} times`);
  if (g.resblockKernels.length !== g.resblockDilations.length) fail('resblock kernels and dilations differ in count');
}
