/**
 * The contract of the three SoVITS graphs: file names, input/output names, dtypes and shapes. The engine imports this
 * module (never the builder). Widths named by letters (`gin`, `inter`, `bins`) are the model's; the bundle records
 * them.
 *
 * Batching: every graph takes a batch of independent items with per-item lengths; padded positions are ignored and
 * each item's result equals running it alone (up to float rounding). Unlike GPT-SoVITS's batched VITS, which
 * concatenates all items into one sequence (so MRTE cross-attends over every item's phones and the noise is shared),
 * gsv-edge decodes items independently.
 *
 * Several references: GPT-SoVITS averages the `ge` vectors of the main and auxiliary references
 * (`torch.stack(ges).mean(0)`); the engine runs the reference encoder on each and averages the `ge` outputs itself.
 * @module
 */
import type { GraphIo as GraphIoSpec } from '../io-spec.ts';

export type { IoDim, TensorSpec } from '../io-spec.ts';

/** A SoVITS graph's contract, with the file it is written to. */
export interface GraphIo extends GraphIoSpec {
  readonly file: string;
}

/** Output sample rate and samples per semantic token (25 Hz tokens, 2 latent frames each, 640 samples per frame). */
export const SOVITS_SAMPLE_RATE = 32000;
export const SOVITS_SAMPLES_PER_FRAME = 640;
export const SOVITS_FRAMES_PER_TOKEN = 2;

/**
 * `ssl` HuBERT features `[B, 768, T50]` (GPT-SoVITS: 16 kHz reference + 9600 zeros through HuBERT) ->
 * `codes [B, T25]`: `ssl_proj` (k2 s2) then the best codebook row by `-(|x|^2 - 2x.e + |e|^2)`, computed in fp32 in
 * both variants. `code_lengths = floor(ssl_lengths / 2)`; codes past a row's length are 0.
 */
export const SOVITS_EXTRACT_IO: GraphIo = {
  file: 'sovits-extract.onnx',
  inputs: [
    { name: 'ssl', dtype: 'float32', dims: ['batch', 'ssl_dim', 'ssl_frames'] },
    { name: 'ssl_lengths', dtype: 'int64', dims: ['batch'] },
  ],
  outputs: [
    { name: 'codes', dtype: 'int64', dims: ['batch', 'tokens'] },
    { name: 'code_lengths', dtype: 'int64', dims: ['batch'] },
  ],
};

/**
 * `ref_audio` mono 32 kHz float in [-1, 1] `[B, N]` (GPT-SoVITS divides by min(2, peak) when the peak exceeds 1: the
 * host does that) -> `ge [B, gin, 1]`, the timbre vector the decoder takes. `spec` is the magnitude spectrogram
 * (`spectrogram_torch`, eps 1e-8) limited to the `bins` the reference encoder reads (704 for v2, 1025 for v1),
 * zero past `spec_lengths = floor(ref_lengths / 640)`. Each item needs more than 704 samples (reflect padding).
 */
export const SOVITS_REF_ENCODER_IO: GraphIo = {
  file: 'sovits-ref-encoder.onnx',
  inputs: [
    { name: 'ref_audio', dtype: 'float32', dims: ['batch', 'samples'] },
    { name: 'ref_lengths', dtype: 'int64', dims: ['batch'] },
  ],
  outputs: [
    { name: 'ge', dtype: 'float32', dims: ['batch', 'gin', 1] },
    { name: 'spec', dtype: 'float32', dims: ['batch', 'bins', 'spec_frames'] },
    { name: 'spec_lengths', dtype: 'int64', dims: ['batch'] },
  ],
};

/**
 * v2Pro/v2ProPlus: the same graph with the reference's speaker embedding `sv_emb [B, sv_dim]` (ERes2NetV2 on the
 * 16 kHz reference, see `models/sv`) fused in: `ge = PReLU(ref_enc(spec) + sv_emb_linear(sv_emb))`, in fp32.
 */
export const SOVITS_SPEAKER_REF_ENCODER_IO: GraphIo = {
  ...SOVITS_REF_ENCODER_IO,
  inputs: [...SOVITS_REF_ENCODER_IO.inputs, { name: 'sv_emb', dtype: 'float32', dims: ['batch', 'sv_dim'] }],
};

/** The reference encoder's contract for a model: with `sv_emb` when it fuses a speaker embedding. */
export function refEncoderIo(speakerFusion: boolean): GraphIo {
  return speakerFusion ? SOVITS_SPEAKER_REF_ENCODER_IO : SOVITS_REF_ENCODER_IO;
}

/**
 * Semantic tokens + target phones + `ge` -> 32 kHz audio, as `SynthesizerTrn.decode` (v2Pro/v2ProPlus: MRTE reads
 * `ge_to512(ge)`, computed inside).
 * - `noise` `[B, inter, frames]`: standard normal noise drawn by the host (seeded); `z_p = m_p + noise * exp(logs_p) *
 *   noise_scale`. Its last axis sets the output length: `frames` must be at least the largest
 *   {@link sovitsFrameCount} of the batch (the graph cannot report a shorter one).
 * - `noise_scale` scalar (GPT-SoVITS: 0.5); `speed` per item, float64 like GPT-SoVITS's Python float, so the resized
 *   length `int(2T / speed) + 1` is computed exactly as there (speed 1: no resize, 2T frames).
 * - `audio [B, frames * 640]`, zero past `audio_lengths = sovitsFrameCount(T, speed) * 640`.
 */
export const SOVITS_DECODER_IO: GraphIo = {
  file: 'sovits-decoder.onnx',
  inputs: [
    { name: 'codes', dtype: 'int64', dims: ['batch', 'tokens'] },
    { name: 'code_lengths', dtype: 'int64', dims: ['batch'] },
    { name: 'phones', dtype: 'int64', dims: ['batch', 'phones'] },
    { name: 'phone_lengths', dtype: 'int64', dims: ['batch'] },
    { name: 'ge', dtype: 'float32', dims: ['batch', 'gin', 1] },
    { name: 'noise', dtype: 'float32', dims: ['batch', 'inter', 'frames'] },
    { name: 'noise_scale', dtype: 'float32', dims: [] },
    { name: 'speed', dtype: 'float64', dims: ['batch'] },
  ],
  outputs: [
    { name: 'audio', dtype: 'float32', dims: ['batch', 'audio_samples'] },
    { name: 'audio_lengths', dtype: 'int64', dims: ['batch'] },
  ],
};

/** Latent frames (640 samples each) GPT-SoVITS produces for `tokens` semantic tokens at `speed`. */
export function sovitsFrameCount(tokens: number, speed: number): number {
  if (!Number.isInteger(tokens) || tokens < 0) throw new RangeError(`token count must be a non-negative integer, got ${tokens}`);
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
  const frames = SOVITS_FRAMES_PER_TOKEN * tokens;
  return speed === 1 ? frames : Math.trunc(frames / speed) + 1;
}
