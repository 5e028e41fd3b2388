/**
 * How each synthetic tensor is filled, chosen so forward passes through the graphs stay numerically sane: linear
 * and conv weights ~N(0, 1/fan_in), norm gains ~1, small biases, weight-norm gains that differ from ||v|| (so a
 * reader that ignores g is caught). Random weights cost the same compute as trained ones.
 * @module
 */
import { numel } from '../tensor/index.ts';
import { deriveSeed, Prng } from './prng.ts';

export type Init =
  | { readonly kind: 'normal'; readonly mean: number; readonly std: number }
  | { readonly kind: 'uniform'; readonly low: number; readonly high: number }
  | { readonly kind: 'constant'; readonly value: number }
  /** A tensor that is a formula, not a parameter (a RoPE frequency table). */
  | { readonly kind: 'values'; readonly values: Float32Array };

export interface TensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Init;
}

export const normal = (std: number, mean = 0): Init => ({ kind: 'normal', mean, std });
export const uniform = (low: number, high: number): Init => ({ kind: 'uniform', low, high });
export const constant = (value: number): Init => ({ kind: 'constant', value });

/** Product of every dimension after the first: the fan-in of a Linear/Conv weight. */
export function fanIn(shape: readonly number[]): number {
  return numel(shape.slice(1)) || 1;
}

/** Weight N(0, 1/fan_in): keeps activations' variance roughly constant through a layer. */
export function weightInit(shape: readonly number[], gain = 1): Init {
  return normal(gain / Math.sqrt(fanIn(shape)));
}

/**
 * The weight-norm pair of a layer whose effective weight should be ~N(0, 1/fanIn): v ~ N(0, 1) (so ||v|| is large)
 * and g = U(0.5, 1.5) x sqrt(slab / fanIn), where a slab is what one gain scales (every dim but `dim`).
 */
export function weightNormPair(name: string, shape: readonly number[], dim: number, effectiveFanIn: number): TensorSpec[] {
  const gShape = shape.map((size, axis) => (axis === dim ? size : 1));
  const slab = numel(shape) / (shape[dim] ?? 1);
  const scale = Math.sqrt(slab / effectiveFanIn);
  return [
    { name: `${name}.weight_g`, shape: gShape, init: uniform(0.5 * scale, 1.5 * scale) },
    { name: `${name}.weight_v`, shape, init: normal(1) },
  ];
}

/**
 * The default fill for a tensor by its name and shape: 1-D `weight`/`gamma` are norm gains (~1), `bias`/`beta`
 * are small, embeddings are N(0, 1), anything else with two or more dims is a Linear/Conv weight.
 */
export function defaultInit(name: string, shape: readonly number[]): Init {
  if (/(embeddings?\.weight|_codebook\.embed(_avg)?)$/.test(name)) return normal(1);
  if (shape.length <= 1 && /\.(weight|gamma)$/.test(name)) return normal(0.05, 1);
  if (/\.(bias|beta)$/.test(name)) return normal(0.02);
  return weightInit(shape);
}

/** Fills one tensor deterministically from (seed, name). */
export function fillTensor(spec: TensorSpec, seed: number): Float32Array {
  const out = new Float32Array(numel(spec.shape));
  const init = spec.init;
  if (init.kind === 'constant') return out.fill(init.value);
  if (init.kind === 'values') {
    out.set(init.values.subarray(0, out.length));
    return out;
  }
  const prng = new Prng(deriveSeed(seed, spec.name));
  if (init.kind === 'normal') prng.fillNormal(out, init.mean, init.std);
  else prng.fillUniform(out, init.low, init.high);
  return out;
}
