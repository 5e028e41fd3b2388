/**
 * Raised-cosine cross-fade: the fade-in and fade-out gains sum to 1 at every sample (the two signals are two decodes
 * of the same frames, so they are correlated and a constant-amplitude fade is the one that keeps the level).
 * @module
 */

/** Writes `from·(1 - w) + to·w` into `out[0..length)`, w rising from ~0 to ~1 (half-sample offset keeps it symmetric). */
export function crossfadeInto(out: Float32Array, from: Float32Array, to: Float32Array, length: number): void {
  if (from.length < length || to.length < length || out.length < length) throw new RangeError(`cross-fade of ${length} samples needs inputs that long`);
  for (let i = 0; i < length; i += 1) {
    const rise = 0.5 - 0.5 * Math.cos((Math.PI * (i + 0.5)) / length);
    out[i] = (from[i] ?? 0) * (1 - rise) + (to[i] ?? 0) * rise;
  }
}
