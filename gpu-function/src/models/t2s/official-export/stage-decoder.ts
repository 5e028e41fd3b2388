/**
 * GPT-SoVITS's own ONNX decode step (`T2SStageDecoder` in `AR/models/t2s_model_onnx.py`, exported by
 * `onnx_export.py`), rebuilt operator by operator from that source so the benchmark can run the official decoder
 * side by side with gsv-edge's on the same weights and machine without PyTorch (not a dependency of gsv-edge): the
 * graph is written the way `torch.onnx.export` (opset 16) lowers each line of the forward, and was checked against a
 * genuine export (docs/benchmarks.md). It is a benchmark baseline, never served.
 *
 * What makes the official step slow, kept on purpose:
 * - batch 1, and the caches are whole-model tensors `[layers, T, 1, D]` passed in and returned every step;
 * - `F.pad` grows both caches by one row (a copy of each), then every layer writes its updated slice back with
 *   `cache["k"][stage] = torch.cat(...)`, which exports as a `ScatterND` over the whole stacked cache (a copy of
 *   all layers' K or V per layer), and reads it back with a `Gather`;
 * - positional encodings are recomputed over the whole audio sequence each step (`y_emb` is an input and output);
 * - per-head views of the cache become `Transpose` copies, and `scaled_dot_product_attention`'s ONNX lowering
 *   multiplies the transposed keys by √scale;
 * - sampling runs in the graph: repetition penalty 1.35 by `GatherElements`/`ScatterElements` over every previous
 *   token, `TopK`, softmax, and `torch.randn_like` (`RandomNormalLike`: unseeded, and normal where GPT-SoVITS's
 *   PyTorch path uses an exponential race).
 *
 * One deviation is selectable: the export numbers audio positions from 1 (`cumsum` of ones), where GPT-SoVITS's
 * PyTorch model numbers them from 0; `positionOrigin: 0` gives the PyTorch numbering, which the tests use to check
 * this graph against the float64 reference.
 * @module
 */
import { GraphBuilder, Ops, type Value, type WeightSource } from '../../../onnx/index.ts';
import { tensor } from '../../../tensor/tensor.ts';
import { headDim, validateT2sDims, type T2sDims } from '../config.ts';
import { finishLayer, inverseFrequencies, predictLogits } from '../graph-parts.ts';
import { T2S_WEIGHTS, checkT2sWeights, t2sLayerWeights } from '../weights.ts';

/**
 * Input and output names as `onnx_export.py` gives them, so a genuine export (`*_t2s_sdec.onnx`) and this graph
 * are driven by the same code.
 */
export const OFFICIAL_STAGE = {
  tokens: 'iy',
  keys: 'ik',
  values: 'iv',
  audioEmbeddings: 'iy_emb',
  textExample: 'ix_example',
  tokensOut: 'y',
  keysOut: 'k',
  valuesOut: 'v',
  audioEmbeddingsOut: 'y_emb',
  logits: 'logits',
  samples: 'samples',
} as const;

export interface OfficialStageOptions {
  /** The checkpoint's `inference.top_k`, which the export bakes into the graph. */
  readonly topK: number;
  /** 1 as exported (default); 0 as GPT-SoVITS's PyTorch model. */
  readonly positionOrigin?: 0 | 1;
}

const REPETITION_PENALTY = 1.35;

/**
 * Inputs: `iy` int64 `[1, N]` (prompt and generated tokens, the last one is fed), `ik`/`iv` float32 `[L, T, 1, D]`
 * (text + audio entries before this step), `iy_emb` float32 `[1, A, D]` (audio embeddings of every token but the
 * last), `ix_example` float32 `[1, X]` (zeros; only its length is read). Outputs the next step's inputs (`y`,
 * `k`, `v`, `y_emb`), the raw logits `[1, V]` and the sampled token `samples` `[1, 1]`.
 */
