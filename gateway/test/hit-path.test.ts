/**
 * What a cached-phrase HIT costs on the request path (issue 14: a hit must cost at most 2x a no-op route): a phrase
 * this isolate holds is admitted and billed in one Durable Object call and answered from memory, with no Cache API
 * or R2 read and nothing to settle afterwards; the per-location burst shield is counted without being waited for.
 * Limits, quotas and billing stay exact (also limits-and-metering.test.ts, billing-invariant.test.ts and
 * attacks.test.ts, whose hits take this path too).
 */
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { KeyAccount } from '../src/durable/key-account.ts';
import { accountOf } from '../src/services/account.ts';
import { countsForBurst } from '../src/services/burst-shield.ts';
import { bearer, bytesOf, call, createKey, errorOf, originStats, origins, phraseEdgeUrl, testEnv } from './helpers.ts';

async function tts(secret: string, text: string, vars: Record<string, unknown>) {
  const result = await call('/v1/tts', { method: 'POST', headers: bearer(secret), body: JSON.stringify({ text, voice: 'tone' }) }, vars);
  const bytes = await bytesOf(result.response);
  await result.settled();
  return { response: result.response, bytes };
}

type Hook = (original: (...args: unknown[]) => unknown, args: unknown[]) => unknown;

/** KEY_ACCOUNT whose stubs record every method called on them, with optional hooks around chosen ones. */
function recordingAccounts(calls: string[], hooks: Record<string, Hook> = {}): DurableObjectNamespace<KeyAccount> {
  const wrap = <T extends object>(real: T, onCall: (name: string, original: (...args: unknown[]) => unknown, args: unknown[]) => unknown): T =>
    new Proxy(real, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property);
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        // Reflect.apply: a Durable Object stub answers any property, `apply` included, as an RPC method.
        const original = (...args: unknown[]) => Reflect.apply(value as (...inner: unknown[]) => unknown, target, args);
        return (...args: unknown[]) => onCall(property, original, args);
      },
    });
  return wrap(testEnv.KEY_ACCOUNT, (_name, getByName, args) =>
    wrap(getByName(...args) as DurableObjectStub<KeyAccount>, (name, original, inner) => {
      calls.push(name);
      const hook = hooks[name];
      return hook === undefined ? original(...inner) : hook(original, inner);
    }),
  );
}

async function eventsOf(keyId: string): Promise<{ cache_hit: number; characters: number }[]> {
  return runInDurableObject(testEnv.KEY_ACCOUNT.getByName(keyId), (_instance, state) =>
    state.storage.sql.exec<{ cache_hit: number; characters: number }>('SELECT cache_hit, characters FROM events ORDER BY occurred_ms').toArray(),
  );
}

