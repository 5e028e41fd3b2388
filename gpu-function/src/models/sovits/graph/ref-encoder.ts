/**
 * `modules.MelStyleEncoder` (`ref_enc`): spectral MLP with Mish, two gated temporal convolutions with residuals,
 * masked multi-head self-attention (scores divided by sqrt(hidden), as GPT-SoVITS's `temperature`), a linear
 * projection to `gin`, and masked average pooling over time computed in fp32 (GPT-SoVITS's fp16-overflow fix:
 * divide by the length, then sum).
 *
 * Batching: GPT-SoVITS runs one unpadded reference; here padded frames are zeroed before each temporal convolution
 * and excluded from attention keys and pooling, so each row gets the `ge` it would get alone.
 * @module
 */
import type { Value } from '../../../onnx/values.ts';
import type { SovitsRefEncoderDims } from '../config.ts';
import { conv1d, linear } from './layers.ts';
import type { SovitsOps } from './sovits-ops.ts';

/** `spec [B, bins, F]` (compute type), frame validity `[B, F]` bool and `lengths [B]` -> `ge [B, gin, 1]` float32. */
export function melStyleEncoder(op: SovitsOps, spec: Value, valid: Value, lengths: Value, dims: SovitsRefEncoderDims): Value {
  const mask = op.cast(op.unsqueeze(valid, [1]), op.g.floatType); // [B, 1, F]
  const timeMask = op.transpose(mask, [0, 2, 1]); // [B, F, 1]
  let x = op.transpose(op.mul(spec, mask), [0, 2, 1]); // [B, F, bins]
  x = op.mish(linear(op, x, 'ref_enc.spectral.0.fc'));
  x = op.mish(linear(op, x, 'ref_enc.spectral.3.fc')); // [B, F, hidden]
  x = op.transpose(x, [0, 2, 1]); // [B, hidden, F]
  for (let i = 0; i < dims.temporalLayers; i += 1) {
    const gated = conv1d(op, op.mul(x, mask), `ref_enc.temporal.${i}.conv1.conv`, { padding: (dims.kernel - 1) / 2 });
    const [value, gate] = op.split(gated, [dims.hidden, dims.hidden], 1) as [Value, Value];
    x = op.add(x, op.mul(value, op.sigmoid(gate)));
  }
  x = op.mul(op.transpose(x, [0, 2, 1]), timeMask); // [B, F, hidden]
  x = selfAttention(op, x, valid, dims);
  const styled = op.toFloat32(linear(op, x, 'ref_enc.fc.fc')); // [B, F, gin]
  const count = op.unsqueeze(op.cast(lengths, 'float32'), [1, 2]); // [B, 1, 1]
  const pooled = op.reduceSum(op.div(op.mul(styled, op.toFloat32(timeMask)), count), [1], false); // [B, gin]
  return op.unsqueeze(pooled, [2]); // [B, gin, 1]
}

/** `modules.MultiHeadAttention` over `[B, F, hidden]` with padded keys masked out (-inf), plus the residual. */
function selfAttention(op: SovitsOps, x: Value, valid: Value, dims: SovitsRefEncoderDims): Value {
  const headDim = dims.hidden / dims.heads;
  const heads = (name: string): Value => op.transpose(op.reshape(linear(op, x, `ref_enc.slf_attn.${name}`), [0, 0, dims.heads, headDim]), [0, 2, 1, 3]); // [B, h, F, d]
  const q = heads('w_qs');
  const k = heads('w_ks');
  const v = heads('w_vs');
  const scores = op.div(op.matMul(q, op.transpose(k, [0, 1, 3, 2])), op.float(Math.sqrt(dims.hidden))); // [B, h, F, F]
  const keep = op.unsqueeze(valid, [1, 2]); // [B, 1, 1, F]
  const attention = op.softmax(op.where(keep, scores, op.float(-Infinity)), -1);
  const merged = op.reshape(op.transpose(op.matMul(attention, v), [0, 2, 1, 3]), [0, 0, dims.hidden]); // [B, F, hidden]
  return op.add(linear(op, merged, 'ref_enc.slf_attn.fc'), x);
}
