/**
 * The T2S KV cache of every running sequence: per layer one K and one V buffer shaped `[slots, H, capacity, d]`.
 * Running sequences occupy slots 0..n-1 (see scheduler/kv-slots.ts), so a decode batch's past K/V are zero-copy
 * views of the buffers' first n slots.
 *
 * The capacity follows the longest cache in use, rounded up to `growStep`: attention reads `capacity` columns per
 * row, so an oversized pool costs time every step. Growing or shrinking copies each slot's valid columns once.
 * @module
 */
import { copyPrefillKv, writeDecodeKv, type PrefillRow } from '../../models/t2s/kv-copy.ts';
import { tensor, type HostTensor } from '../../tensor/tensor.ts';

export type KvDtype = 'float32' | 'float16';
type KvArray = Float32Array | Uint16Array;

export interface KvPoolShape {
  readonly layers: number;
  readonly heads: number;
  readonly headDim: number;
  readonly slots: number;
  readonly dtype: KvDtype;
  /** Capacity is a multiple of this. */
  readonly growStep: number;
  /** Largest capacity allowed (the scheduler's per-sequence bound). */
  readonly maxCapacity: number;
}

export class KvPool {
  readonly shape: KvPoolShape;
  /** Valid columns per slot. */
  readonly lengths: Int32Array;
  #capacity: number;
  #keys: KvArray[];
  #values: KvArray[];

