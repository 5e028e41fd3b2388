/**
 * `mel_processing.spectrogram_torch` in the graph: per-row reflect padding of (n_fft - hop) / 2, then the STFT as a
 * strided Conv1d whose kernels are the periodic-Hann-windowed DFT basis (portable to every execution provider,
 * unlike ONNX `STFT`), magnitude `sqrt(re^2 + im^2 + 1e-8)`. Always fp32: GPT-SoVITS computes it in fp32 and only
 * then casts to half.
 *
 * The basis is described by a few constant-input nodes (`k * n mod n_fft`, so the angle stays exact) that
 * onnxruntime folds into one initializer at load time, rather than ~12 MB stored in the file.
 * @module
 */
import type { Value } from '../../../onnx/values.ts';
import { SOVITS_STFT } from '../config.ts';
import type { SovitsOps } from './sovits-ops.ts';

export interface Spectrogram {
  readonly magnitude: Value; // [B, bins, F] float32
  readonly lengths: Value; // [B] int64: floor(samples / hop)
}

/** An STFT's sizes (`n_fft`, hop, window length) and the magnitude's epsilon. */
export interface StftSpec {
  readonly nFft: number;
  readonly hop: number;
  readonly window: number;
  readonly eps: number;
}

/**
 * `audio [B, N]` float32 with valid `lengths [B]` -> the first `bins` magnitude bins per frame, for SoVITS's STFT
 * or another `stft` (v3/v4's mel front ends: 1024/256/1024 and 1280/320/1280, same padding and magnitude).
 */
export function spectrogram(op: SovitsOps, audio: Value, lengths: Value, bins: number, stft: StftSpec = SOVITS_STFT): Spectrogram {
  const { nFft, hop, window } = stft;
  const pad = (nFft - hop) / 2;
  const padded = op.unsqueeze(reflectPad(op, audio, lengths, pad), [1]); // [B, 1, N + 2 * pad]
  const frames = op.conv(padded, dftBasis(op, bins, nFft, window), null, { stride: hop }); // [B, 2 * bins, F]
  const [re, im] = op.split(frames, [bins, bins], 1) as [Value, Value];
  const power = op.add(op.add(op.mul(re, re), op.mul(im, im)), op.float32([stft.eps], []));
  return { magnitude: op.sqrt(power), lengths: op.div(lengths, op.i64Scalar(hop)) };
}

/** Reflect padding (`F.pad(mode="reflect")`) that mirrors at each row's own end, as if the row were alone. */
function reflectPad(op: SovitsOps, audio: Value, lengths: Value, pad: number): Value {
  const width = op.dimScalar(audio, 1);
  const positions = op.sub(op.arange(op.add(width, op.i64Scalar(2 * pad))), op.i64Scalar(pad)); // [N + 2 pad]
  const mirroredLeft = op.unsqueeze(op.abs(positions), [0]); // [1, Np]
  const lastIndex = op.unsqueeze(op.sub(lengths, op.i64Scalar(1)), [1]); // [B, 1]
  const pastEnd = op.greater(mirroredLeft, lastIndex);
  const mirrored = op.where(pastEnd, op.sub(op.mul(lastIndex, op.i64Scalar(2)), mirroredLeft), mirroredLeft); // [B, Np]
  const inside = op.min([op.max([mirrored, op.i64Scalar(0)]), op.sub(width, op.i64Scalar(1))]);
  return op.gatherElements(audio, inside, 1); // [B, Np]
}

/** `[2 * bins, 1, n_fft]`: rows `w[n] cos(2 pi k n / n_fft)` then `w[n] sin(...)`, w the periodic Hann window. */
function dftBasis(op: SovitsOps, bins: number, nFft: number, windowLength: number): Value {
  if (windowLength !== nFft) throw new Error('spectrogram: a window shorter than n_fft is not supported');
  const step = op.float32([(2 * Math.PI) / nFft], []);
  const n = op.range(op.i64Scalar(0), op.i64Scalar(nFft), op.i64Scalar(1)); // [n_fft]
  const k = op.range(op.i64Scalar(0), op.i64Scalar(bins), op.i64Scalar(1)); // [bins]
  const phase = op.mod(op.mul(op.unsqueeze(k, [1]), op.unsqueeze(n, [0])), op.i64Scalar(nFft)); // [bins, n_fft]
  const angle = op.mul(op.cast(phase, 'float32'), step);
  const hann = op.sub(op.float32([0.5], []), op.mul(op.float32([0.5], []), op.cos(op.mul(op.cast(n, 'float32'), step)))); // [n_fft]
  const basis = op.concat([op.mul(op.cos(angle), hann), op.mul(op.sin(angle), hann)], 0); // [2 * bins, n_fft]
  return op.unsqueeze(basis, [1]);
}
