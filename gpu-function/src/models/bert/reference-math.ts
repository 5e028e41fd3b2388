/**
 * Plain float64 building blocks for the reference forwards of BERT and HuBERT: matrices, Linear, LayerNorm, exact
 * GELU and a post-norm transformer layer, written directly from the PyTorch definitions. Deliberately shares nothing
 * with the graph builders, so a mistake in one cannot hide in the other.
 * @module
 */
import erf from '@stdlib/math-base-special-erf';
import { formatShape, toFloat64, type HostTensor } from '../../tensor/index.ts';
import type { PostNormLayerNames } from './weight-names.ts';

/** A row-major float64 matrix: one row per time step (or channel). */
export interface Matrix64 {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export interface ParameterSource {
  read(name: string): Promise<HostTensor>;
}

export function matrix64(rows: number, cols: number, data = new Float64Array(rows * cols)): Matrix64 {
  if (data.length !== rows * cols) throw new RangeError(`a ${rows}x${cols} matrix needs ${rows * cols} values, got ${data.length}`);
  return { rows, cols, data };
}

/** A checkpoint tensor as float64, checked against the expected shape. */
export async function parameter64(source: ParameterSource, name: string, shape: readonly number[]): Promise<Float64Array> {
  const value = await source.read(name);
  if (formatShape(value.shape) !== formatShape(shape)) throw new Error(`${name} has shape ${formatShape(value.shape)}, expected ${formatShape(shape)}`);
  return toFloat64(value).data;
}

export function at(values: Float64Array, index: number): number {
  const value = values[index];
  if (value === undefined) throw new RangeError(`index ${index} is outside ${values.length} values`);
  return value;
}

/** y = x Wᵀ + b with W stored `[out, in]` as PyTorch does. */
export function linear64(x: Matrix64, weight: Float64Array, bias: Float64Array | null): Matrix64 {
  const outFeatures = weight.length / x.cols;
  const y = matrix64(x.rows, outFeatures);
  for (let r = 0; r < x.rows; r += 1) {
    for (let o = 0; o < outFeatures; o += 1) {
      let sum = bias === null ? 0 : at(bias, o);
      for (let i = 0; i < x.cols; i += 1) sum += at(x.data, r * x.cols + i) * at(weight, o * x.cols + i);
      y.data[r * outFeatures + o] = sum;
    }
  }
  return y;
}

/** LayerNorm over each row: biased variance, eps inside the square root. */
export function layerNorm64(x: Matrix64, gamma: Float64Array, beta: Float64Array, eps: number): Matrix64 {
  const y = matrix64(x.rows, x.cols);
  for (let r = 0; r < x.rows; r += 1) {
    const row = x.data.subarray(r * x.cols, (r + 1) * x.cols);
    const mean = row.reduce((a, b) => a + b, 0) / x.cols;
    const variance = row.reduce((a, b) => a + (b - mean) * (b - mean), 0) / x.cols;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let c = 0; c < x.cols; c += 1) y.data[r * x.cols + c] = (at(row, c) - mean) * inv * at(gamma, c) + at(beta, c);
  }
  return y;
}

/** Exact GELU: x · Φ(x). */
export function gelu64(x: number): number {
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

export function map64(x: Matrix64, f: (value: number) => number): Matrix64 {
  return matrix64(x.rows, x.cols, x.data.map(f));
}

export function add64(a: Matrix64, b: Matrix64): Matrix64 {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new RangeError(`cannot add ${a.rows}x${a.cols} and ${b.rows}x${b.cols}`);
  return matrix64(a.rows, a.cols, a.data.map((value, i) => value + at(b.data, i)));
}

/**
 * Scaled dot-product attention per head over the keys where `attend[j]` holds; the softmax runs over those keys only
 * (the graph adds a large negative mask instead, which must give the same result).
 */
function attention64(q: Matrix64, k: Matrix64, v: Matrix64, heads: number, attend: readonly boolean[]): Matrix64 {
  const width = q.cols;
  const headDim = width / heads;
  const out = matrix64(q.rows, width);
  const scores = new Float64Array(k.rows);
  for (let h = 0; h < heads; h += 1) {
    const offset = h * headDim;
    for (let i = 0; i < q.rows; i += 1) {
      let max = -Infinity;
      for (let j = 0; j < k.rows; j += 1) {
        if (attend[j] !== true) continue;
        let dot = 0;
        for (let d = 0; d < headDim; d += 1) dot += at(q.data, i * width + offset + d) * at(k.data, j * width + offset + d);
        scores[j] = dot / Math.sqrt(headDim);
        max = Math.max(max, at(scores, j));
      }
      let total = 0;
      for (let j = 0; j < k.rows; j += 1) {
        scores[j] = attend[j] === true ? Math.exp(at(scores, j) - max) : 0;
        total += at(scores, j);
      }
      for (let d = 0; d < headDim; d += 1) {
        let sum = 0;
        for (let j = 0; j < k.rows; j += 1) sum += (at(scores, j) / total) * at(v.data, j * width + offset + d);
        out.data[i * width + offset + d] = sum;
      }
    }
  }
  return out;
}

export interface LayerShape64 {
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly layerNormEps: number;
}

/** One post-norm transformer layer on one sequence `x` [T, H]; `attend[j]` says whether key j is visible. */
export async function postNormLayer64(
  source: ParameterSource,
  names: PostNormLayerNames,
  x: Matrix64,
  shape: LayerShape64,
  attend: readonly boolean[],
): Promise<Matrix64> {
  const { hidden, intermediate, layerNormEps } = shape;
  const dense = async (prefix: string, outFeatures: number, inFeatures: number, input: Matrix64): Promise<Matrix64> =>
    linear64(input, await parameter64(source, `${prefix}.weight`, [outFeatures, inFeatures]), await parameter64(source, `${prefix}.bias`, [outFeatures]));
  const norm = async (prefix: string, input: Matrix64): Promise<Matrix64> =>
    layerNorm64(input, await parameter64(source, `${prefix}.weight`, [hidden]), await parameter64(source, `${prefix}.bias`, [hidden]), layerNormEps);
  const q = await dense(names.query, hidden, hidden, x);
  const k = await dense(names.key, hidden, hidden, x);
  const v = await dense(names.value, hidden, hidden, x);
  const attended = await dense(names.attentionOutput, hidden, hidden, attention64(q, k, v, shape.heads, attend));
  const afterAttention = await norm(names.attentionNorm, add64(x, attended));
  const expanded = map64(await dense(names.intermediate, intermediate, hidden, afterAttention), gelu64);
  return norm(names.outputNorm, add64(afterAttention, await dense(names.output, hidden, intermediate, expanded)));
}
