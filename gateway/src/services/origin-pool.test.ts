import { describe, expect, it } from 'vitest';
import { MAX_BACKOFF, OriginPool } from './origin-pool.ts';

const COOLDOWN = 30_000;

/** A pool over `names` (made unique per test: origin health is kept per isolate, by origin) on a clock of its own. */
function poolOf(test: string, ...names: string[]) {
  let now = 1_000_000;
  const origins = names.map((name) => `https://${name}.${test}.test`);
  const pool = new OriginPool(origins, 'round-robin', COOLDOWN, () => now);
  return {
    pool,
    origins,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

/** Time until `origin` is next due for a probe, found by stepping the clock a second at a time. */
function secondsUntilProbe(pool: OriginPool, origin: string, advance: (ms: number) => void): number {
  for (let seconds = 0; seconds <= 3600; seconds += 1) {
    if (pool.claimProbes(1).includes(origin)) return seconds;
    advance(1000);
  }
  throw new Error('never probed');
}

describe('OriginPool', () => {
  it('probes a failed origin after the cooldown and puts it back when its /readyz is ready', () => {
    const { pool, origins, advance } = poolOf('back', 'a', 'b');
    const [a] = origins as [string, string];
    pool.markFailed(a);
    expect(pool.isDown(a)).toBe(true);
    expect(pool.order().at(-1)).toBe(a);
    expect(secondsUntilProbe(pool, a, advance)).toBe(30);
    pool.probed(a, true);
    expect(pool.isDown(a)).toBe(false);
  });

  it('doubles the cooldown each time an origin a probe re-admitted fails again, up to a bound, until it answers', () => {
    const { pool, origins, advance } = poolOf('hung', 'a', 'b');
    const [a] = origins as [string, string];
    pool.markFailed(a);
    const waits: number[] = [];
    for (let trial = 0; trial < 7; trial += 1) {
      waits.push(secondsUntilProbe(pool, a, advance));
      pool.probed(a, true);
      // Ready by its /readyz, yet its synthesis times out again.
      pool.markFailed(a);
    }
    expect(waits).toEqual([30, 60, 120, 240, 480, 480, 480]);
    expect(MAX_BACKOFF * 30).toBe(480);
    // An answer clears the count: the next failure waits one cooldown again.
    secondsUntilProbe(pool, a, advance);
    pool.probed(a, true);
    pool.markHealthy(a);
    pool.markFailed(a);
    expect(secondsUntilProbe(pool, a, advance)).toBe(30);
  });

  it('still probes a function that is simply down every cooldown, so its restart is noticed as soon as before', () => {
    const { pool, origins, advance } = poolOf('down', 'a');
    const [a] = origins as [string];
    pool.markFailed(a);
    for (let probe = 0; probe < 5; probe += 1) {
      expect(secondsUntilProbe(pool, a, advance)).toBe(30);
      pool.probed(a, false);
    }
  });

  it('takes an origin\'s own Retry-After as its cooldown, not as a failed trial', () => {
    const { pool, origins, advance } = poolOf('busy', 'a', 'b');
    const [a] = origins as [string, string];
    pool.markFailed(a);
    secondsUntilProbe(pool, a, advance);
    pool.probed(a, true);
    pool.markFailed(a, 5_000);
    expect(secondsUntilProbe(pool, a, advance)).toBe(5);
    pool.probed(a, true);
    // The first failed trial (the Retry-After was none): one doubling.
    pool.markFailed(a);
    expect(secondsUntilProbe(pool, a, advance)).toBe(60);
  });
});
