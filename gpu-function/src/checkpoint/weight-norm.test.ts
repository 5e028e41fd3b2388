import { describe, expect, it } from 'vitest';
import { tensor } from '../tensor/index.ts';
import { CheckpointError } from './errors.ts';
import { LazyTensorStore, type LazyTensor } from './tensor-store.ts';
import { foldWeightNorm, foldWeightNormStore } from './weight-norm.ts';

const f32 = (shape: number[], values: number[]) => tensor('float32', shape, Float32Array.from(values));

function storeOf(entries: Record<string, ReturnType<typeof f32>>): LazyTensorStore {
  const map = new Map<string, LazyTensor>(Object.entries(entries).map(([name, t]) => [name, { info: { dtype: t.dtype, shape: t.shape }, load: () => Promise.resolve(t) }]));
  return new LazyTensorStore('model.pth', map, () => Promise.resolve());
}

describe('weight norm folding', () => {
  it('computes w = g * v / ||v|| over every dim but 0 (hand-computed)', () => {
    // v rows: [3, 4 | 0, 0] has norm 5, [1, 2 | 2, 4] has norm 5; g = 10 and -1.
    const v = f32([2, 2, 2], [3, 4, 0, 0, 1, 2, 2, 4]);
    const g = f32([2, 1, 1], [10, -1]);
    const w = foldWeightNorm(g, v, 0);
    expect(w.dtype).toBe('float32');
    expect(w.shape).toEqual([2, 2, 2]);
    expect(Array.from(w.data)).toEqual([6, 8, 0, 0, -0.2, -0.4, -0.4, -0.8].map(Math.fround));
  });

  it('normalizes per kernel tap for dim 2 (HuBERT positional conv)', () => {
    // taps: column 0 = [3, 4] (norm 5), column 1 = [0, 2] (norm 2); g = [1, 3].
    const v = f32([2, 1, 2], [3, 0, 4, 2]);
    const g = f32([1, 1, 2], [1, 3]);
    expect(Array.from(foldWeightNorm(g, v, 2).data)).toEqual([0.6, 0, 0.8, 3].map(Math.fround));
  });

  it('refuses a gain of the wrong shape', () => {
    expect(() => foldWeightNorm(f32([2], [1, 1]), f32([2, 2, 1], [1, 2, 3, 4]), 0)).toThrow('weight_g has shape [2], expected [2, 1, 1]');
  });

  it('exposes each pair as one float32 weight in place of weight_g and names unpaired tensors', async () => {
    const store = foldWeightNormStore(storeOf({
      'conv.bias': f32([1], [0.5]),
      'conv.weight_g': f32([1, 1, 1], [2]),
      'conv.weight_v': f32([1, 1, 2], [3, 4]),
      'other.weight': f32([1], [7]),
    }), () => 0);
    expect(store.names()).toEqual(['conv.bias', 'conv.weight', 'other.weight']);
    expect(store.info('conv.weight')).toEqual({ dtype: 'float32', shape: [1, 1, 2] });
    expect(Array.from((await store.read('conv.weight')).data as Float32Array)).toEqual([1.2, 1.6].map(Math.fround));
    expect(() => foldWeightNormStore(storeOf({ 'a.weight_v': f32([1, 1, 1], [1]) }), () => 0)).toThrow(new CheckpointError('model.pth', 'has no matching weight_g', { tensor: 'a.weight_v' }));
    expect(() => foldWeightNormStore(storeOf({ 'a.weight_g': f32([1, 1, 1], [1]) }), () => 0)).toThrow("model.pth: tensor 'a.weight_g': has no matching weight_v");
    expect(() => foldWeightNormStore(storeOf({ 'a.weight_g': f32([2, 1, 1], [1, 1]), 'a.weight_v': f32([3, 1, 1], [1, 1, 1]) }), () => 0)).toThrow("model.pth: tensor 'a.weight_g': has shape [2, 1, 1], expected [3, 1, 1]");
  });
});
