/**
 * Seeded random T2S weights with the real key names and shapes, for tests on tiny configurations. Scales keep
 * activations in the range trained models show: unit-variance embeddings and attention scores, LayerNorm gains
 * around 1, logits spread over a few units so argmaxes are well separated.
 * @module
 */
import { MemoryTensorStore, float32ToFloat16, tensor } from '../../tensor/index.ts';
import { seededNormal } from '../../tensor/random.ts';
import type { T2sDims } from './config.ts';
import { T2S_WEIGHTS, t2sWeightShapes } from './weights.ts';

function scaleFor(name: string, shape: readonly number[]): { mean: number; std: number } {
  const fanIn = shape[1] ?? 1;
  if (name === T2S_WEIGHTS.textAlpha) return { mean: 1.7, std: 0.05 };
  if (name === T2S_WEIGHTS.audioAlpha) return { mean: 0.6, std: 0.05 };
  if (name.endsWith('embeddings.weight')) return { mean: 0, std: 1 };
  if (name === T2S_WEIGHTS.predict) return { mean: 0, std: 3 / Math.sqrt(fanIn) };
  if (/norm\d\.weight$/.test(name)) return { mean: 1, std: 0.2 };
  if (/norm\d\.bias$/.test(name) || name.endsWith('bias')) return { mean: 0, std: 0.1 };
  return { mean: 0, std: 1 / Math.sqrt(fanIn) };
}

/** Every tensor the T2S graphs read, drawn from a seeded normal; fp16 stores the rounded values, as checkpoints do. */
export function syntheticT2sWeights(dims: T2sDims, seed = 1, dtype: 'float32' | 'float16' = 'float32'): MemoryTensorStore {
  const normal = seededNormal(seed);
  const store = new MemoryTensorStore();
  for (const [name, shape] of t2sWeightShapes(dims)) {
    const { mean, std } = scaleFor(name, shape);
    const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => mean + std * normal());
    store.set(name, dtype === 'float16' ? tensor('float16', shape, float32ToFloat16(values)) : tensor('float32', shape, values));
  }
  return store;
}

/** Seeded integers in [0, limit) and standard-normal floats, for test inputs. */
export function syntheticInputs(seed: number): { ints(count: number, limit: number): number[]; floats(count: number): Float32Array } {
  const normal = seededNormal(seed);
  return {
    ints: (count, limit) => Array.from({ length: count }, () => Math.min(limit - 1, Math.floor(Math.abs(normal() * 1e6)) % limit)),
    floats: (count) => Float32Array.from({ length: count }, () => normal()),
  };
}
