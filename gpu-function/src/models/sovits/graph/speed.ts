/**
 * GPT-SoVITS's speed control, per batch row: the encoder output `[B, C, 2T]` is resized to `int(2T / speed) + 1`
 * frames by linear interpolation (`F.interpolate(mode="linear")`, align_corners False, PyTorch's fp32 index
 * arithmetic), and not at all at speed 1. ONNX `Resize` takes one size for the whole batch, so the two source
 * frames and the weight of every output frame are computed per row and gathered.
 * @module
 */
import type { Value } from '../../../onnx/values.ts';
import type { SovitsOps } from './sovits-ops.ts';

export interface Resized {
  /** `[B, C, F]`, F = `frames`; rows are exact copies at speed 1. */
  readonly x: Value;
  /** `[B]` int64 frames per row. */
  readonly lengths: Value;
}

/** Frames after the speed change: `speed == 1 ? n : floor(n / speed) + 1`, in float64 like Python. */
export function resizedLengths(op: SovitsOps, lengths: Value, speed: Value): Value {
  const stretched = op.floor(op.div(op.cast(lengths, 'float64'), speed));
  const resized = op.add(op.cast(stretched, 'int64'), op.i64Scalar(1));
  return op.where(op.equal(speed, op.f64(1)), lengths, resized);
}

/** `x [B, C, T]` with valid `lengths [B]` resized per row to `resizedLengths`, laid out over `frames` positions. */
export function resizeFrames(op: SovitsOps, x: Value, lengths: Value, speed: Value, frames: Value): Resized {
  const outLengths = resizedLengths(op, lengths, speed);
  const inSize = op.unsqueeze(op.cast(lengths, 'float32'), [1]); // [B, 1]
  const scale = op.div(inSize, op.unsqueeze(op.cast(outLengths, 'float32'), [1])); // [B, 1]
  const target = op.unsqueeze(op.cast(op.arange(frames), 'float32'), [0]); // [1, F]
  const half = op.float32([0.5], []);
  const zero = op.float32([0], []);
  const source = op.max([op.sub(op.mul(scale, op.add(target, half)), half), zero]); // [B, F]
  const last = op.max([op.sub(op.unsqueeze(lengths, [1]), op.i64Scalar(1)), op.i64Scalar(0)]); // [B, 1]
  const index0 = op.min([op.cast(op.floor(source), 'int64'), last]); // [B, F]
  const index1 = op.min([op.add(index0, op.i64Scalar(1)), last]);
  const lambda1 = op.min([op.max([op.sub(source, op.cast(index0, 'float32')), zero]), op.float32([1], [])]);
  const lambda0 = op.sub(op.float32([1], []), lambda1);
  const gatherShape = op.concat([op.shape(x, 0, 2), op.unsqueeze(frames, [0])], 0); // [B, C, F]
  const pick = (index: Value): Value => op.gatherElements(x, op.expand(op.unsqueeze(index, [1]), gatherShape), 2);
  const weight = (lambda: Value): Value => op.toCompute(op.unsqueeze(lambda, [1])); // [B, 1, F]
  const resized = op.add(op.mul(pick(index0), weight(lambda0)), op.mul(pick(index1), weight(lambda1)));
  return { x: resized, lengths: outLengths };
}
