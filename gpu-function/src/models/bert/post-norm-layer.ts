/**
 * The post-norm transformer layer BERT and HuBERT share (`x = LN(x + attn(x)); x = LN(x + ffn(x))`, exact GELU), as
 * graph nodes over checkpoint-named weights. The two models differ only in parameter names, given by the caller.
 * @module
 */
import type { Ops, Value } from '../../onnx/index.ts';
import type { PostNormLayerNames } from './weight-names.ts';

export interface PostNormLayerShape {
  readonly hidden: number;
  readonly heads: number;
  readonly layerNormEps: number;
}

/** `nn.Linear` named `prefix`. */
export function namedLinear(op: Ops, x: Value, prefix: string): Value {
  return op.linear(x, op.g.weight(`${prefix}.weight`), op.g.weight(`${prefix}.bias`));
}

/** `nn.LayerNorm` named `prefix` over the last axis. */
export function namedLayerNorm(op: Ops, x: Value, prefix: string, eps: number): Value {
  return op.layerNorm(x, op.g.weight(`${prefix}.weight`), op.g.weight(`${prefix}.bias`), eps);
}

/**
 * Multi-head self-attention of `x` [B, T, H]; `additiveMask` [B, 1, 1, T] (0 for keys to attend, a large negative
 * number for padding) or null. Queries are scaled before the product, which keeps fp16 scores small.
 */
export function selfAttention(op: Ops, x: Value, additiveMask: Value | null, names: PostNormLayerNames, shape: PostNormLayerShape): Value {
  const headDim = shape.hidden / shape.heads;
  const split = (projected: Value, perm: readonly number[]): Value => op.transpose(op.reshape(projected, [0, 0, shape.heads, headDim]), perm);
  const query = op.mul(namedLinear(op, x, names.query), op.float(1 / Math.sqrt(headDim))); // [B, T, H]
  const q = split(query, [0, 2, 1, 3]); // [B, heads, T, d]
  const kT = split(namedLinear(op, x, names.key), [0, 2, 3, 1]); // [B, heads, d, T]
  const v = split(namedLinear(op, x, names.value), [0, 2, 1, 3]); // [B, heads, T, d]
  const scores = op.matMul(q, kT); // [B, heads, T, T]
  const probs = op.softmax(additiveMask === null ? scores : op.add(scores, additiveMask), -1);
  const context = op.transpose(op.matMul(probs, v), [0, 2, 1, 3]); // [B, T, heads, d]
  return namedLinear(op, op.reshape(context, [0, 0, shape.hidden]), names.attentionOutput); // [B, T, H]
}

/** One post-norm encoder layer on `x` [B, T, H]. */
export function postNormLayer(op: Ops, x: Value, additiveMask: Value | null, names: PostNormLayerNames, shape: PostNormLayerShape): Value {
  const attended = namedLayerNorm(op, op.add(x, selfAttention(op, x, additiveMask, names, shape)), names.attentionNorm, shape.layerNormEps);
  const expanded = op.gelu(namedLinear(op, attended, names.intermediate)); // [B, T, intermediate]
  return namedLayerNorm(op, op.add(attended, namedLinear(op, expanded, names.output)), names.outputNorm, shape.layerNormEps); // [B, T, H]
}
