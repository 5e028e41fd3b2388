/**
 * Builds a double-array trie in the layout {@link DoubleArray} (and MeCab's Darts) reads: for each trie node a base
 * `b` no other node uses, its children at `b + byte + 1` and its end-of-key at `b`, each with check `b`; a key's
 * value is stored as `-value - 1` in its end-of-key unit. The root is unit 0 and its children start at base 1.
 * Placement is Darts 0.32's (MeCab's darts.h `insert`), search heuristic included, so the same keys give the same
 * units as `mecab-dict-index` writes: each node's search starts at the first free unit the previous search met (or
 * past its first child's code), and jumps there when the units it skipped were at least 95% taken.
 * @module
 */

/** Darts leaves this many spare units after the last used one, so a lookup never reads past the array. */
const TAIL_UNITS = 257;

export interface TrieEntry {
  readonly key: Uint8Array;
  /** 0 ≤ value < 2^31 - 1. */
  readonly value: number;
}

/** Byte-wise order with a prefix before its extensions (MeCab's `std::string` order). */
export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const diff = (a[i] ?? 0) - (b[i] ?? 0);
    if (diff !== 0) return diff;
  }
  return a.length - b.length;
}

/** The units (`[base0, check0, base1, check1, ...]`) of a trie holding `entries`, whose keys must be distinct. */
export function buildDoubleArray(entries: readonly TrieEntry[]): Int32Array {
  const sorted = [...entries].sort((a, b) => compareBytes(a.key, b.key));
  sorted.forEach((entry, index) => {
    if (!Number.isInteger(entry.value) || entry.value < 0 || entry.value >= 0x7fffffff) throw new Error(`trie value ${entry.value} is out of range`);
    if (entry.key.length === 0) throw new Error('a trie key is empty');
    const previous = sorted[index - 1];
    if (previous !== undefined && compareBytes(previous.key, entry.key) === 0) throw new Error('the trie keys are not distinct');
  });
  const base: number[] = [0];
  const check: number[] = [0];
  // Flags per unit, grown as placement reaches further: whether the unit is taken, and whether it is a base.
  let occupied = new Uint8Array(1024);
  let usedBases = new Uint8Array(1024);
  occupied[0] = 1;
  const reach = (unit: number): void => {
    if (unit < occupied.length) return;
    const grown = (array: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> => {
      const bigger = new Uint8Array(Math.max(2 * array.length, unit + 257));
      bigger.set(array);
      return bigger;
    };
    occupied = grown(occupied);
    usedBases = grown(usedBases);
  };
  let nextCheckPos = 0;
  let size = 1;

  /** Child codes of the node shared by `sorted[lo..hi)` at `depth`, with each child's key range. */
  const children = (lo: number, hi: number, depth: number): { code: number; lo: number; hi: number }[] => {
    const out: { code: number; lo: number; hi: number }[] = [];
    for (let i = lo; i < hi; i++) {
      const key = sorted[i]?.key ?? new Uint8Array();
      const code = key.length === depth ? 0 : (key[depth] ?? 0) + 1;
      const last = out.at(-1);
      if (last?.code === code) last.hi = i + 1;
      else out.push({ code, lo: i, hi: i + 1 });
    }
    return out;
  };

  const place = (lo: number, hi: number, depth: number): number => {
    const kids = children(lo, hi, depth);
    const firstCode = kids[0]?.code ?? 0;
    let pos = Math.max(firstCode + 1, nextCheckPos) - 1;
    let taken = 0;
    let metFree = false;
    let b: number;
    const lastCode = kids.at(-1)?.code ?? 0;
    search: for (;;) {
      ++pos;
      reach(pos + lastCode);
      if (occupied[pos] === 1) {
        ++taken;
        continue;
      }
      if (!metFree) {
        nextCheckPos = pos;
        metFree = true;
      }
      b = pos - firstCode;
      if (usedBases[b] === 1) continue;
      for (let i = 1; i < kids.length; i++) if (occupied[b + (kids[i]?.code ?? 0)] === 1) continue search;
      break;
    }
    if (taken / (pos - nextCheckPos + 1) >= 0.95) nextCheckPos = pos;
    usedBases[b] = 1;
    for (const { code } of kids) {
      occupied[b + code] = 1;
      check[b + code] = b;
      base[b + code] = 0;
      size = Math.max(size, b + code + 1);
    }
    for (const kid of kids) {
      base[b + kid.code] = kid.code === 0 ? -(sorted[kid.lo]?.value ?? 0) - 1 : place(kid.lo, kid.hi, depth + 1);
    }
    return b;
  };

  base[0] = sorted.length === 0 ? 1 : place(0, sorted.length, 0);
  const units = new Int32Array(2 * (size + TAIL_UNITS));
  for (let i = 0; i < size; i++) {
    units[2 * i] = base[i] ?? 0;
    units[2 * i + 1] = check[i] ?? 0;
  }
  return units;
}
