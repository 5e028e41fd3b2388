/**
 * The contract of the SoVITS v3/v4 graphs after T2S: file names, input/output names, dtypes and shapes. The engine
 * imports this module (never the builders). Widths named by letters (`gin`, `fea_dim`, `mel_dim`) are the model's.
 *
 * The chain for one request: `sovits-extract` (the v2 graph, {@link SOVITS_EXTRACT_IO}) gives the prompt's codes from
 * its HuBERT features; `sovits-ref-encoder` (the v2 graph, {@link SOVITS_REF_ENCODER_IO}: v3/v4 keep the
 * MelStyleEncoder on 704 bins) gives `ge`; `cfm-mel` gives the prompt mel; `cfm-encp` gives the prompt's and the
 * target's features; the host concatenates them (time-major, `mu`), `cfm-text` embeds `mu` once per chunk; `cfm-step`
 * runs `n` times (Euler, t = 0, 1/n, ...); the host denormalises the generated columns and the vocoder (see
 * `models/vocoder`) makes audio.
 *
 * Batching: every graph takes independent rows with their own lengths, and each row's result equals running it alone
 * (up to float rounding). For `cfm-text` and `cfm-step` this deliberately differs from GPT-SoVITS's own padded DiT
 * call (its training path), where the convolutions and GRN see the padding; GPT-SoVITS's inference never pads (one
 * item, or chunks of equal length), so per-row equality is what reproduces it.
 * @module
 */
import type { GraphIo as GraphIoSpec } from '../io-spec.ts';

export type { IoDim, TensorSpec } from '../io-spec.ts';
export { SOVITS_EXTRACT_IO, SOVITS_REF_ENCODER_IO } from '../sovits/io.ts';

/** A CFM graph's contract, with the file it is written to. */
export interface GraphIo extends GraphIoSpec {
  readonly file: string;
}

/**
 * `decode_encp` for a batch: semantic tokens `codes [B, T]` + phones + `ge` (from `sovits-ref-encoder`) + per-row
 * `speed` (float64, like the SoVITS decoder) -> `fea [B, fea_dim, fea_frames]` channel-major, as GPT-SoVITS's
 * `fea_ref` / `fea_todo`. Row b has `fea_lengths[b] = floor(L · s)` frames, `L = 2T` (speed 1) or `int(2T / speed) + 1`
 * and `s` = 2 (v4) / 1.875 (v3); its frames at or past `int(T · 4 | 3.875 [/ speed] [+ 1])` (wns1's mask) are zero
 * inside that length (v4 at speed != 1 loses its last frame that way), and everything past the length is zero.
 */
export const CFM_ENCP_IO: GraphIo = {
  file: 'cfm-encp.onnx',
  inputs: [
    { name: 'codes', dtype: 'int64', dims: ['batch', 'tokens'] },
    { name: 'code_lengths', dtype: 'int64', dims: ['batch'] },
    { name: 'phones', dtype: 'int64', dims: ['batch', 'phones'] },
    { name: 'phone_lengths', dtype: 'int64', dims: ['batch'] },
    { name: 'ge', dtype: 'float32', dims: ['batch', 'gin', 1] },
    { name: 'speed', dtype: 'float64', dims: ['batch'] },
  ],
  outputs: [
    { name: 'fea', dtype: 'float32', dims: ['batch', 'fea_dim', 'fea_frames'] },
    { name: 'fea_lengths', dtype: 'int64', dims: ['batch'] },
  ],
};

/**
 * The prompt mel: `ref_audio [B, N]` mono at the version's rate (v4 32 kHz, v3 24 kHz), float in [-1, 1] ->
 * `norm_spec(mel_fn_v4(audio))` / `norm_spec(mel_fn(audio))` `[B, 100, mel_frames]`, `mel_lengths = floor(N / hop)`
 * (hop 320 / 256), zero past each row's length. Each row needs more than (n_fft - hop) / 2 samples (reflect padding).
 */
