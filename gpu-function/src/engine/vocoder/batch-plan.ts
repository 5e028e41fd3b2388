/**
 * Groups vocoder items into graph calls by length bucket. Every item of a call is padded to the call's longest, so
 * the plan keeps longest / shortest ≤ `maxLengthRatio` (padding waste is then at most `maxLengthRatio - 1` of the
 * useful work), and caps the items and the padded frames of one call (activation memory grows with both).
 * @module
 */
import type { ExecutionProvider } from '../../runtime/config.ts';

export interface BatchLimits {
  /** Most items in one graph call. */
  readonly maxItems: number;
  /** Most padded latent frames in one call (items × longest item); an item longer than this runs alone. */
  readonly maxFrames: number;
  /** Longest / shortest frame count allowed within one call (≥ 1). */
  readonly maxLengthRatio: number;
}

/** 8192 frames ≈ 164 s of 32 kHz audio per call. GPU providers' limits (see {@link vocoderBatchLimits}). */
export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxItems: 16, maxFrames: 8192, maxLengthRatio: 1.5 };

/**
 * CPU: one item per call. Measured with bench/engine/vocoder-batch.ts on the 2-core AVX2 VM (fp32, full-size v2
 * bundle, batch sizes interleaved in two passes so the VM's drift hits each alike; ms per item, median of 3 per pass):
 * 40-token items 550 / 565 at batch 1, 540 / 600 at 4, 560 / 569 at 8; 100-token items 1630 / 1379 at 1, 1430 / 1524
 * at 4 (means 557 / 570 / 564 and 1505 / 1477: the passes disagree in sign, the means differ by under 3 %). An
 * earlier run, not interleaved and on a busier VM, had batch 4 18 % cheaper per item (2421 / 2382 / 1991 / 2154 ms at
 * 1 / 2 / 4 / 8); the interleaved passes did not reproduce it. So batching is no measurably cheaper per item here (the
 * decoder is compute-bound convolution on 2 cores), while a call of B items holds the engine's one thread B times as
 * long: the tie goes to the shortest call (finer slices between decode steps; a request arriving while nothing
 * decodes waits for one item at most).
 */
export const CPU_BATCH_LIMITS: BatchLimits = { ...DEFAULT_BATCH_LIMITS, maxItems: 1 };

/**
 * The vocoder's batch limits for an execution provider, chosen in this one place. CPU: one item per call, batching
 * measured no cheaper per item ({@link CPU_BATCH_LIMITS}). GPU providers keep batches of up to 16: a GPU needs many
 * rows to fill its cores, but this is not measured yet (no GPU was at hand).
 */
export function vocoderBatchLimits(provider: ExecutionProvider): BatchLimits {
  return provider === 'cpu' ? CPU_BATCH_LIMITS : DEFAULT_BATCH_LIMITS;
}

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
