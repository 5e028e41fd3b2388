/**
 * The batched T2S decode step: one new token for each of B running sequences, attending over a KV pool owned by the
 * host. Attention is onnxruntime's `com.microsoft.GroupQueryAttention` (num_heads = kv_num_heads, no rotary): with
 * `present_*` bound to the same buffers as `past_*`, it appends each row's K/V in place at `seqlens_k[b]` and attends
 * over that row's own length only, so a step never rewrites the cache (GPT-SoVITS's decoder concatenates it anew at
 * every step). See `io.ts` for the feeding rules.
 * @module
 */
import { GraphBuilder, Ops, attr, type Value, type WeightSource } from '../../onnx/index.ts';
import { headDim, validateT2sDims, type T2sDims, type T2sPrecision } from './config.ts';
import { audioEmbedding, declareInputs, declareOutputs, finishLayer, predictLogits, qkvProjection, requireInput } from './graph-parts.ts';
import { T2S_DECODE, pastKeyName, pastValueName, presentKeyName, presentValueName, t2sDecodeIo } from './io.ts';
import { checkT2sWeights } from './weights.ts';

/** The decode-step graph over a checkpoint's weights (names without `model.`). */
export function buildT2sDecode(weights: WeightSource, dims: T2sDims, precision: T2sPrecision): GraphBuilder {
  validateT2sDims(dims);
  checkT2sWeights(weights, dims);
  const g = new GraphBuilder({ name: 't2s_decode', weights, precision });
  const op = new Ops(g);
  const io = t2sDecodeIo(dims, precision);
  const inputs = declareInputs(g, io);
  const seqlensK = requireInput(inputs, T2S_DECODE.seqlensK);
  const totalSequenceLength = requireInput(inputs, T2S_DECODE.totalSequenceLength);

  const embedded = audioEmbedding(op, dims, requireInput(inputs, T2S_DECODE.tokens), requireInput(inputs, T2S_DECODE.positions)); // [B, D]
  const outputs = new Map<string, Value>();
  let h = op.unsqueeze(embedded, [1]); // [B, 1, D]
  for (let i = 0; i < dims.layers; i += 1) {
    h = g.scoped(`h.layers.${i}`, () => {
      const qkv = qkvProjection(op, i, h); // [B, 1, 3D], packed as GroupQueryAttention expects
      const [context, presentKey, presentValue] = op.contrib(
        'GroupQueryAttention',
        [qkv, null, null, requireInput(inputs, pastKeyName(i)), requireInput(inputs, pastValueName(i)), seqlensK, totalSequenceLength],
        { num_heads: attr.int(dims.heads), kv_num_heads: attr.int(dims.heads), scale: attr.float(1 / Math.sqrt(headDim(dims))) },
        3,
      );
      if (context === undefined || presentKey === undefined || presentValue === undefined) throw new Error('GroupQueryAttention produced fewer than 3 outputs');
      outputs.set(presentKeyName(i), presentKey); // [B, H, capacity, d]
      outputs.set(presentValueName(i), presentValue);
      return finishLayer(op, i, h, context); // [B, 1, D]
    });
  }
  outputs.set(T2S_DECODE.logits, predictLogits(op, op.squeeze(h, [1]))); // [B, V]
  declareOutputs(g, io, outputs);
  return g;
}
