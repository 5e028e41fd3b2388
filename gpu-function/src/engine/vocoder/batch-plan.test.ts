import { describe, expect, it } from 'vitest';
import { planBatches, type BatchLimits } from './batch-plan.ts';

function check(frames: readonly number[], limits: BatchLimits): number[][] {
  const groups = planBatches(frames, limits);
  expect(groups.flat().sort((a, b) => a - b), 'every item exactly once').toEqual(frames.map((_, i) => i));
  for (const group of groups) {
    const lengths = group.map((i) => frames[i] ?? 0);
    const longest = Math.max(...lengths);
    expect(group.length).toBeLessThanOrEqual(limits.maxItems);
    if (group.length > 1) {
      expect(longest / Math.min(...lengths)).toBeLessThanOrEqual(limits.maxLengthRatio);
      expect(group.length * longest).toBeLessThanOrEqual(limits.maxFrames);
    }
  }
  return groups;
}

describe('vocoder length buckets', () => {
  it('groups similar lengths and separates far ones', () => {
    const frames = [100, 400, 110, 420, 130, 1000];
    expect(check(frames, { maxItems: 8, maxFrames: 10_000, maxLengthRatio: 1.5 })).toEqual([[0, 2, 4], [1, 3], [5]]);
  });

  it('keeps padding waste within the ratio, the item cap and the frame cap on random lengths', () => {
    let state = 7;
    const frames = Array.from({ length: 300 }, () => {
      state = (state * 1103515245 + 12345) % 2147483648;
      return 2 + (state % 3000);
    });
    for (const limits of [
      { maxItems: 16, maxFrames: 8192, maxLengthRatio: 1.5 },
      { maxItems: 4, maxFrames: 100_000, maxLengthRatio: 2 },
      { maxItems: 64, maxFrames: 3000, maxLengthRatio: 1.1 },
    ]) {
      const groups = check(frames, limits);
      const padded = groups.reduce((sum, g) => sum + g.length * Math.max(...g.map((i) => frames[i] ?? 0)), 0);
      const useful = frames.reduce((sum, f) => sum + f, 0);
      expect(padded / useful).toBeLessThanOrEqual(limits.maxLengthRatio);
    }
  });

  it('runs an item longer than the frame cap alone, and keeps equal lengths in input order', () => {
    expect(check([9000, 50, 50, 50], { maxItems: 2, maxFrames: 8192, maxLengthRatio: 1 })).toEqual([[1, 2], [3], [0]]);
  });

  it('refuses limits that cannot be met', () => {
    expect(() => planBatches([1], { maxItems: 0, maxFrames: 1, maxLengthRatio: 1 })).toThrow(/maxItems/);
    expect(() => planBatches([1], { maxItems: 1, maxFrames: 1, maxLengthRatio: 0.5 })).toThrow(/maxLengthRatio/);
  });
});