export const CFM_MEL_IO: GraphIo = {
  file: 'cfm-mel.onnx',
  inputs: [
    { name: 'ref_audio', dtype: 'float32', dims: ['batch', 'samples'] },
    { name: 'ref_lengths', dtype: 'int64', dims: ['batch'] },
  ],
  outputs: [
    { name: 'mel', dtype: 'float32', dims: ['batch', 'mel_dim', 'mel_frames'] },
    { name: 'mel_lengths', dtype: 'int64', dims: ['batch'] },
  ],
};

/**
 * DiT's `text_embed` for `mu [B, N, fea_dim]` (time-major, CFM.inference's `mu`: prompt features then the chunk's):
 * `mu + freqs_cis[0..N-1]` then the ConvNeXtV2 blocks, row b over its first `lengths[b]` frames only; zero past them.
 * Computed once per chunk (GPT-SoVITS caches it after the first step).
 */
export const CFM_TEXT_IO: GraphIo = {
  file: 'cfm-text.onnx',
  inputs: [
    { name: 'mu', dtype: 'float32', dims: ['batch', 'frames', 'fea_dim'] },
    { name: 'lengths', dtype: 'int64', dims: ['batch'] },
  ],
  outputs: [{ name: 'text_embed', dtype: 'float32', dims: ['batch', 'frames', 'fea_dim'] }],
};

/**
 * One Euler step of `CFM.inference`, every row at its own time: `v = DiT(x, cond, text_embed, t, d)` over the row's
 * first `x_lens[b]` frames; `x_next = x + d · v` with columns `< prompt_lens[b]` and `>= x_lens[b]` zero.
 * - `x [B, mel_dim, frames]`: the state (step 1: standard normal noise); its prompt columns are treated as zero.
 * - `cond [B, mel_dim, frames]`: the normalised prompt mel in the first `prompt_lens[b]` columns, zeros after.
 * - `text_embed [B, frames, fea_dim]` from `cfm-text`.
 * - `t [B]` = step / n_steps (float32, as torch's `ones * t`), `d [B]` = 1 / n_steps; `d_embed(d)` is computed inside.
 */
export const CFM_STEP_IO: GraphIo = {
  file: 'cfm-step.onnx',
  inputs: [
    { name: 'x', dtype: 'float32', dims: ['batch', 'mel_dim', 'frames'] },
    { name: 'cond', dtype: 'float32', dims: ['batch', 'mel_dim', 'frames'] },
    { name: 'text_embed', dtype: 'float32', dims: ['batch', 'frames', 'fea_dim'] },
    { name: 'x_lens', dtype: 'int64', dims: ['batch'] },
    { name: 'prompt_lens', dtype: 'int64', dims: ['batch'] },
    { name: 't', dtype: 'float32', dims: ['batch'] },
    { name: 'd', dtype: 'float32', dims: ['batch'] },
  ],
  outputs: [{ name: 'x_next', dtype: 'float32', dims: ['batch', 'mel_dim', 'frames'] }],
};

/** Frames `decode_encp` gives for `tokens` semantic tokens at `speed`, and how many of them wns1 leaves non-zero. */
export function cfmFeatureFrames(version: 'v3' | 'v4', tokens: number, speed: number): { readonly frames: number; readonly masked: number } {
  if (!Number.isInteger(tokens) || tokens < 0) throw new RangeError(`token count must be a non-negative integer, got ${tokens}`);
  if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
  const resized = speed === 1 ? 2 * tokens : Math.trunc((2 * tokens) / speed) + 1;
  const frames = version === 'v4' ? 2 * resized : Math.floor((resized * 15) / 8);
  const perToken = version === 'v4' ? 4 : 3.875;
  const sizee = speed === 1 ? Math.trunc(tokens * perToken) : Math.trunc((tokens * perToken) / speed) + 1;
  return { frames, masked: Math.min(frames, sizee) };
}
