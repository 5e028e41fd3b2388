/**
 * `attentions.MultiHeadAttention` of VITS: 1x1-conv projections, masked softmax (masked scores set to -1e4, as
 * GPT-SoVITS), and, for self-attention with a window, relative-position logits and values (`emb_rel_k`, `emb_rel_v`
 * shared by the heads). GPT-SoVITS turns relative into absolute positions with a pad-and-reshape skew; here the band
 * `|j - i| <= window` is gathered directly: the same arithmetic without the quadratic padding, as a `Gather` with flat
 * `[T, T]` / `[T, 2w+1]` indices shared by every batch row and head (no index tensor of the scores' size).
 * @module
 */
import type { Value } from '../../../onnx/values.ts';
import { conv1d, mergeHeads, splitHeads } from './layers.ts';
import type { SovitsOps } from './sovits-ops.ts';

export interface AttentionSpec {
  readonly prefix: string;
  readonly channels: number;
  readonly heads: number;
  /** Relative-position indices ({@link relativeBand}); absent for cross-attention (MRTE). */
  readonly band?: RelativeBand;
}

/**
 * `x [B, C, Tq]` attends over `c [B, C, Tk]`; `keep [B, 1, Tq, Tk]` bool says which scores count.
 * Returns `[B, C, Tq]`.
 */
export function multiHeadAttention(op: SovitsOps, x: Value, c: Value, keep: Value, spec: AttentionSpec): Value {
  const headDim = spec.channels / spec.heads;
  const q = splitHeads(op, conv1d(op, x, `${spec.prefix}.conv_q`), spec.heads, headDim); // [B, h, Tq, d]
  const k = splitHeads(op, conv1d(op, c, `${spec.prefix}.conv_k`), spec.heads, headDim); // [B, h, Tk, d]
  const v = splitHeads(op, conv1d(op, c, `${spec.prefix}.conv_v`), spec.heads, headDim); // [B, h, Tk, d]
  const query = op.div(q, op.float(Math.sqrt(headDim)));
  let scores = op.matMul(query, op.transpose(k, [0, 1, 3, 2])); // [B, h, Tq, Tk]
  const band = spec.band;
  if (band !== undefined) {
    const relK = op.g.weight(`${spec.prefix}.emb_rel_k`); // [1, 2w+1, d]
    const relLogits = op.matMul(query, op.transpose(relK, [0, 2, 1])); // [B, h, T, 2w+1]
    const local = op.gather(op.reshape(relLogits, [0, 0, -1]), band.keyIndex, 2); // [B, h, T, T]
    scores = op.add(scores, op.where(band.keyInBand, local, op.float(0)));
  }
  const masked = op.where(keep, scores, op.float(-1e4));
  const attention = op.softmax(masked, -1); // [B, h, Tq, Tk]
  let out = op.matMul(attention, v); // [B, h, Tq, d]
  if (band !== undefined) {
    const relV = op.g.weight(`${spec.prefix}.emb_rel_v`); // [1, 2w+1, d]
    const weights = op.gather(op.reshape(attention, [0, 0, -1]), band.valueIndex, 2); // [B, h, T, 2w+1]
    out = op.add(out, op.matMul(op.where(band.valueInRange, weights, op.float(0)), relV));
  }
  return conv1d(op, mergeHeads(op, out, spec.channels), `${spec.prefix}.conv_o`);
}

export interface RelativeBand {
  /** `[T, T]`: flat index into the `[T, 2w+1]` relative logits of key j for query i (row i, slot j - i + w). */
  readonly keyIndex: Value;
  readonly keyInBand: Value;
  /** `[T, 2w+1]`: flat index into the `[T, T]` attention of slot r for query i (row i, key i + r - w). */
  readonly valueIndex: Value;
  readonly valueInRange: Value;
}

/**
 * The relative-position gather indices for sequences as long as axis 2 of `x`, computed once per encoder. Indices
 * are 0 where the mask is false; those entries are zeroed after the gather.
 */
export function relativeBand(op: SovitsOps, x: Value, window: number): RelativeBand {
  const width = 2 * window + 1;
  const length = op.dimScalar(x, 2);
  const positions = op.arange(length); // [T]
  const rows = op.unsqueeze(positions, [1]); // [T, 1]
  const offset = op.sub(op.unsqueeze(positions, [0]), rows); // [T, T]: j - i
  const keyInBand = op.less(op.abs(offset), op.i64Scalar(window + 1));
  const keySlot = op.where(keyInBand, op.add(offset, op.i64Scalar(window)), op.i64Scalar(0));
  const keyIndex = op.add(op.mul(rows, op.i64Scalar(width)), keySlot);
  const slots = op.unsqueeze(op.i64(Array.from({ length: width }, (_, r) => r - window)), [0]); // [1, 2w+1]
  const keyPositions = op.add(rows, slots); // [T, 2w+1]: i + r - w
  const valueInRange = op.and(op.not(op.less(keyPositions, op.i64Scalar(0))), op.less(keyPositions, length));
  const valueIndex = op.add(op.mul(rows, length), op.where(valueInRange, keyPositions, op.i64Scalar(0)));
  return { keyIndex, keyInBand, valueIndex, valueInRange };
}
