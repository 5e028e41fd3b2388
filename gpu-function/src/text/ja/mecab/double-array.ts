/**
 * The double-array trie MeCab 0.996 stores its dictionaries' keys in (Darts 0.31 as `dictionary.cpp` builds it):
 * 8-byte units of a signed 32-bit `base` and an unsigned 32-bit `check`, keys are UTF-8 bytes, byte `c` moves from
 * a node with base `b` to unit `b + c + 1` when that unit's check is `b`, and a key ends at unit `b` (code 0) whose
 * base is `-value - 1`.
 * @module
 */

/** A match: the key's value and its length in bytes. */
export interface TrieMatch {
  readonly value: number;
  readonly length: number;
}

export class DoubleArray {
  /** `units[2i]` is unit i's base, `units[2i + 1]` its check (compared as the same 32 bits, as Darts does). */
  readonly #units: Int32Array;

  constructor(units: Int32Array) {
    this.#units = units;
  }

  /** Number of units. */
  get size(): number {
    return this.#units.length >>> 1;
  }

  /**
   * Every key that is a prefix of `key[start..end)`, shortest first, as Darts' `commonPrefixSearch` returns them.
   * Units outside the array read as no match (where a damaged file would make MeCab read out of bounds).
   */
  commonPrefixSearch(key: Uint8Array, start: number, end: number): TrieMatch[] {
    const units = this.#units;
    const found: TrieMatch[] = [];
    let b = units[0] ?? 0;
    for (let i = start; i < end; i++) {
      const leaf = units[2 * b] ?? 0;
      if (units[2 * b + 1] === b && leaf < 0) found.push({ value: -leaf - 1, length: i - start });
      const p = b + (key[i] ?? 0) + 1;
      if (units[2 * p + 1] !== b) return found;
      b = units[2 * p] ?? 0;
    }
    const leaf = units[2 * b] ?? 0;
    if (units[2 * b + 1] === b && leaf < 0) found.push({ value: -leaf - 1, length: end - start });
    return found;
  }

  /** The value of exactly `key`, or -1. */
  exactMatchSearch(key: Uint8Array): number {
    const units = this.#units;
    let b = units[0] ?? 0;
    for (const byte of key) {
      const p = b + byte + 1;
      if (units[2 * p + 1] !== b) return -1;
      b = units[2 * p] ?? 0;
    }
    const leaf = units[2 * b] ?? 0;
    return units[2 * b + 1] === b && leaf < 0 ? -leaf - 1 : -1;
  }
}
