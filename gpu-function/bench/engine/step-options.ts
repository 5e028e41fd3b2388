/**
 * What the decode-step scenarios (t2s-steps.ts, official-steps.ts) share: integer-list options and the median they
 * report (other work on a shared machine shows up as outliers, which a median ignores).
 * @module
 */

/** `--name 150,500,1000` → [150, 500, 1000]; every entry an integer ≥ `min`. */
export function integerList(text: string, name: string, min = 1): number[] {
  const list = text.split(',').map(Number);
  if (list.length === 0 || list.some((value) => !Number.isInteger(value) || value < min)) throw new Error(`--${name} takes integers ≥ ${String(min)}, got ${text}`);
  return list;
}

/** `--name 8`: exactly one integer ≥ `min`. */
export function singleInteger(text: string, name: string, min = 1): number {
  const [value, ...rest] = integerList(text, name, min);
  if (value === undefined || rest.length > 0) throw new Error(`--${name} takes one integer, got ${text}`);
  return value;
}

export function median(list: readonly number[]): number {
  const sorted = [...list].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] ?? Number.NaN) : ((sorted[middle - 1] ?? Number.NaN) + (sorted[middle] ?? Number.NaN)) / 2;
}
