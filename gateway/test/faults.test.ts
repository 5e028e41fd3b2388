/**
 * Storage faults at the gateway's service boundary (issue 14; wrangler dev cannot fail its bindings on demand, so
 * the reliability suite's D1, R2 and Durable Object cases live here): D1 failing while a key or the voice list is
 * read, R2 failing under the phrase cache, and a Durable Object reset at admission and during settlement. Each
 * must give a clean 5xx envelope or an answer served correctly without the failed store, and usage neither lost
 * nor counted twice.
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { KeyUsage } from '@gsv-edge/shared';
import type { KeyAccount } from '../src/durable/key-account.ts';
import { bearer, bytesOf, call, createKey, errorOf, intercept, originStats, origins, testEnv } from './helpers.ts';

/** What workerd throws when a Durable Object is reset (code update, eviction) under a call in progress. */
const RESET = 'Durable Object reset because its code was updated.';

async function tts(secret: string, body: Record<string, unknown>, vars: Record<string, unknown>) {
  const result = await call('/v1/tts', { method: 'POST', headers: bearer(secret), body: JSON.stringify({ voice: 'tone', ...body }) }, vars);
  const bytes = await bytesOf(result.response);
  await result.settled();
  return { response: result.response, bytes };
}

async function usageOf(secret: string): Promise<KeyUsage> {
  return (await call('/v1/usage', { headers: bearer(secret) })).response.json();
}

async function ledgerOf(keyId: string): Promise<{ outcome: string; cache_hit: number }[]> {
  return runInDurableObject(testEnv.KEY_ACCOUNT.getByName(keyId), (_instance, state) =>
    state.storage.sql.exec<{ outcome: string; cache_hit: number }>('SELECT outcome, cache_hit FROM events ORDER BY occurred_ms').toArray(),
  );
}

function envelopeOf(bytes: Uint8Array): { error: { code: string; type: string } } {
  return JSON.parse(new TextDecoder().decode(bytes)) as { error: { code: string; type: string } };
}

const failingDb = () =>
  intercept(testEnv.DB, {
    prepare: () => {
      throw new Error('injected: D1_ERROR: database is locked');
    },
  });

describe('D1 failures', () => {
  it('answers a 5xx envelope when the key cannot be read, and lets the key work once D1 is back', async () => {
    const key = await createKey();
    const missingKv = intercept(testEnv.KEY_CACHE, { get: () => Promise.resolve(null) });
    const failed = await call('/v1/usage', { headers: bearer(key.secret) }, { DB: failingDb(), KEY_CACHE: missingKv });
    expect(failed.response.status).toBe(500);
    expect((await errorOf(failed.response)).type).toBe('server_error');
    await failed.settled();
    expect((await call('/v1/usage', { headers: bearer(key.secret) })).response.status).toBe(200);
  });

  it('answers a 5xx envelope when the voice list cannot be refreshed, releasing the reservation and billing nothing', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-faults-d1') };
    expect((await tts(key.secret, { text: 'Before the outage.' }, vars)).response.status).toBe(200);
    // The key is known to this isolate now; only the voice list still needs D1 (refreshed on every request).
    const during = await tts(key.secret, { text: 'During the outage.', voice: 'tone-b' }, { ...vars, DB: failingDb(), VOICE_CACHE_TTL_SECONDS: '0' });
    expect(during.response.status).toBe(500);
    expect(envelopeOf(during.bytes).error.type).toBe('server_error');
    expect((await originStats('ok-faults-d1')).synthesize).toBe(1);
    const usage = await usageOf(key.secret);
    expect([usage.totals.requests, usage.quota.reserved_characters]).toEqual([1, 0]);
  });
});

describe('R2 failures', () => {
  it('serves the phrase from the GPU function when R2 fails to read and to write, billing what was delivered once each', async () => {
    const key = await createKey();
    const broken = () => Promise.reject(new Error('injected: R2 is unavailable'));
    const phrases = intercept(testEnv.PHRASES, { get: broken, head: broken, put: broken, createMultipartUpload: broken, resumeMultipartUpload: broken });
    const vars = { GPU_ORIGINS: origins('ok-faults-r2'), PHRASES: phrases };
    const caches: (string | null)[] = [];
    for (let i = 0; i < 2; i += 1) {
      const answer = await tts(key.secret, { text: 'Nowhere to keep me.' }, vars);
      expect(answer.response.status).toBe(200);
      expect(answer.bytes.length).toBeGreaterThan(44);
      caches.push(answer.response.headers.get('x-cache'));
    }
    expect(caches[0]).toBe('MISS');
    // The second is a miss again, or a hit from this data center's Cache API (which does not depend on R2).
    const misses = caches.filter((cache) => cache === 'MISS').length;
    expect((await originStats('ok-faults-r2')).synthesize).toBe(misses);
    const ledger = await ledgerOf(key.id);
    expect(ledger.map((event) => [event.outcome, event.cache_hit])).toEqual(caches.map((cache) => ['completed', cache === 'HIT' ? 1 : 0]));
    expect((await usageOf(key.secret)).quota.reserved_characters).toBe(0);
  });
});

describe('Durable Object resets', () => {
  it('answers a 5xx envelope when the key object resets at admission, before any GPU work, and bills nothing', async () => {
    const key = await createKey();
    const accounts = intercept(testEnv.KEY_ACCOUNT, {
      getByName: (original, args) =>
        intercept(original(...args) as DurableObjectStub<KeyAccount>, { admitAndReserve: () => Promise.reject(new Error(RESET)) }),
    });
    const answer = await tts(key.secret, { text: 'Reset at the door.' }, { GPU_ORIGINS: origins('ok-faults-do'), KEY_ACCOUNT: accounts });
    expect(answer.response.status).toBe(500);
    expect(envelopeOf(answer.bytes).error.type).toBe('server_error');
    expect((await originStats('ok-faults-do')).synthesize).toBe(0);
    const usage = await usageOf(key.secret);
    expect([usage.totals.requests, usage.quota.reserved_characters]).toEqual([0, 0]);
  });

  it('bills once when the key object resets after applying a settlement (the retry finds it already settled)', async () => {
    const key = await createKey();
    let resets = 0;
    const accounts = intercept(testEnv.KEY_ACCOUNT, {
      getByName: (original, args) =>
        intercept(original(...args) as DurableObjectStub<KeyAccount>, {
          settle: async (settle, settleArgs) => {
            const result = await settle(...settleArgs);
            if (resets > 0) return result;
            resets += 1;
            throw new Error(RESET);
          },
        }),
    });
    const answer = await tts(key.secret, { text: 'Settled through a reset.', seed: -1 }, { GPU_ORIGINS: origins('ok-faults-do2'), KEY_ACCOUNT: accounts });
    expect(answer.response.status).toBe(200);
    expect(resets).toBe(1);
    expect((await ledgerOf(key.id)).map((event) => event.outcome)).toEqual(['completed']);
    const usage = await usageOf(key.secret);
    expect([usage.totals.requests, usage.quota.reserved_characters]).toEqual([1, 0]);
  });
});