  constructor(shape: KvPoolShape) {
    this.shape = shape;
    this.lengths = new Int32Array(shape.slots);
    this.#capacity = shape.growStep;
    this.#keys = this.#allocate(this.#capacity);
    this.#values = this.#allocate(this.#capacity);
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Bytes held by the pool. */
  get bytes(): number {
    return this.#keys.reduce((sum, array) => sum + array.byteLength, 0) * 2;
  }

  /**
   * Makes room for `columns` entries in a slot, never less than every slot's current length; shrinks when the pool
   * is at least twice what is needed.
   */
  fit(columns: number): void {
    const needed = Math.max(columns, ...this.lengths);
    if (needed > this.shape.maxCapacity) throw new RangeError(`a KV cache of ${String(needed)} entries exceeds the pool limit ${String(this.shape.maxCapacity)}`);
    const wanted = Math.max(this.shape.growStep, Math.ceil(needed / this.shape.growStep) * this.shape.growStep);
    if (wanted > this.#capacity || wanted * 2 <= this.#capacity) this.#resize(wanted);
  }

  /** Past K and V tensors of slots `first .. first + rows - 1`, per layer, sharing the pool's memory. */
  views(rows: number, first = 0): { readonly keys: HostTensor[]; readonly values: HostTensor[] } {
    const shape = [rows, this.shape.heads, this.#capacity, this.shape.headDim];
    const slotSize = this.shape.heads * this.#capacity * this.shape.headDim;
    const [start, end] = [first * slotSize, (first + rows) * slotSize];
    const view = (array: KvArray): HostTensor =>
      this.shape.dtype === 'float16' ? tensor('float16', shape, (array as Uint16Array).subarray(start, end)) : tensor('float32', shape, (array as Float32Array).subarray(start, end));
    return { keys: this.#keys.map(view), values: this.#values.map(view) };
  }

  /** Copies a prefill row's valid K/V (`[B, H, Tx + Tp, d]` per layer) into `slot`. */
  writePrefill(presentKeys: readonly HostTensor[], presentValues: readonly HostTensor[], textSlots: number, row: PrefillRow, slot: number): void {
    this.fit(row.textLength + row.promptLength + 1);
    const pool = this.#tensors();
    for (let layer = 0; layer < this.shape.layers; layer += 1) {
      copyPrefillKv(presentKeys[layer] as HostTensor, textSlots, row, pool.keys[layer] as HostTensor, slot);
      this.lengths[slot] = copyPrefillKv(presentValues[layer] as HostTensor, textSlots, row, pool.values[layer] as HostTensor, slot);
    }
  }

  /**
   * Appends one decode step's new K/V (`[B, H, 1, d]` per layer) to the pool: batch row i goes to `slots[i]`. The
   * pool's tensors are viewed once per step, not once per row.
   */
  append(newKeys: readonly HostTensor[], newValues: readonly HostTensor[], slots: readonly number[]): void {
    const pool = this.#tensors();
    for (let layer = 0; layer < this.shape.layers; layer += 1) {
      const [keys, values] = [newKeys[layer] as HostTensor, newValues[layer] as HostTensor];
      const [poolKeys, poolValues] = [pool.keys[layer] as HostTensor, pool.values[layer] as HostTensor];
      slots.forEach((slot, row) => {
        const column = this.lengths[slot] ?? 0;
        writeDecodeKv(keys, row, poolKeys, slot, column);
        writeDecodeKv(values, row, poolValues, slot, column);
      });
    }
    for (const slot of slots) this.lengths[slot] = (this.lengths[slot] ?? 0) + 1;
  }

  /** Moves `from`'s cache into `to` (keeping slots contiguous after a sequence leaves). */
  move(from: number, to: number): void {
    const { heads, headDim } = this.shape;
    const valid = (this.lengths[from] ?? 0) * headDim;
    for (const array of [...this.#keys, ...this.#values]) {
      for (let h = 0; h < heads; h += 1) {
        const source = (from * heads + h) * this.#capacity * headDim;
        array.copyWithin((to * heads + h) * this.#capacity * headDim, source, source + valid);
      }
    }
    this.lengths[to] = this.lengths[from] ?? 0;
    this.lengths[from] = 0;
  }

  release(slot: number): void {
    this.lengths[slot] = 0;
  }

  /**
   * Copies of `slots`' first `columns` columns, per layer `[slots.length, H, columns, d]`: the rows the resident route
   * uploads when sequences join a device pool. `columns` must cover their valid entries.
   */
  rows(slots: readonly number[], columns: number): { readonly keys: HostTensor[]; readonly values: HostTensor[] } {
    const { heads, headDim } = this.shape;
    const shape = [slots.length, heads, columns, headDim];
    const copy = (array: KvArray): HostTensor => {
      const target = this.shape.dtype === 'float16' ? new Uint16Array(slots.length * heads * columns * headDim) : new Float32Array(slots.length * heads * columns * headDim);
      slots.forEach((slot, row) => {
        const valid = Math.min(this.lengths[slot] ?? 0, columns) * headDim;
        for (let h = 0; h < heads; h += 1) {
          const from = (slot * heads + h) * this.#capacity * headDim;
          target.set(array.subarray(from, from + valid), (row * heads + h) * columns * headDim);
        }
      });
      return target instanceof Uint16Array ? tensor('float16', shape, target) : tensor('float32', shape, target);
    };
    return { keys: this.#keys.map(copy), values: this.#values.map(copy) };
  }

  #tensors(): { keys: HostTensor[]; values: HostTensor[] } {
    return this.views(this.shape.slots);
  }

  #allocate(capacity: number): KvArray[] {
    const size = this.shape.slots * this.shape.heads * capacity * this.shape.headDim;
    return Array.from({ length: this.shape.layers }, () => (this.shape.dtype === 'float16' ? new Uint16Array(size) : new Float32Array(size)));
  }

  #resize(capacity: number): void {
    const { heads, headDim, slots } = this.shape;
    const copy = (old: KvArray[]): KvArray[] => {
      const fresh = this.#allocate(capacity);
      old.forEach((array, layer) => {
        const target = fresh[layer] as KvArray;
        for (let slot = 0; slot < slots; slot += 1) {
          const valid = Math.min(this.lengths[slot] ?? 0, capacity) * headDim;
          for (let h = 0; h < heads; h += 1) {
            const from = (slot * heads + h) * this.#capacity * headDim;
            target.set(array.subarray(from, from + valid), (slot * heads + h) * capacity * headDim);
          }
        }
      });
      return fresh;
    };
    this.#keys = copy(this.#keys);
    this.#values = copy(this.#values);
    this.#capacity = capacity;
  }
}
