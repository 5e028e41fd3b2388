import { describe, expect, it } from 'vitest';
import { OneAtATime } from './one-at-a-time.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('OneAtATime', () => {
  it('runs work one at a time, in turn', async () => {
    const turns = new OneAtATime({ maxWaitMs: 5_000, maxHoldMs: 5_000, pollMs: 5, what: 'test' });
    let running = 0;
    let most = 0;
    const results = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        turns.run(async () => {
          running += 1;
          most = Math.max(most, running);
          await sleep(10);
          running -= 1;
          return index;
        }),
      ),
    );
    expect(results.sort()).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(1);
  });

  it('refuses with 503 overloaded and Retry-After once the wait passes its bound', async () => {
    const turns = new OneAtATime({ maxWaitMs: 30, maxHoldMs: 5_000, pollMs: 5, what: 'voice upload' });
    const long = turns.run(() => sleep(200));
    await expect(turns.run(() => Promise.resolve('never'))).rejects.toMatchObject({ code: 'overloaded', status: 503, retryAfterSeconds: 2 });
    await long;
    await expect(turns.run(() => Promise.resolve('now'))).resolves.toBe('now');
  });

  it('lets the next caller go when a turn is abandoned (work that never settles) past its lease', async () => {
    const turns = new OneAtATime({ maxWaitMs: 5_000, maxHoldMs: 40, pollMs: 5, what: 'test' });
    void turns.run(() => new Promise<never>(() => undefined));
    await expect(turns.run(() => Promise.resolve('after'))).resolves.toBe('after');
  });

  it('frees the turn when work throws', async () => {
    const turns = new OneAtATime({ maxWaitMs: 50, maxHoldMs: 5_000, pollMs: 5, what: 'test' });
    await expect(turns.run(() => Promise.reject(new Error('inspection failed')))).rejects.toThrow('inspection failed');
    await expect(turns.run(() => Promise.resolve('free'))).resolves.toBe('free');
  });
});
