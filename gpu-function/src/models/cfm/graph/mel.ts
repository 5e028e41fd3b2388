/**
 * `mel_processing.mel_spectrogram_torch` as TTS.py's `mel_fn_v4` / `mel_fn` call it, then `norm_spec`: per-row
 * reflect padding of (n_fft - hop) / 2, the STFT as a strided Conv1d over the windowed DFT basis (the SoVITS
 * spectrogram's, see `sovits/graph/spectrogram.ts`), magnitude `sqrt(re^2 + im^2 + 1e-8)`, librosa's Slaney
 * filterbank (computed in TypeScript, stored as a constant), `log(clamp(x, 1e-5))`, `(x + 12) / 14 * 2 - 1`.
 * Always float32: there are no weights, and GPT-SoVITS computes the mel in fp32 before any cast.
 * @module
 */
import { tensor } from '../../../tensor/tensor.ts';
import type { Value } from '../../../onnx/values.ts';
import { spectrogram } from '../../sovits/graph/spectrogram.ts';
import type { SovitsOps } from '../../sovits/graph/sovits-ops.ts';
import { SPEC_MAX, SPEC_MIN, type MelSpec } from '../config.ts';
import { slaneyMelFilters } from '../mel-filters.ts';

export interface MelOutput {
  /** `[B, mels, F]` log mel (before `norm_spec`), float32. */
  readonly logMel: Value;
  /** `[B, mels, F]` `norm_spec(logMel)`, zero past `lengths`. */
  readonly normalized: Value;
  readonly lengths: Value; // [B] int64
}

export function melSpectrogram(op: SovitsOps, audio: Value, lengths: Value, spec: MelSpec): MelOutput {
  const bins = 1 + spec.nFft / 2;
  const stft = spectrogram(op, audio, lengths, bins, { nFft: spec.nFft, hop: spec.hop, window: spec.window, eps: spec.eps });
  const filters = slaneyMelFilters({ sampleRate: spec.sampleRate, nFft: spec.nFft, mels: spec.mels, fmin: spec.fmin, fmax: spec.fmax });
  const basis = op.g.constant(tensor('float32', [spec.mels, bins], filters), 'mel_basis');
  const mel = op.matMul(basis, stft.magnitude); // [B, mels, F]
  const logMel = op.log(op.max([mel, op.float32([spec.clip], [])]));
  const scaled = op.div(op.sub(logMel, op.float32([SPEC_MIN], [])), op.float32([SPEC_MAX - SPEC_MIN], []));
  const normalized = op.sub(op.mul(scaled, op.float32([2], [])), op.float32([1], []));
  const valid = op.cast(op.unsqueeze(op.lengthMask(stft.lengths, op.dimScalar(normalized, 2)), [1]), 'float32'); // [B, 1, F]
  return { logMel: op.mul(logMel, valid), normalized: op.mul(normalized, valid), lengths: stft.lengths };
}
