/**
 * Host-side KV bookkeeping between the two T2S graphs: moving a prefill row's valid K/V columns into a KV-pool slot.
 * Pure array work on `HostTensor`s, so the engine can use it without the graph builders.
 * @module
 */
import { formatShape, type HostTensor } from '../../tensor/index.ts';

export interface PrefillRow {
  /** Row of the prefill batch. */
  readonly row: number;
  /** Valid text length X_b. */
  readonly textLength: number;
  /** Valid prompt length P_b. */
  readonly promptLength: number;
}

/**
 * Copies columns `[0, X_b)` and `[Tx, Tx + P_b)` of one layer's prefill K or V (`[B, H, Tx + Tp, d]`) to columns
 * `[0, X_b + P_b)` of `slot` in the pool tensor (`[slots, H, capacity, d]`, same dtype). Returns the slot's new
 * length, the `seqlens_k` value for its first decode step.
 */
export function copyPrefillKv(present: HostTensor, textSlots: number, source: PrefillRow, pool: HostTensor, slot: number): number {
  const [batch = 0, heads = 0, length = 0, width = 0] = present.shape;
  const [slots = 0, poolHeads = 0, capacity = 0, poolWidth = 0] = pool.shape;
  const filled = source.textLength + source.promptLength;
  if (present.dtype !== pool.dtype) throw new TypeError(`prefill K/V is ${present.dtype} but the KV pool is ${pool.dtype}`);
  if (heads !== poolHeads || width !== poolWidth) throw new RangeError(`prefill K/V ${formatShape(present.shape)} does not fit the KV pool ${formatShape(pool.shape)}`);
  if (source.row < 0 || source.row >= batch || slot < 0 || slot >= slots) throw new RangeError(`prefill row ${source.row} or pool slot ${slot} out of range`);
  if (source.textLength > textSlots || textSlots + source.promptLength > length) throw new RangeError(`lengths X=${source.textLength} P=${source.promptLength} exceed the prefill layout (${textSlots} text slots, ${length} total)`);
  if (filled >= capacity) throw new RangeError(`a cache of ${filled} entries leaves no room in a KV pool of capacity ${capacity}`);
  const input = kvData(present);
  const output = kvData(pool);
  for (let h = 0; h < heads; h += 1) {
    const from = (source.row * heads + h) * length * width;
    const to = (slot * heads + h) * capacity * width;
    output.set(input.subarray(from, from + source.textLength * width), to);
    const promptFrom = from + textSlots * width;
    output.set(input.subarray(promptFrom, promptFrom + source.promptLength * width), to + source.textLength * width);
  }
  return filled;
}

function kvData(value: HostTensor): Float32Array | Uint16Array {
  if (value.dtype === 'float32') return value.data as Float32Array;
  if (value.dtype === 'float16') return value.data as Uint16Array;
  throw new TypeError(`K/V tensors are float32 or float16, got ${value.dtype}`);
}

/**
 * Writes row `row` of a decode step's new K or V (`[B, H, 1, d]`) into column `column` of `slot` in the pool
 * (`[slots, H, capacity, d]`). This one column per layer is all a decode step writes.
 */
export function writeDecodeKv(step: HostTensor, row: number, pool: HostTensor, slot: number, column: number): void {
  const [batch = 0, heads = 0, one = 0, width = 0] = step.shape;
  const [slots = 0, poolHeads = 0, capacity = 0, poolWidth = 0] = pool.shape;
  if (step.dtype !== pool.dtype) throw new TypeError(`decode K/V is ${step.dtype} but the KV pool is ${pool.dtype}`);
  if (one !== 1 || heads !== poolHeads || width !== poolWidth) throw new RangeError(`decode K/V ${formatShape(step.shape)} does not fit the KV pool ${formatShape(pool.shape)}`);
  if (row < 0 || row >= batch || slot < 0 || slot >= slots || column < 0 || column >= capacity) {
    throw new RangeError(`decode row ${row}, pool slot ${slot} or column ${column} out of range`);
  }
  const input = kvData(step);
  const output = kvData(pool);
  // An element loop: a decode step writes rows × layers × 2 × heads runs of only `width` (32) values, where
  // subarray() + set() would allocate a view per run and cost more than the copy.
  for (let h = 0; h < heads; h += 1) {
    const from = (row * heads + h) * width;
    const to = ((slot * heads + h) * capacity + column) * width;
    for (let i = 0; i < width; i += 1) output[to + i] = input[from + i] as number;
  }
}
