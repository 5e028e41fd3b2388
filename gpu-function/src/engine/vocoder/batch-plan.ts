/**
 * Groups vocoder items into graph calls by length bucket. Every item of a call is padded to the call's longest, so
 * the plan keeps longest / shortest ≤ `maxLengthRatio` (padding waste is then at most `maxLengthRatio - 1` of the
 * useful work), and caps the items and the padded frames of one call (activation memory grows with both).
 * @module
 */

export interface BatchLimits {
  /** Most items in one graph call. */
  readonly maxItems: number;
  /** Most padded latent frames in one call (items × longest item); an item longer than this runs alone. */
  readonly maxFrames: number;
  /** Longest / shortest frame count allowed within one call (≥ 1). */
  readonly maxLengthRatio: number;
}

/** 8192 frames ≈ 164 s of 32 kHz audio per call. */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxItems: 16, maxFrames: 8192, maxLengthRatio: 1.5 };

export function checkBatchLimits(limits: BatchLimits): void {
  if (!Number.isInteger(limits.maxItems) || limits.maxItems < 1) throw new RangeError(`maxItems must be a positive integer, got ${limits.maxItems}`);
  if (!Number.isInteger(limits.maxFrames) || limits.maxFrames < 1) throw new RangeError(`maxFrames must be a positive integer, got ${limits.maxFrames}`);
  if (!(limits.maxLengthRatio >= 1)) throw new RangeError(`maxLengthRatio must be at least 1, got ${limits.maxLengthRatio}`);
}

/**
 * Splits item indices into calls: items sorted by length (ties in input order), then cut greedily whenever the next
 * item would break a limit. Returns groups of indices into `frameCounts`, shortest group first.
 */
export function planBatches(frameCounts: readonly number[], limits: BatchLimits = DEFAULT_BATCH_LIMITS): number[][] {
  checkBatchLimits(limits);
  const order = frameCounts.map((_, index) => index).sort((a, b) => (frameCounts[a] ?? 0) - (frameCounts[b] ?? 0) || a - b);
  const groups: number[][] = [];
  let group: number[] = [];
  let shortest = 0;
  for (const index of order) {
    const frames = frameCounts[index] ?? 0;
    const fits =
      group.length > 0 &&
      group.length < limits.maxItems &&
      frames <= shortest * limits.maxLengthRatio &&
      (group.length + 1) * frames <= limits.maxFrames;
    if (!fits) {
      if (group.length > 0) groups.push(group);
      group = [];
      shortest = frames;
    }
    group.push(index);
  }
  if (group.length > 0) groups.push(group);
  return groups;
}
