import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { LimitPlan } from './key-account.ts';

const plan: LimitPlan = { requestsPerMinute: 3, maxConcurrent: 2, leaseTtlMs: 60_000 };

describe('KeyAccount limits', () => {
  it('admits up to the bucket size, then refuses with the wait until the next token', async () => {
    const account = env.KEY_ACCOUNT.getByName('rate-key');
    const unlimitedConcurrency = { ...plan, maxConcurrent: 100 };
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await account.admit(unlimitedConcurrency));
    expect(results.map((result) => result.admitted)).toEqual([true, true, true, false]);
    expect(results.map((result) => result.remaining)).toEqual([2, 1, 0, 0]);
    const refused = results[3];
    expect(refused).toMatchObject({ admitted: false, reason: 'rate', limit: 3 });
    if (refused?.admitted === false) {
      expect(refused.retryAfterSeconds).toBeGreaterThan(15);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(20);
    }
  });

  it('refills at the plan rate', async () => {
    const account = env.KEY_ACCOUNT.getByName('refill-key');
    for (let i = 0; i < 3; i += 1) await account.admit({ ...plan, maxConcurrent: 100 });
    expect((await account.admit({ ...plan, maxConcurrent: 100 })).admitted).toBe(false);
    // Pretend the bucket was last touched 40 s ago: 40 s at 3/min refills two tokens.
    await runInDurableObject(account, (_instance, state) => {
      state.storage.sql.exec('UPDATE bucket SET updated_ms = updated_ms - 40000');
    });
    const results = [];
    for (let i = 0; i < 3; i += 1) results.push((await account.admit({ ...plan, maxConcurrent: 100 })).admitted);
    expect(results).toEqual([true, true, false]);
  });

  it('bounds concurrent requests and frees a slot on release', async () => {
    const account = env.KEY_ACCOUNT.getByName('concurrency-key');
    const generous = { ...plan, requestsPerMinute: 100 };
    const first = await account.admit(generous);
    const second = await account.admit(generous);
    const third = await account.admit(generous);
    expect(third).toMatchObject({ admitted: false, reason: 'concurrency' });
    if (!first.admitted || !second.admitted) throw new Error('first two requests should be admitted');
    await account.release(first.leaseId);
    await account.release(first.leaseId); // releasing twice is harmless
    expect((await account.admit(generous)).admitted).toBe(true);
    expect((await account.admit(generous)).admitted).toBe(false);
  });

  it('drops leases that outlive their time to live', async () => {
    const account = env.KEY_ACCOUNT.getByName('lease-ttl-key');
    const generous = { ...plan, requestsPerMinute: 100, maxConcurrent: 1 };
    expect((await account.admit(generous)).admitted).toBe(true);
    expect((await account.admit(generous)).admitted).toBe(false);
    await runInDurableObject(account, (_instance, state) => {
      state.storage.sql.exec('UPDATE leases SET expires_ms = 0');
    });
    expect((await account.admit(generous)).admitted).toBe(true);
  });

  it('keeps separate buckets per key', async () => {
    const a = env.KEY_ACCOUNT.getByName('key-a');
    const b = env.KEY_ACCOUNT.getByName('key-b');
    const tight = { ...plan, requestsPerMinute: 1 };
    expect((await a.admit(tight)).admitted).toBe(true);
    expect((await a.admit(tight)).admitted).toBe(false);
    expect((await b.admit(tight)).admitted).toBe(true);
  });
});
