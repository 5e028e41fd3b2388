/**
 * v2Pro/v2ProPlus speaker fusion (`SynthesizerTrn.decode`'s `get_ge`, and `ge_to512` before MRTE).
 * @module
 */
import type { Value } from '../../../onnx/values.ts';
import { linear } from './layers.ts';
import type { SovitsOps } from './sovits-ops.ts';

/**
 * `ge [B, gin, 1]` float32 and `embedding [B, sv_dim]` float32 -> `PReLU(ge + sv_emb(embedding)) [B, gin, 1]`.
 * Computed in fp32 in both precisions: it runs once per voice, and a 20480-wide dot product is where fp16 rounding
 * would show.
 */
export function fuseSpeakerEmbedding(op: SovitsOps, ge: Value, embedding: Value, gin: number): Value {
  const weight = op.toFloat32(op.g.weight('sv_emb.weight'));
  const bias = op.toFloat32(op.g.weight('sv_emb.bias'));
  const projected = op.unsqueeze(op.linear(embedding, weight, bias), [2]); // [B, gin, 1]
  // PRelu broadcasts its slope from the right: [gin, 1] puts one slope on each channel.
  const slope = op.reshape(op.toFloat32(op.g.weight('prelu.weight')), [gin, 1]);
  return op.prelu(op.add(ge, projected), slope);
}

/** `ge_to512`: `ge [B, gin, 1]` (compute type) -> `[B, mrte_hidden, 1]`, the vector MRTE adds. */
export function geForMrte(op: SovitsOps, ge: Value): Value {
  return op.transpose(linear(op, op.transpose(ge, [0, 2, 1]), 'ge_to512'), [0, 2, 1]);
}