describe('a cached HIT on the request path', () => {
  it('answers a phrase this isolate holds with one Durable Object call that admits and bills it, reading neither the Cache API nor R2', async () => {
    const key = await createKey({ requests_per_minute: 10 });
    const vars = { GPU_ORIGINS: origins('ok-hot') };
    const miss = await tts(key.secret, 'Held in memory.', vars);
    expect(miss.response.headers.get('x-cache')).toBe('MISS');
    // Without this data center's copy, only memory (or R2, which is counted) can answer.
    expect(await (await caches.open('gsv-phrases')).delete(await phraseEdgeUrl(key.id, miss.response.headers.get('x-gsv-synthesis-key') ?? ''))).toBe(true);
    const calls: string[] = [];
    let r2Reads = 0;
    const phrases = new Proxy(testEnv.PHRASES, {
      get(target, property) {
        const value: unknown = Reflect.get(target, property);
        if (property === 'get' || property === 'head') r2Reads += 1;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    const hit = await tts(key.secret, 'Held in memory.', { ...vars, KEY_ACCOUNT: recordingAccounts(calls), PHRASES: phrases });
    expect(hit.response.status).toBe(200);
    expect(hit.response.headers.get('x-cache')).toBe('HIT');
    expect(hit.bytes).toEqual(miss.bytes);
    expect(hit.response.headers.get('content-length')).toBe(String(miss.bytes.length));
    expect(hit.response.headers.get('ratelimit-remaining')).toBe('8');
    expect(calls).toEqual(['admitHit']);
    expect(r2Reads).toBe(0);
    expect(await eventsOf(key.id)).toEqual([{ cache_hit: 0, characters: 15 }, { cache_hit: 1, characters: 15 }]);
    expect((await accountOf(testEnv, key.id).usage()).reservedCharacters).toBe(0);
    expect((await originStats('ok-hot')).synthesize).toBe(1);
  });

  it('plays a whole phrase this isolate holds back (GET /v1/audio/{key}) the same way: one call, no cache read', async () => {
    const key = await createKey({ requests_per_minute: 10 });
    const vars = { GPU_ORIGINS: origins('ok-hot-playback') };
    const miss = await tts(key.secret, 'Played from memory.', vars);
    const synthesisKey = miss.response.headers.get('x-gsv-synthesis-key') ?? '';
    expect(await (await caches.open('gsv-phrases')).delete(await phraseEdgeUrl(key.id, synthesisKey))).toBe(true);
    const calls: string[] = [];
    const played = await call(`/v1/audio/${synthesisKey}`, { headers: bearer(key.secret) }, { ...vars, KEY_ACCOUNT: recordingAccounts(calls) });
    expect(played.response.status).toBe(200);
    expect(played.response.headers.get('x-cache')).toBe('HIT');
    expect(played.response.headers.get('etag')).toBe(`"${synthesisKey}"`);
    expect(await bytesOf(played.response)).toEqual(miss.bytes);
    await played.settled();
    expect(calls).toEqual(['admitHit']);
    expect(await eventsOf(key.id)).toEqual([{ cache_hit: 0, characters: 19 }, { cache_hit: 1, characters: 19 }]);
    expect((await accountOf(testEnv, key.id).usage()).reservedCharacters).toBe(0);
    // A ranged read still goes to the cache (and is billed once a day as playback).
    const ranged = await call(`/v1/audio/${synthesisKey}`, { headers: bearer(key.secret, { range: 'bytes=0-99' }) }, vars);
    expect(ranged.response.status).toBe(206);
    expect((await bytesOf(ranged.response)).length).toBe(100);
    await ranged.settled();
  });

  it('asks again when the admission fails unclearly, and bills the hit once with one token', async () => {
    const key = await createKey({ requests_per_minute: 10 });
    const vars = { GPU_ORIGINS: origins('ok-hot-retry') };
    await tts(key.secret, 'Asked twice.', vars);
    const calls: string[] = [];
    let failed = false;
    // The first call reaches the object (the hit is billed) but its answer is lost on the way back.
    const lossy: Hook = async (original, args) => {
      const answer = await original(...args);
      if (failed) return answer;
      failed = true;
      throw new Error('injected: the connection to the Durable Object was lost');
    };
    const hit = await tts(key.secret, 'Asked twice.', { ...vars, KEY_ACCOUNT: recordingAccounts(calls, { admitHit: lossy }) });
    expect(hit.response.status).toBe(200);
    expect(hit.response.headers.get('x-cache')).toBe('HIT');
    expect(calls).toEqual(['admitHit', 'admitHit']);
    expect(hit.response.headers.get('ratelimit-remaining')).toBe('8');
    expect((await eventsOf(key.id)).map((event) => event.cache_hit)).toEqual([0, 1]);
  });

  it('refuses a hit while the key\'s slots are taken, and bills nothing for it', async () => {
    const key = await createKey({ max_concurrent: 1 });
    const vars = { GPU_ORIGINS: origins('slow-hot') };
    await tts(key.secret, 'Cached first.', vars);
    const holding = await call('/v1/tts', { method: 'POST', headers: bearer(key.secret), body: JSON.stringify({ text: 'Holding the slot.', voice: 'tone', stream: true }) }, vars);
    const refused = await tts(key.secret, 'Cached first.', vars);
    expect(refused.response.status).toBe(429);
    expect(JSON.parse(new TextDecoder().decode(refused.bytes))).toMatchObject({ error: { code: 'concurrency_limit_exceeded' } });
    await bytesOf(holding.response);
    await holding.settled();
    expect((await tts(key.secret, 'Cached first.', vars)).response.headers.get('x-cache')).toBe('HIT');
    expect((await eventsOf(key.id)).map((event) => event.cache_hit)).toEqual([0, 0, 1]);
  });
});

describe('the burst shield', () => {
  it('counts one request in BURST_COUNT_ONE_IN at the location, at random', () => {
    const draws = [0.05, 0.2, 0.124, 0.126, 0.99];
    expect(draws.map((draw) => countsForBurst(8, () => draw))).toEqual([true, false, true, false, false]);
    expect(countsForBurst(1, () => 0.99)).toBe(true);
    let counted = 0;
    for (let i = 0; i < 80_000; i += 1) if (countsForBurst(8)) counted += 1;
    // 10,000 expected; 6 standard deviations either side.
    expect(Math.abs(counted - 10_000)).toBeLessThan(560);
  });


  it('counts a request without holding it up, then refuses the key from memory, before any Durable Object call', async () => {
    const key = await createKey();
    const counted: unknown[] = [];
    const refusing: Pick<RateLimit, 'limit'> = {
      limit: (options) => {
        counted.push(options.key);
        return Promise.resolve({ success: false });
      },
    };
    const vars = { GPU_ORIGINS: origins('ok-burst'), BURST_LIMITER: refusing, BURST_COUNT_ONE_IN: '1' };
    expect((await tts(key.secret, 'Over the burst.', vars)).response.status).toBe(200);
    expect(counted).toEqual([key.id]);
    const calls: string[] = [];
    const shielded = await call('/v1/tts', { method: 'POST', headers: bearer(key.secret), body: JSON.stringify({ text: 'Over the burst.', voice: 'tone' }) }, { ...vars, KEY_ACCOUNT: recordingAccounts(calls) });
    expect(shielded.response.status).toBe(429);
    expect(await errorOf(shielded.response)).toMatchObject({ code: 'rate_limit_exceeded', message: expect.stringContaining('at this location') as unknown });
    const retryAfter = Number(shielded.response.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(10);
    expect(calls).toEqual([]);
    await shielded.settled();
    expect((await accountOf(testEnv, key.id).usage()).requests).toBe(1);
  });
});