export function buildOfficialStageDecoder(weights: WeightSource, dims: T2sDims, options: OfficialStageOptions): GraphBuilder {
  validateT2sDims(dims);
  checkT2sWeights(weights, dims);
  if (!Number.isInteger(options.topK) || options.topK < 1 || options.topK > dims.vocab) throw new RangeError(`top_k must be an integer in 1..${String(dims.vocab)}`);
  const g = new GraphBuilder({ name: 't2s_official_stage_decoder', weights, precision: 'fp32' });
  const op = new Ops(g);
  const D = dims.hidden;
  const heads = dims.heads;
  const d = headDim(dims);
  const y = g.input(OFFICIAL_STAGE.tokens, 'int64', [1, 'tokens']);
  const kIn = g.input(OFFICIAL_STAGE.keys, 'float32', [dims.layers, 'cache', 1, D]);
  const vIn = g.input(OFFICIAL_STAGE.values, 'float32', [dims.layers, 'cache', 1, D]);
  const yEmbIn = g.input(OFFICIAL_STAGE.audioEmbeddings, 'float32', [1, 'audio', D]);
  const xExample = g.input(OFFICIAL_STAGE.textExample, 'float32', [1, 'text']);

  // cache = {"k": F.pad(k, (0, 0, 0, 0, 0, 1)), ...}
  let cacheK = op.pad(kIn, [0, 0, 0, 0, 0, 1, 0, 0]);
  let cacheV = op.pad(vIn, [0, 0, 0, 0, 0, 1, 0, 0]);
  // y_emb = cat([y_emb, ar_audio_embedding(y[:, -1:])], 1); y_pos = ar_audio_position(y_emb)
  const lastToken = op.slice(y, [-1], [Number.MAX_SAFE_INTEGER], [1]); // [1, 1]
  const yEmb = op.concat([yEmbIn, op.gather(g.weight(T2S_WEIGHTS.audioEmbedding), lastToken)], 1); // [1, A+1, D]
  const yPos = sinePositions(op, dims, yEmb, options.positionOrigin ?? 1);
  const xyPos = op.slice(yPos, [-1], [Number.MAX_SAFE_INTEGER], [1]); // [1, 1, D]
  // xy_attn_mask = zeros_like(cat([x_example, y_example], 1), dtype=bool), made float by _canonical_mask.
  const yExample = op.mul(op.gather(yPos, op.i64Scalar(0), 2), op.float(0)); // [1, A+1]
  const maskShape = op.shape(op.concat([xExample, yExample], 1));
  const attentionMask = (): Value => op.unsqueeze(op.where(op.constantOfShape(maskShape, 0, 'bool'), op.float(-Infinity), op.float(0)), [0, 1]); // [1, 1, 1, T+1]
  const sqrtScale = op.sqrt(op.float(1 / Math.sqrt(d)));

  let xy = xyPos;
  for (let i = 0; i < dims.layers; i += 1) {
    xy = g.scoped(`h.layers.${i}`, () => {
      const w = t2sLayerWeights(i);
      // proj_qkv.unflatten(-1, (3, D)).unsqueeze(0).transpose(0, -2).squeeze(-2); q, k, v = proj_qkv[0..2]
      const qkv = op.linear(xy, g.weight(w.inProjWeight), g.weight(w.inProjBias)); // [1, 1, 3D]
      const stacked = op.squeeze(op.transpose(op.unsqueeze(op.reshape(qkv, [1, 1, 3, D]), [0]), [3, 1, 2, 0, 4]), [3]); // [3, 1, 1, D]
      const part = (index: number): Value => op.gather(stacked, op.i64Scalar(index), 0); // [1, 1, D]
      const layer = op.i64Scalar(i);
      // cache["k"][stage] = cat([cache["k"][stage][:-1], k], 0); k = cache["k"][stage]
      const update = (cache: Value, fresh: Value): Value => {
        const kept = op.slice(op.gather(cache, layer, 0), [0], [-1], [0]); // [T, 1, D]
        return scatterLayer(op, cache, i, op.concat([kept, fresh], 0));
      };
      cacheK = update(cacheK, part(1));
      cacheV = update(cacheV, part(2));
      // q.view(-1, H, d).transpose(0, 1).view(H, -1, d).unsqueeze(0): per-head views become Transpose copies.
      const perHead = (x: Value): Value => op.unsqueeze(op.reshape(op.transpose(op.reshape(x, [-1, heads, d]), [1, 0, 2]), [heads, -1, d]), [0]); // [1, H, len, d]
      const q = perHead(part(0));
      const k = perHead(op.gather(cacheK, layer, 0));
      const v = perHead(op.gather(cacheV, layer, 0));
      // scaled_dot_product_attention as torch.onnx lowers it: both factors scaled by √scale, float mask added.
      const scores = op.add(op.matMul(op.mul(q, sqrtScale), op.mul(op.transpose(k, [0, 1, 3, 2]), sqrtScale)), attentionMask());
      const context = op.matMul(op.softmax(scores, -1), v); // [1, H, 1, d]
      const merged = op.reshape(op.transpose(context, [2, 0, 1, 3]), [-1, 1, D]); // permute(2, 0, 1, 3).view(-1, D), out_proj follows
      return finishLayer(op, i, xy, merged);
    });
  }
  const logits = predictLogits(op, op.gather(xy, op.i64Scalar(-1), 1)); // [1, V]
  const samples = sampleInGraph(op, logits, y, options.topK); // [1, 1] int64
  g.output(op.concat([y, samples], 1), OFFICIAL_STAGE.tokensOut, [1, 'tokens_out']);
  g.output(cacheK, OFFICIAL_STAGE.keysOut, [dims.layers, 'cache_out', 1, D]);
  g.output(cacheV, OFFICIAL_STAGE.valuesOut, [dims.layers, 'cache_out', 1, D]);
  g.output(yEmb, OFFICIAL_STAGE.audioEmbeddingsOut, [1, 'audio_out', D]);
  g.output(logits, OFFICIAL_STAGE.logits, [1, dims.vocab]);
  g.output(samples, OFFICIAL_STAGE.samples, [1, 1]);
  return g;
}

