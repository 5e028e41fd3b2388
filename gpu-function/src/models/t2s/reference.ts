/**
 * An independent float64 T2S forward in plain TypeScript, with GPT-SoVITS's batch-1 semantics (`infer_panel_naive`):
 * prefill over `[text ; prompt audio]` under the prefix-LM mask, then one token per decode step against a growing
 * K/V cache with no mask. It shares no code with the graph builders, so the two check each other.
 *
 * Differences from GPT-SoVITS are only numeric: float64 throughout, and the sinusoidal table is exact (GPT-SoVITS
 * computes it in float32, which is off by up to ~1e-5 for positions in the hundreds).
 * @module
 */
import type { WeightSource } from '../../onnx/index.ts';
import { toFloat64 } from '../../tensor/index.ts';
import { T2S_LAYER_NORM_EPS, type T2sDims } from './config.ts';
import { T2S_WEIGHTS, t2sLayerWeights, t2sWeightShapes } from './weights.ts';

type Weights = ReadonlyMap<string, Float64Array>;

/** Reads every T2S tensor of `source` as float64 (fp16 checkpoints are upcast exactly). */
export async function loadReferenceWeights(source: WeightSource, dims: T2sDims): Promise<Weights> {
  const weights = new Map<string, Float64Array>();
  for (const name of t2sWeightShapes(dims).keys()) weights.set(name, toFloat64(await source.read(name)).data);
  return weights;
}

function tensorOf(weights: Weights, name: string): Float64Array {
  const value = weights.get(name);
  if (value === undefined) throw new Error(`reference T2S: tensor ${name} is missing`);
  return value;
}

/** `W · x + b` for a PyTorch Linear weight `[out, in]`. */
function linear(x: Float64Array, weight: Float64Array, bias: Float64Array | null, outDim: number): Float64Array {
  const inDim = x.length;
  const y = new Float64Array(outDim);
  for (let o = 0; o < outDim; o += 1) {
    let sum = bias === null ? 0 : (bias[o] ?? 0);
    for (let i = 0; i < inDim; i += 1) sum += (weight[o * inDim + i] ?? 0) * (x[i] ?? 0);
    y[o] = sum;
  }
  return y;
}

function layerNorm(x: Float64Array, gamma: Float64Array, beta: Float64Array): Float64Array {
  const n = x.length;
  const mean = x.reduce((a, b) => a + b, 0) / n;
  const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / n;
  const inv = 1 / Math.sqrt(variance + T2S_LAYER_NORM_EPS);
  return x.map((v, i) => (v - mean) * inv * (gamma[i] ?? 0) + (beta[i] ?? 0));
}

function addInto(a: Float64Array, b: Float64Array): Float64Array {
  return a.map((v, i) => v + (b[i] ?? 0));
}

/** GPT-SoVITS's `SinePositionalEmbedding` row: pe[2k] = sin(p·10000^(−2k/D)), pe[2k+1] = cos(same), exact. */
function positionRow(position: number, hidden: number): Float64Array {
  const row = new Float64Array(hidden);
  for (let k = 0; k < hidden / 2; k += 1) {
    const angle = position * Math.exp((2 * k * -Math.log(10000)) / hidden);
    row[2 * k] = Math.sin(angle);
    row[2 * k + 1] = Math.cos(angle);
  }
  return row;
}

function embed(table: Float64Array, id: number, hidden: number, alpha: number, position: number): Float64Array {
  const pe = positionRow(position, hidden);
  return table.slice(id * hidden, (id + 1) * hidden).map((v, i) => v + alpha * (pe[i] ?? 0));
}

/** One request's T2S state: the per-layer K/V cache (heads packed, `[D]` per position) and the next audio position. */
export class T2sReferenceSequence {
  readonly #weights: Weights;
  readonly #dims: T2sDims;
  /** `keys[layer][t]`, `values[layer][t]`: K and V of cache entry t, heads packed (head h = channels h·d..). */
  readonly keys: Float64Array[][];
  readonly values: Float64Array[][];
  /** Logits of the last forward: the prefill's at first, then each decode step's. */
  logits: Float64Array;
  #nextPosition: number;

