import { describe, expect, it } from 'vitest';
import { tensor, type HostTensor } from '../../tensor/index.ts';
import { KvPool } from './kv-pool.ts';

const SHAPE = { layers: 2, heads: 2, headDim: 3, slots: 3, dtype: 'float32', growStep: 4, maxCapacity: 16 } as const;

/** The value every test writes at (layer, K or V, slot, head, column, channel): unique, so misplacement shows. */
const stamp = (layer: number, kind: number, slot: number, head: number, column: number, channel: number): number =>
  layer * 100_000 + kind * 10_000 + slot * 1000 + head * 100 + column * 10 + channel;

/** One decode step's new K and V for `slots` (batch row i → slots[i]), each at the column the slot is at now. */
function appendStep(pool: KvPool, slots: readonly number[]): void {
  const step = (layer: number, kind: number): HostTensor => {
    const data = new Float32Array(slots.length * SHAPE.heads * SHAPE.headDim);
    slots.forEach((slot, row) => {
      for (let h = 0; h < SHAPE.heads; h += 1) {
        for (let c = 0; c < SHAPE.headDim; c += 1) data[(row * SHAPE.heads + h) * SHAPE.headDim + c] = stamp(layer, kind, slot, h, pool.lengths[slot] ?? 0, c);
      }
    });
    return tensor('float32', [slots.length, SHAPE.heads, 1, SHAPE.headDim], data);
  };
  pool.fit(Math.max(...slots.map((slot) => (pool.lengths[slot] ?? 0) + 1)));
  pool.append(
    Array.from({ length: SHAPE.layers }, (_, layer) => step(layer, 0)),
    Array.from({ length: SHAPE.layers }, (_, layer) => step(layer, 1)),
    slots,
  );
}

/** Every valid entry of every slot, read through the views attention gets, is the value written for it. */
function expectIntact(pool: KvPool): void {
  const { keys, values } = pool.views(SHAPE.slots);
  for (let layer = 0; layer < SHAPE.layers; layer += 1) {
    for (const [kind, view] of [keys[layer], values[layer]].entries()) {
      expect(view?.shape).toEqual([SHAPE.slots, SHAPE.heads, pool.capacity, SHAPE.headDim]);
      const data = view?.data as Float32Array;
      for (let slot = 0; slot < SHAPE.slots; slot += 1) {
        for (let h = 0; h < SHAPE.heads; h += 1) {
          for (let column = 0; column < (pool.lengths[slot] ?? 0); column += 1) {
            for (let c = 0; c < SHAPE.headDim; c += 1) {
              const at = ((slot * SHAPE.heads + h) * pool.capacity + column) * SHAPE.headDim + c;
              expect(data[at], `layer ${layer} kind ${kind} slot ${slot} head ${h} column ${column}`).toBe(stamp(layer, kind, slot, h, column, c));
            }
          }
        }
      }
    }
  }
}

describe('KV pool', () => {
  it('keeps every slot’s cache intact as its capacity grows and shrinks in place', () => {
    const pool = new KvPool(SHAPE);
    expect(pool.capacity).toBe(4);
    for (let step = 0; step < 3; step += 1) appendStep(pool, [0, 1, 2]);
    for (let step = 0; step < 7; step += 1) appendStep(pool, [0, 1]);
    expect([...pool.lengths]).toEqual([10, 10, 3]);
    expect(pool.capacity).toBe(12);
    expectIntact(pool);
    for (let step = 0; step < 5; step += 1) appendStep(pool, [0]);
    expect(pool.capacity).toBe(16);
    expectIntact(pool);
    // Slot 0 leaves; the last running one moves into its place, and the pool is now twice too large.
    pool.release(0);
    pool.move(2, 0);
    pool.release(1);
    pool.fit(1);
    expect(pool.capacity).toBe(4);
    expect([...pool.lengths]).toEqual([3, 0, 0]);
    const key = pool.views(1).keys[1]?.data as Float32Array;
    expect(Array.from(key.subarray(0, 3 * SHAPE.headDim))).toEqual([0, 1, 2].flatMap((column) => [0, 1, 2].map((c) => stamp(1, 0, 2, 0, column, c))));
    expect(pool.bytes).toBe(SHAPE.layers * 2 * SHAPE.slots * SHAPE.heads * 4 * SHAPE.headDim * 4);
  });

  it('refuses a cache longer than its limit', () => {
    const pool = new KvPool(SHAPE);
    expect(() => {
      pool.fit(17);
    }).toThrow(/exceeds the pool limit 16/u);
  });
});
