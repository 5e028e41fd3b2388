import { describe, expect, it } from 'vitest';
import { DueQueue, dueAt } from './due-queue.ts';

describe('due queue', () => {
  it('orders tasks by due time, keeping the queued order among equal times', () => {
    const queue = new DueQueue<string>();
    queue.push('late', 300);
    queue.push('first', 100);
    queue.push('tie-1', 200);
    queue.push('tie-2', 200);
    queue.push('early', 150);
    expect(queue.tasks).toEqual(['first', 'early', 'tie-1', 'tie-2', 'late']);
    expect(queue.take(2)).toEqual(['first', 'early']);
    queue.remove((task) => task.startsWith('tie'));
    expect(queue.tasks).toEqual(['late']);
    expect(queue.length).toBe(1);
  });

  it("puts a new request's first segment ahead of a long request's later ones, never ahead of what is already due", () => {
    const rate = 32000;
    // A long request that arrived at t = 0 ms, with 4-second segments and 0.3 s of silence after each.
    const long = (index: number): number => dueAt(0, rate, 0.3, index, 0, () => 4 * rate);
    expect([0, 1, 2].map(long)).toEqual([0, 4300, 8600]);
    const queue = new DueQueue<string>();
    for (const index of [1, 2, 3]) queue.push(`long-${String(index)}`, long(index));
    // A short request arriving at 2 s is due then: before the long request's segment 1 (due at 4.3 s).
    queue.push('short', dueAt(2000, rate, 0.3, 0, 0, () => 0));
    // One arriving at 5 s waits behind segment 1, which was due before it arrived.
    queue.push('later', dueAt(5000, rate, 0.3, 0, 0, () => 0));
    expect(queue.tasks).toEqual(['short', 'long-1', 'later', 'long-2', 'long-3']);
  });

  it('dates a token-chunk job by its first sample within the segment', () => {
    expect(dueAt(1000, 32000, 0.5, 1, 16000, () => 32000)).toBe(1000 + 1000 + 500 + 500);
  });
});