  constructor(weights: Weights, dims: T2sDims, phones: readonly number[], bert: ArrayLike<number>, prompt: readonly number[]) {
    this.#weights = weights;
    this.#dims = dims;
    this.keys = Array.from({ length: dims.layers }, () => []);
    this.values = Array.from({ length: dims.layers }, () => []);
    const d = dims.hidden;
    if (bert.length !== phones.length * dims.bertDim) throw new RangeError(`reference T2S: bert has ${bert.length} values, expected ${phones.length} x ${dims.bertDim}`);
    const textTable = tensorOf(weights, T2S_WEIGHTS.textEmbedding);
    const textAlpha = tensorOf(weights, T2S_WEIGHTS.textAlpha)[0] ?? 0;
    const rows = phones.map((phone, i) => {
      const features = Float64Array.from({ length: dims.bertDim }, (_, c) => bert[i * dims.bertDim + c] ?? 0);
      const projected = linear(features, tensorOf(weights, T2S_WEIGHTS.bertProjWeight), tensorOf(weights, T2S_WEIGHTS.bertProjBias), d);
      return addInto(embed(textTable, phone, d, textAlpha, i), projected);
    });
    const audioTable = tensorOf(weights, T2S_WEIGHTS.audioEmbedding);
    const audioAlpha = tensorOf(weights, T2S_WEIGHTS.audioAlpha)[0] ?? 0;
    prompt.forEach((token, j) => rows.push(embed(audioTable, token, d, audioAlpha, j)));
    const textLength = phones.length;
    // Prefix LM: text sees all text; audio sees all text and the audio up to itself.
    const visible = (query: number, key: number): boolean => key < textLength || (query >= textLength && key <= query);
    const hidden = this.#forward(rows, visible);
    this.logits = this.#predict(hidden[hidden.length - 1] ?? new Float64Array(d));
    this.#nextPosition = prompt.length;
  }

  /** Feeds the next token at the next audio position (P, P+1...) and returns its logits. */
  decode(token: number): Float64Array {
    const d = this.#dims.hidden;
    const row = embed(tensorOf(this.#weights, T2S_WEIGHTS.audioEmbedding), token, d, tensorOf(this.#weights, T2S_WEIGHTS.audioAlpha)[0] ?? 0, this.#nextPosition);
    this.#nextPosition += 1;
    const [hidden] = this.#forward([row], () => true);
    this.logits = this.#predict(hidden ?? new Float64Array(d));
    return this.logits;
  }

  /** Runs new positions through every layer, appending their K/V; `visible(q, k)` over absolute cache indices. */
  #forward(inputs: Float64Array[], visible: (query: number, key: number) => boolean): Float64Array[] {
    const { hidden: d, heads, ffn } = this.#dims;
    const headSize = d / heads;
    let rows = inputs;
    for (let layer = 0; layer < this.#dims.layers; layer += 1) {
      const w = t2sLayerWeights(layer);
      const get = (name: string): Float64Array => tensorOf(this.#weights, name);
      const keys = this.keys[layer] ?? [];
      const values = this.values[layer] ?? [];
      const start = keys.length;
      const queries = rows.map((x) => {
        const qkv = linear(x, get(w.inProjWeight), get(w.inProjBias), 3 * d);
        keys.push(qkv.slice(d, 2 * d));
        values.push(qkv.slice(2 * d, 3 * d));
        return qkv.slice(0, d);
      });
      rows = rows.map((x, n) => {
        const query = start + n;
        const context = new Float64Array(d);
        for (let h = 0; h < heads; h += 1) {
          const offset = h * headSize;
          const scores: number[] = [];
          for (let t = 0; t < keys.length; t += 1) {
            if (!visible(query, t)) continue;
            let dot = 0;
            for (let c = 0; c < headSize; c += 1) dot += (queries[n]?.[offset + c] ?? 0) * (keys[t]?.[offset + c] ?? 0);
            scores.push(dot / Math.sqrt(headSize));
          }
          const max = Math.max(...scores);
          const weights = scores.map((s) => Math.exp(s - max));
          const total = weights.reduce((a, b) => a + b, 0);
          let k = 0;
          for (let t = 0; t < keys.length; t += 1) {
            if (!visible(query, t)) continue;
            const p = (weights[k] ?? 0) / total;
            k += 1;
            for (let c = 0; c < headSize; c += 1) context[offset + c] = (context[offset + c] ?? 0) + p * (values[t]?.[offset + c] ?? 0);
          }
        }
        const h1 = layerNorm(addInto(x, linear(context, get(w.outProjWeight), get(w.outProjBias), d)), get(w.norm1Weight), get(w.norm1Bias));
        const inner = linear(h1, get(w.linear1Weight), get(w.linear1Bias), ffn).map((v) => Math.max(v, 0));
        return layerNorm(addInto(h1, linear(inner, get(w.linear2Weight), get(w.linear2Bias), d)), get(w.norm2Weight), get(w.norm2Bias));
      });
    }
    return rows;
  }

  #predict(h: Float64Array): Float64Array {
    return linear(h, tensorOf(this.#weights, T2S_WEIGHTS.predict), null, this.#dims.vocab);
  }
}
