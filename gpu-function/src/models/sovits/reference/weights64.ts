/**
 * Checkpoint tensors as float64 for the reference forward, loaded once up front (the reference is synchronous).
 * @module
 */
import { toFloat64 } from '../../../tensor/convert.ts';
import type { HostTensor } from '../../../tensor/tensor.ts';
import { mat, type Mat } from './array64.ts';

export interface Tensor64 {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export class Weights64 {
  readonly #tensors: ReadonlyMap<string, Tensor64>;

  constructor(tensors: ReadonlyMap<string, Tensor64>) {
    this.#tensors = tensors;
  }

  static async load(source: { names(): readonly string[]; read(name: string): Promise<HostTensor> }): Promise<Weights64> {
    const tensors = new Map<string, Tensor64>();
    for (const name of source.names()) {
      const value = await source.read(name);
      if (value.dtype === 'int64' || value.dtype === 'bool') continue;
      const wide = toFloat64(value);
      tensors.set(name, { shape: wide.shape, data: wide.data });
    }
    return new Weights64(tensors);
  }

  has(name: string): boolean {
    return this.#tensors.has(name);
  }

  get(name: string): Tensor64 {
    const value = this.#tensors.get(name);
    if (value === undefined) throw new Error(`reference: no tensor ${name}`);
    return value;
  }

  /** A rank-2 tensor, or a rank-3 `[out, in, 1]` kernel, as a matrix. */
  matrix(name: string): Mat {
    const t = this.get(name);
    return mat(t.shape[0] ?? 0, t.data.length / (t.shape[0] ?? 1), t.data);
  }

  vector(name: string): Float64Array {
    return this.get(name).data;
  }
}