/** `SinePositionalEmbedding.forward` of the ONNX module: `x + alpha · pe`, positions from `cumsum(ones)`. */
function sinePositions(op: Ops, dims: T2sDims, x: Value, origin: 0 | 1): Value {
  const ones = op.constantOfShape(op.shape(op.gather(x, op.i64Scalar(0), 2)), 1, 'float32'); // [1, A+1]
  const counted = op.cumSum(ones, op.i64Scalar(1));
  const position = op.transpose(origin === 1 ? counted : op.sub(counted, op.float(1)), [1, 0]); // [A+1, 1]
  const angles = op.unsqueeze(op.mul(position, op.float32(inverseFrequencies(dims.hidden), [dims.hidden / 2])), [0]); // [1, A+1, D/2]
  const pe = op.reshape(op.transpose(op.concat([op.sin(angles), op.cos(angles)], 0), [1, 2, 0]), [1, -1, dims.hidden]); // [1, A+1, D]
  return op.add(op.mul(x, op.float(1)), op.mul(op.g.weight(T2S_WEIGHTS.audioAlpha), pe));
}

/** `cache[layer] = slice` as torch.onnx exports an indexed assignment: a ScatterND producing the whole tensor. */
function scatterLayer(op: Ops, cache: Value, layer: number, slice: Value): Value {
  const index = op.g.constant(tensor('int64', [1, 1], BigInt64Array.of(BigInt(layer))), 'i64');
  return op.g.node('ScatterND', [cache, index, op.unsqueeze(slice, [0])])[0] as Value;
}

/** `sample(logits[0], y, top_k, top_p=1.0, repetition_penalty=1.35)` with temperature 1, as exported. */
function sampleInGraph(op: Ops, logits: Value, y: Value, topK: number): Value {
  const g = op.g;
  const row = op.gather(logits, op.i64Scalar(0), 0); // [V]
  const previous = op.squeeze(y, [0]); // [N]
  const score = op.gatherElements(row, previous, 0);
  const penalized = op.where(op.less(score, op.float(0)), op.mul(score, op.float(REPETITION_PENALTY)), op.div(score, op.float(REPETITION_PENALTY)));
  const scattered = g.node('ScatterElements', [row, previous, penalized], {})[0] as Value;
  const tempered = op.div(scattered, op.float(1));
  const [topValues] = g.node('TopK', [tempered, op.i64([topK])], { outputCount: 2, outputTypes: ['float32', 'int64'] }) as [Value, Value];
  const pivot = op.unsqueeze(op.gather(topValues, op.i64Scalar(-1), 0), [0]); // [1]
  const probabilities = op.softmax(op.where(op.less(tempered, pivot), op.float(-Infinity), tempered), -1);
  const noise = g.node('RandomNormalLike', [probabilities], {})[0] as Value;
  const chosen = op.cast(op.argMax(op.div(probabilities, noise), -1, true), 'int32'); // [1], as .to(dtype=torch.int)
  return op.unsqueeze(op.cast(chosen, 'int64'), [0]); // [1, 1]
}
