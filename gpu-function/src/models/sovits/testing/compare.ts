/**
 * Error measures the SoVITS tests report: relative error is `max|actual - expected| / max|expected|` over a tensor
 * (the scale of the whole tensor, so near-zero entries do not blow it up); SNR is `10 log10(sum e^2 / sum (a-e)^2)`.
 * @module
 */

export function maxAbsDiff(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new RangeError(`lengths differ: ${actual.length} vs ${expected.length}`);
  let max = 0;
  for (let i = 0; i < expected.length; i += 1) max = Math.max(max, Math.abs((actual[i] ?? 0) - (expected[i] ?? 0)));
  return max;
}

export function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < expected.length; i += 1) scale = Math.max(scale, Math.abs(expected[i] ?? 0));
  return maxAbsDiff(actual, expected) / (scale === 0 ? 1 : scale);
}

export function snrDb(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  if (actual.length !== expected.length) throw new RangeError(`lengths differ: ${actual.length} vs ${expected.length}`);
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < expected.length; i += 1) {
    signal += (expected[i] ?? 0) ** 2;
    noise += ((actual[i] ?? 0) - (expected[i] ?? 0)) ** 2;
  }
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}

/** Columns `[start, end)` of a row-major `[C, width]` array, as `[C, end - start]`. */
export function columns(data: ArrayLike<number>, channels: number, width: number, start: number, end: number): Float64Array {
  const out = new Float64Array(channels * (end - start));
  for (let c = 0; c < channels; c += 1) for (let t = start; t < end; t += 1) out[c * (end - start) + t - start] = data[c * width + t] ?? 0;
  return out;
}
