/**
 * Slot bookkeeping for the KV pool: the running sequences always occupy slots 0..n-1, so a decode batch is the
 * contiguous prefix of the pool (no gather, no copy). When a sequence leaves, the sequence in the last slot moves
 * into the hole; the caller copies that one cache, once — cheaper than any single decode step of it, which reads
 * its whole cache anyway.
 * @module
 */

export interface SlotMove {
  readonly from: number;
  readonly to: number;
}

export class KvSlots<T> {
  readonly capacity: number;
  readonly #occupants: T[] = [];

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('KV pool needs at least one slot');
    this.capacity = capacity;
  }

  get size(): number {
    return this.#occupants.length;
  }

  get free(): number {
    return this.capacity - this.#occupants.length;
  }

  /** Occupants in slot order. */
  get occupants(): readonly T[] {
    return this.#occupants;
  }

  /** Takes the next slot; `undefined` when full. */
  acquire(occupant: T): number | undefined {
    if (this.#occupants.length >= this.capacity) return undefined;
    this.#occupants.push(occupant);
    return this.#occupants.length - 1;
  }

  /** Frees `slot`; returns the move that keeps slots contiguous, if one is needed. */
  release(slot: number): SlotMove | undefined {
    const last = this.#occupants.length - 1;
    if (slot < 0 || slot > last) throw new RangeError(`slot ${String(slot)} is not occupied`);
    const moved = this.#occupants.pop() as T;
    if (slot === last) return undefined;
    this.#occupants[slot] = moved;
    return { from: last, to: slot };
  }
}
