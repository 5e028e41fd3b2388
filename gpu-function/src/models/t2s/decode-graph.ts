/**
 * The batched T2S decode step: one new token for each of B running sequences, attending over a KV pool the host
 * owns and passes in as inputs (zero-copy views). Only the logits and each row's new K/V column come out; the host
 * appends the column to the pool. A step therefore reads the cache once and writes one column per row, where
 * GPT-SoVITS's decoder concatenates (rewrites) the whole cache every step.
 *
 * Attention is computed without concatenating the cache: scores over the pool (a transposed MatMul, which
 * onnxruntime fuses into FusedMatMul without copying the pool) masked beyond each row's length, plus the score of
 * the new token; one softmax over both; then the weighted pool values plus the new value.
 *
 * The resident variant (io.ts, `t2sResidentDecodeIo`) computes the same step and also returns the pool with the new
 * column written in, so a device-resident pool can be fed back without the host.
 * @module
 */
import { GraphBuilder, Ops, type Value, type WeightSource } from '../../onnx/index.ts';
import { headDim, validateT2sDims, type T2sDims, type T2sPrecision } from './config.ts';
import { audioEmbedding, declareInputs, declareOutputs, finishLayer, predictLogits, qkvProjection, requireInput } from './graph-parts.ts';
import { T2S_DECODE, newKeyName, newValueName, pastKeyName, pastValueName, presentKeyName, presentValueName, t2sDecodeIo, t2sResidentDecodeIo } from './io.ts';
import { checkT2sWeights } from './weights.ts';

/** The decode-step graph over a checkpoint's weights (names without `model.`). */
export function buildT2sDecode(weights: WeightSource, dims: T2sDims, precision: T2sPrecision): GraphBuilder {
  return buildDecode(weights, dims, precision, false);
}

/** The decode step that also returns the updated pool (`present_*`), for a pool kept on the device. */
export function buildT2sResidentDecode(weights: WeightSource, dims: T2sDims, precision: T2sPrecision): GraphBuilder {
  return buildDecode(weights, dims, precision, true);
}

function buildDecode(weights: WeightSource, dims: T2sDims, precision: T2sPrecision, resident: boolean): GraphBuilder {
  validateT2sDims(dims);
  checkT2sWeights(weights, dims);
  const g = new GraphBuilder({ name: resident ? 't2s_decode_resident' : 't2s_decode', weights, precision });
  const op = new Ops(g);
  const io = resident ? t2sResidentDecodeIo(dims, precision) : t2sDecodeIo(dims, precision);
  const inputs = declareInputs(g, io);
  const d = headDim(dims);

  const embedded = audioEmbedding(op, dims, requireInput(inputs, T2S_DECODE.tokens), requireInput(inputs, T2S_DECODE.positions)); // [B, D]
  const firstPast = requireInput(inputs, pastKeyName(0));
  const capacity = op.shape(firstPast, 2, 3); // [1]
  const pastLengths = requireInput(inputs, T2S_DECODE.pastLengths);
  const masks = resident ? deviceMasks(op, firstPast, pastLengths) : { past: hostPlacedPastMask(op, capacity, pastLengths), write: undefined };
  const pastMask = masks.past; // [B, 1, 1, C]
  const blocked = op.float(-Infinity);
  const scale = op.float(1 / Math.sqrt(d));

  const outputs = new Map<string, Value>();
  let h = op.unsqueeze(embedded, [1]); // [B, 1, D]
  for (let i = 0; i < dims.layers; i += 1) {
    h = g.scoped(`h.layers.${i}`, () => {
      const [q, k, v] = op.split(qkvProjection(op, i, h), [dims.hidden, dims.hidden, dims.hidden], 2) as [Value, Value, Value]; // [B, 1, D] each
      const heads = (x: Value): Value => op.transpose(op.reshape(x, [0, 1, dims.heads, d]), [0, 2, 1, 3]); // [B, H, 1, d]
      const query = op.mul(heads(q), scale);
      const newKey = heads(k);
      const newValue = heads(v);
      const pastKey = requireInput(inputs, pastKeyName(i)); // [B, H, C, d]
      const pastValue = requireInput(inputs, pastValueName(i));
      const pastScores = op.where(pastMask, op.matMul(query, op.transpose(pastKey, [0, 1, 3, 2])), blocked); // [B, H, 1, C]
      const newScore = op.reduceSum(op.mul(query, newKey), [3]); // [B, H, 1, 1]
      const probabilities = op.softmax(op.concat([pastScores, newScore], 3), 3); // [B, H, 1, C + 1]
      const pastWeights = op.slice(probabilities, [0], capacity, [3]); // [B, H, 1, C]
      const newWeight = op.slice(probabilities, capacity, [Number.MAX_SAFE_INTEGER], [3]); // [B, H, 1, 1]
      const context = op.add(op.matMul(pastWeights, pastValue), op.mul(newWeight, newValue)); // [B, H, 1, d]
      outputs.set(newKeyName(i), newKey);
      outputs.set(newValueName(i), newValue);
      if (masks.write !== undefined) {
        // A whole new pool per step: onnxruntime-node 1.30 cannot bind an output to an existing device buffer.
        outputs.set(presentKeyName(i), op.where(masks.write, newKey, pastKey)); // [B, H, C, d]
        outputs.set(presentValueName(i), op.where(masks.write, newValue, pastValue));
      }
      const merged = op.reshape(op.transpose(context, [0, 2, 1, 3]), [0, 1, dims.hidden]); // [B, 1, D]
      return finishLayer(op, i, h, merged); // [B, 1, D]
    });
  }
  outputs.set(T2S_DECODE.logits, predictLogits(op, op.squeeze(h, [1]))); // [B, V]
  declareOutputs(g, io, outputs);
  return g;
}

/** Columns below each row's length, from Shape → Range (fine where everything runs on the host). */
function hostPlacedPastMask(op: Ops, capacity: Value, pastLengths: Value): Value {
  const columns = op.range(op.i64Scalar(0), op.squeeze(capacity, [0]), op.i64Scalar(1)); // [C]
  const valid = op.less(op.unsqueeze(columns, [0]), op.unsqueeze(pastLengths, [1])); // [B, C]
  return op.unsqueeze(valid, [1, 2]); // [B, 1, 1, C]
}

/**
 * The past mask and the write mask (`column == past_lengths[b]`) built from device tensors only: the column index is
 * a CumSum of ones shaped like one column strip of the pool. Shape → Range would be placed on the CPU by onnxruntime,
 * which then copies the `[B, C]` masks to the device every step. The index is float32 in every precision (exact
 * below 2^24; fp16 would already be inexact above 2048 columns).
 */
function deviceMasks(op: Ops, firstPast: Value, pastLengths: Value): { past: Value; write: Value } {
  const strip = op.slice(firstPast, [0, 0, 0], [1, 1, 1], [0, 1, 3]); // [1, 1, C, 1]
  const one = op.float32([1], []);
  const ones = op.where(op.equal(strip, strip), one, one); // 1 even where an unused pool entry holds NaN
  const column = op.sub(op.cumSum(ones, op.i64Scalar(2)), one); // [1, 1, C, 1]
  const lengths = op.unsqueeze(op.cast(pastLengths, 'float32'), [1, 2, 3]); // [B, 1, 1, 1]
  return { past: op.less(op.reshape(column, [1, 1, 1, -1]), lengths), write: op.equal(column, lengths) }; // [B, 1, 1, C], [B, 1, C, 1]
}
