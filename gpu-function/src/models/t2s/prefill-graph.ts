/**
 * The batched T2S prefill graph: text (phones + BERT) and prompt tokens of B requests through every layer under the
 * prefix-LM mask, returning each row's next-token logits and every layer's K/V. See `io.ts` for the layout.
 *
 * Attention is spelled out with standard operators (MatMul, Where, Softmax) because the mask is not causal; the
 * decode graph uses onnxruntime's GroupQueryAttention instead.
 * @module
 */
import { GraphBuilder, Ops, type Value, type WeightSource } from '../../onnx/index.ts';
import { headDim, validateT2sDims, type T2sDims, type T2sPrecision } from './config.ts';
import { audioEmbedding, declareInputs, declareOutputs, finishLayer, predictLogits, qkvProjection, requireInput, scaledPositions } from './graph-parts.ts';
import { T2S_PREFILL, presentKeyName, presentValueName, t2sPrefillIo } from './io.ts';
import { lastValidSlot, prefillAllowed, type PrefillLayout } from './prefill-mask.ts';
import { T2S_WEIGHTS, checkT2sWeights } from './weights.ts';

/** `[B, S, D]` → `[B, H, S, d]`. */
function splitHeads(op: Ops, dims: T2sDims, x: Value): Value {
  return op.transpose(op.reshape(x, [0, 0, dims.heads, headDim(dims)]), [0, 2, 1, 3]);
}

/** Masked multi-head attention over the whole prefill; returns the merged context and the layer's K and V. */
function prefillAttention(op: Ops, dims: T2sDims, layer: number, h: Value, allowed: Value): { context: Value; key: Value; value: Value } {
  const [q, k, v] = op.split(qkvProjection(op, layer, h), [dims.hidden, dims.hidden, dims.hidden], -1); // 3 x [B, S, D]
  if (q === undefined || k === undefined || v === undefined) throw new Error('Split produced fewer than 3 outputs');
  const key = splitHeads(op, dims, k); // [B, H, S, d]
  const value = splitHeads(op, dims, v); // [B, H, S, d]
  const query = op.mul(splitHeads(op, dims, q), op.float(1 / Math.sqrt(headDim(dims)))); // [B, H, S, d]
  const scores = op.matMul(query, op.transpose(key, [0, 1, 3, 2])); // [B, H, S, S]
  const probs = op.softmax(op.where(allowed, scores, op.float(-Infinity)), -1); // [B, H, S, S]
  const context = op.transpose(op.matMul(probs, value), [0, 2, 1, 3]); // [B, S, H, d]
  return { context: op.reshape(context, [0, 0, dims.hidden]), key, value }; // [B, S, D]
}

/** The prefill graph over a checkpoint's weights (names without `model.`). */
export function buildT2sPrefill(weights: WeightSource, dims: T2sDims, precision: T2sPrecision): GraphBuilder {
  validateT2sDims(dims);
  checkT2sWeights(weights, dims);
  const g = new GraphBuilder({ name: 't2s_prefill', weights, precision });
  const op = new Ops(g);
  const io = t2sPrefillIo(dims, precision);
  const inputs = declareInputs(g, io);
  const phoneIds = requireInput(inputs, T2S_PREFILL.phoneIds);
  const promptTokens = requireInput(inputs, T2S_PREFILL.promptTokens);
  const layout: PrefillLayout = {
    textSlots: op.squeeze(op.shape(phoneIds, 1, 2), [0]),
    totalSlots: op.add(op.squeeze(op.shape(phoneIds, 1, 2), [0]), op.squeeze(op.shape(promptTokens, 1, 2), [0])),
    textLengths: requireInput(inputs, T2S_PREFILL.textLengths),
    promptLengths: requireInput(inputs, T2S_PREFILL.promptLengths),
  };

  const text = g.scoped('text', () => {
    const bert = op.toCompute(requireInput(inputs, T2S_PREFILL.bert)); // [B, Tx, 1024]
    const embedded = op.add(op.gather(g.weight(T2S_WEIGHTS.textEmbedding), phoneIds), op.linear(bert, g.weight(T2S_WEIGHTS.bertProjWeight), g.weight(T2S_WEIGHTS.bertProjBias))); // [B, Tx, D]
    const positions = op.range(op.i64Scalar(0), layout.textSlots, op.i64Scalar(1)); // [Tx]
    return op.add(embedded, scaledPositions(op, dims, positions, g.weight(T2S_WEIGHTS.textAlpha))); // [B, Tx, D]
  });
  const prompt = g.scoped('prompt', () => {
    const positions = op.range(op.i64Scalar(0), op.squeeze(op.shape(promptTokens, 1, 2), [0]), op.i64Scalar(1)); // [Tp]
    return audioEmbedding(op, dims, promptTokens, positions); // [B, Tp, D]
  });
  const allowed = g.scoped('mask', () => prefillAllowed(op, layout)); // [B, 1, S, S]

  const outputs = new Map<string, Value>();
  let h = op.concat([text, prompt], 1); // [B, S, D]
  for (let i = 0; i < dims.layers; i += 1) {
    h = g.scoped(`h.layers.${i}`, () => {
      const { context, key, value } = prefillAttention(op, dims, i, h, allowed);
      outputs.set(presentKeyName(i), key);
      outputs.set(presentValueName(i), value);
      return finishLayer(op, i, h, context);
    });
  }
  const last = op.gather(op.reshape(h, [-1, dims.hidden]), lastValidSlot(op, layout)); // [B, D]
  outputs.set(T2S_PREFILL.logits, predictLogits(op, last)); // [B, V]
  declareOutputs(g, io, outputs);
  return g;
}
