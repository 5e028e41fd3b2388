/**
 * The billing and abuse attacks of issue #10, each written as the attack, in workerd against the real D1, Durable
 * Object, R2 and Cache API emulation: every test here got audio without paying, made usage vanish, or cost the
 * operator something before admission on the gateway as it was, and must not now. The GPU-function halves live
 * beside their code: a repeated in-flight job id and the engine's own deadline (gpu-function/src/engine), and a
 * bundle manifest that points outside its folder (gpu-function/src/models/bundle/manifest.test.ts).
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { KeyUsage, UsageEvent } from '@gsv-edge/shared';
import type { KeyAccount } from '../src/durable/key-account.ts';
import { generateKey } from '../src/services/key-format.ts';
import { priceMicros } from '../src/services/account.ts';
import { OriginPool } from '../src/services/origin-pool.ts';
import { ISOLATE_BUFFER_BUDGET, PART_BYTES } from '../src/services/phrase-writer.ts';
import { outboxOf } from '../src/services/settlement.ts';
import { adminHeaders, bearer, bytesOf, call, createKey, errorOf, intercept, originStats, origins, phraseEdgeUrl, testEnv } from './helpers.ts';

async function tts(secret: string, body: Record<string, unknown>, vars: Record<string, unknown>, headers: Record<string, string> = {}) {
  const result = await call('/v1/tts', { method: 'POST', headers: bearer(secret, headers), body: JSON.stringify(body) }, vars);
  const bytes = await bytesOf(result.response);
  await result.settled();
  return { response: result.response, bytes };
}

async function usageOf(secret: string): Promise<KeyUsage> {
  return (await call('/v1/usage', { headers: bearer(secret) })).response.json();
}

/** The key's ledger as its Durable Object holds it (before any flush to D1). */
async function ledgerOf(keyId: string): Promise<{ event_id: string; characters: number; cache_hit: number; price_micros: number; outcome: string }[]> {
  return runInDurableObject(testEnv.KEY_ACCOUNT.getByName(keyId), (_instance, state) =>
    state.storage.sql
      .exec<{ event_id: string; characters: number; cache_hit: number; price_micros: number; outcome: string }>(
        'SELECT event_id, characters, cache_hit, price_micros, outcome FROM events ORDER BY occurred_ms',
      )
      .toArray(),
  );
}

/** KEY_ACCOUNT whose objects cannot be reached for `settle`, as in a Durable Object outage. */
function accountsRefusingSettle(): DurableObjectNamespace<KeyAccount> {
  return intercept(testEnv.KEY_ACCOUNT, {
    getByName: (original, args) =>
      intercept(original(...args) as DurableObjectStub<KeyAccount>, {
        settle: () => Promise.reject(new Error('injected: the Durable Object is unreachable')),
      }),
  });
}

describe('1. unlimited synthesis for one charge', () => {
  it('bills every random-seed synthesis, whatever Idempotency-Key it carries', async () => {
    const key = await createKey({ monthly_character_quota: 1000 });
    const vars = { GPU_ORIGINS: origins('ok-attack1') };
    for (let i = 0; i < 5; i += 1) {
      const answer = await tts(key.secret, { text: 'Random again.', voice: 'tone', seed: -1 }, vars, { 'idempotency-key': 'fixed' });
      expect(answer.response.status).toBe(200);
    }
    expect((await originStats('ok-attack1')).synthesize).toBe(5);
    const usage = await usageOf(key.secret);
    expect(usage.totals.requests).toBe(5);
    expect(usage.quota.used_characters).toBe(5 * 'Random again.'.length);
  });

  it('runs a request once while a retry with its Idempotency-Key is in flight (409), then replays it unbilled', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('slow-attack1') };
    const body = JSON.stringify({ text: 'Only once, please.', voice: 'tone', stream: true });
    const headers = bearer(key.secret, { 'idempotency-key': 'retry-me' });
    const first = await call('/v1/tts', { method: 'POST', headers, body }, vars);
    const concurrent = await tts(key.secret, JSON.parse(body) as Record<string, unknown>, vars, { 'idempotency-key': 'retry-me' });
    expect(concurrent.response.status).toBe(409);
    expect(JSON.parse(new TextDecoder().decode(concurrent.bytes))).toMatchObject({ error: { code: 'idempotency_key_in_use', param: 'Idempotency-Key' } });
    expect(concurrent.response.headers.get('retry-after')).toBe('1');
    const audio = await bytesOf(first.response);
    await first.settled();

    const replay = await tts(key.secret, JSON.parse(body) as Record<string, unknown>, vars, { 'idempotency-key': 'retry-me' });
    expect(replay.response.headers.get('x-cache')).toBe('HIT');
    expect(replay.bytes).toEqual(audio);
    expect((await originStats('slow-attack1')).synthesize).toBe(1);
    expect((await ledgerOf(key.id)).map((event) => event.cache_hit)).toEqual([0]);
  });
});

describe('2. free cache hits through Range', () => {
  it('bills ranged reads of a cached phrase as one playback per key, phrase and day, and within the quota', async () => {
    const key = await createKey({ price_per_1k_chars_micros: 20_000, cache_hit_price_per_1k_chars_micros: 2_000 });
    const vars = { GPU_ORIGINS: origins('ok-attack2') };
    const body = { text: 'Seek me, skip the R.', voice: 'tone' };
    const full = await tts(key.secret, body, vars);
    const synthesisKey = full.response.headers.get('x-gsv-synthesis-key') ?? '';
    const tail = await tts(key.secret, body, vars, { range: 'bytes=1-' });
    expect(tail.response.status).toBe(206);
    expect(tail.bytes).toEqual(full.bytes.subarray(1));
    expect((await ledgerOf(key.id)).length).toBe(2);
    const seek = await call(`/v1/audio/${synthesisKey}`, { headers: bearer(key.secret, { range: 'bytes=100-199' }) }, vars);
    expect((await bytesOf(seek.response)).length).toBe(100);
    await seek.settled();
    await tts(key.secret, body, vars, { range: 'bytes=0-43' });
    const ledger = await ledgerOf(key.id);
    expect(ledger.map((event) => [event.cache_hit, event.price_micros])).toEqual([
      [0, priceMicros(20, 20_000)],
      [1, priceMicros(20, 2_000)],
    ]);

    const capped = await createKey({ monthly_character_quota: 20 });
    await tts(capped.secret, body, vars);
    const refused = await tts(capped.secret, body, vars, { range: 'bytes=1-' });
    expect(refused.response.status).toBe(402);
  });
});

describe('3. usage that vanishes across keys', () => {
  it('records both keys\' usage when they send the same Idempotency-Key and body, in D1 and for Stripe', async () => {
    const a = await createKey({}, { stripe_customer_id: 'cus_AttackThreeA' });
    const b = await createKey({}, { stripe_customer_id: 'cus_AttackThreeB' });
    const vars = { GPU_ORIGINS: origins('ok-attack3') };
    for (const key of [a, b]) {
      const answer = await tts(key.secret, { text: 'Same body.', voice: 'tone' }, vars, { 'idempotency-key': 'shared' });
      expect(answer.response.status).toBe(200);
    }
    for (const key of [a, b]) await testEnv.KEY_ACCOUNT.getByName(key.id).flush();
    const rows = await testEnv.DB.prepare('SELECT event_id, key_id FROM usage_events WHERE key_id IN (?, ?)').bind(a.id, b.id).all<{ event_id: string; key_id: string }>();
    expect(rows.results.map((row) => row.key_id).sort()).toEqual([a.id, b.id].sort());
    expect(new Set(rows.results.map((row) => row.event_id)).size).toBe(2);
    for (const key of [a, b]) {
      const stripe = await call(`/admin/usage/events?key_id=${key.id}&format=stripe`, { headers: adminHeaders });
      expect((await stripe.response.json<{ data: unknown[] }>()).data).toHaveLength(1);
    }
  });
});

describe('4. a hung request', () => {
  it('gives concurrent requests that reuse one x-request-id their own GPU jobs, and both complete', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('slow-attack4') };
    const [first, second] = await Promise.all(
      ['First of two.', 'Second of two.'].map((text) => tts(key.secret, { text, voice: 'tone', stream: true }, vars, { 'x-request-id': 'dup-1' })),
    );
    expect([first?.response.status, second?.response.status]).toEqual([200, 200]);
    expect(first?.response.headers.get('x-request-id')).toBe('dup-1');
    for (const answer of [first, second]) expect(answer?.bytes.length).toBeGreaterThan(44);
    const stats = await originStats('slow-attack4');
    expect(new Set(stats.jobs.map((job) => job.request_id)).size).toBe(2);
    expect(stats.jobs.map((job) => job.client_request_id)).toEqual(['dup-1', 'dup-1']);
    // The GPU function's engine refuses a repeated in-flight id and enforces a deadline of its own
    // (gpu-function/src/engine/engine.test.ts).
  });
});

describe('5. rate limits that do not protect the origins', () => {
  it('admits a request before it can cost a voice refresh, an R2 read or a GPU call', async () => {
    const limited = await createKey({ requests_per_minute: 1 });
    let voiceQueries = 0;
    const db = intercept(testEnv.DB, {
      prepare: (original, args) => {
        if (String(args[0]).includes('FROM voices')) voiceQueries += 1;
        return original(...args);
      },
    });
    const vars = { GPU_ORIGINS: origins('ok-attack5'), DB: db, VOICE_CACHE_TTL_SECONDS: '0' };
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await tts(limited.secret, { text: 'Hi.', voice: `made-up-${String(i)}` }, vars)).response.status);
    expect(statuses).toEqual([404, 429, 429, 429, 429, 429]);
    expect(voiceQueries).toBe(1);
    expect(await originStats('ok-attack5')).toMatchObject({ models: 0, synthesize: 0 });

    let r2Reads = 0;
    const phrases = intercept(testEnv.PHRASES, {
      get: (original, args) => {
        r2Reads += 1;
        return original(...args);
      },
      head: (original, args) => {
        r2Reads += 1;
        return original(...args);
      },
    });
    const other = await createKey({ requests_per_minute: 1 });
    const counted = { GPU_ORIGINS: origins('ok-attack5'), PHRASES: phrases };
    expect((await tts(other.secret, { text: 'Uncached 0.', voice: 'tone' }, counted)).response.status).toBe(200);
    const readsOfAdmitted = r2Reads; // its lookup, and the refill of this data center's cache after it was stored
    for (let i = 1; i < 6; i += 1) expect((await tts(other.secret, { text: `Uncached ${String(i)}.`, voice: 'tone' }, counted)).response.status).toBe(429);
    expect((await originStats('ok-attack5')).synthesize).toBe(1);
    expect(r2Reads).toBe(readsOfAdmitted);
  });
});

describe('6. unauthenticated load on D1', () => {
  it('answers a repeated unknown key from memory and stops an address that keeps minting keys before any lookup', async () => {
    let queries = 0;
    const db = intercept(testEnv.DB, {
      prepare: (original, args) => {
        queries += 1;
        return original(...args);
      },
    });
    const vars = { DB: db };
    const from = (address: string, secret: string) => call('/v1/usage', { headers: bearer(secret, { 'cf-connecting-ip': address }) }, vars);
    const minted = await Promise.all(Array.from({ length: 30 }, () => generateKey('live')));
    const statuses = [];
    for (const secret of minted) statuses.push((await from('203.0.113.6', secret)).response.status);
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(21);
    expect(statuses.slice(-5)).toEqual([429, 429, 429, 429, 429]);
    expect(queries).toBeLessThanOrEqual(21);

    const before = queries;
    const again = await from('198.51.100.6', minted[0] ?? '');
    expect(again.response.status).toBe(401);
    expect(queries).toBe(before);
    const real = await createKey();
    expect((await from('198.51.100.6', real.secret)).response.status).toBe(200);
  });
});

describe('7. lost usage', () => {
  it('keeps usage whose settle fails: the outbox delivers it later and frees the lease', async () => {
    const key = await createKey({ max_concurrent: 1 });
    const vars = { GPU_ORIGINS: origins('ok-attack7'), KEY_ACCOUNT: accountsRefusingSettle() };
    const answer = await tts(key.secret, { text: 'Settle me later.', voice: 'tone' }, vars);
    expect(answer.response.status).toBe(200);
    let usage = await usageOf(key.secret);
    expect([usage.totals.requests, usage.quota.reserved_characters]).toEqual([0, 16]);
    const outbox = outboxOf(testEnv, key.id);
    expect(await outbox.pending()).toBeGreaterThan(0);
    expect(await runDurableObjectAlarm(outbox)).toBe(true);
    usage = await usageOf(key.secret);
    expect([usage.totals.requests, usage.totals.characters, usage.quota.reserved_characters]).toEqual([1, 16, 0]);
    expect((await tts(key.secret, { text: 'Next one.', voice: 'tone' }, { GPU_ORIGINS: origins('ok-attack7') })).response.status).toBe(200);
  });

  it('bills a client that leaves mid-stream at once, although the synthesis never finishes', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('stall-attack7'), ORIGIN_IDLE_TIMEOUT_MS: '1500' };
    const started = await call('/v1/tts', { method: 'POST', headers: bearer(key.secret), body: JSON.stringify({ text: 'I will not wait.', voice: 'tone', stream: true }) }, vars);
    const reader = (started.response.body ?? new ReadableStream<Uint8Array>()).getReader();
    expect((await reader.read()).done).toBe(false);
    await reader.cancel('gone');
    let billed: { outcome: string }[] = [];
    for (let waited = 0; waited < 1000 && billed.length === 0; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      billed = await ledgerOf(key.id);
    }
    expect(billed.map((event) => event.outcome)).toEqual(['client_aborted']);
    await started.settled();
    expect((await ledgerOf(key.id)).length).toBe(1);
    expect((await usageOf(key.secret)).quota.reserved_characters).toBe(0);
  });
});

describe('8. memory', () => {
  // Moves 7 MB through workerd twice: seconds on a busy 2-core machine.
  it('caches a phrase larger than one R2 part while holding at most about one part', { timeout: 30_000 }, async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-attack8'), MAX_INPUT_CHARS: '6000' };
    const body = { text: 'A long phrase. '.repeat(380), voice: 'tone' };
    ISOLATE_BUFFER_BUDGET.resetHighWater();
    const miss = await tts(key.secret, body, vars);
    expect(miss.bytes.length).toBeGreaterThan(1.3 * PART_BYTES);
    expect(ISOLATE_BUFFER_BUDGET.highWater).toBeLessThan(PART_BYTES + 1024 * 1024);
    expect(ISOLATE_BUFFER_BUDGET.used).toBe(0);
    const hit = await tts(key.secret, body, vars);
    expect(hit.response.headers.get('x-cache')).toBe('HIT');
    expect(hit.bytes).toEqual(miss.bytes);
  });

  it('streams a phrase uncached rather than go past the isolate\'s buffer budget', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-attack8-budget') };
    const body = { text: 'No room to cache me.', voice: 'tone' };
    const hog = ISOLATE_BUFFER_BUDGET.capacity - ISOLATE_BUFFER_BUDGET.used - 100;
    expect(ISOLATE_BUFFER_BUDGET.take(hog)).toBe(true);
    try {
      const first = await tts(key.secret, body, vars);
      expect(first.response.status).toBe(200);
      expect(first.bytes.length).toBeGreaterThan(1000);
    } finally {
      ISOLATE_BUFFER_BUDGET.give(hog);
    }
    expect((await tts(key.secret, body, vars)).response.headers.get('x-cache')).toBe('MISS');
    expect((await originStats('ok-attack8-budget')).synthesize).toBe(2);
  });

  it('reads only the asked range from R2', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-attack8-range') };
    const body = { text: 'Read me in part.', voice: 'tone' };
    const full = await tts(key.secret, body, vars);
    await (await caches.open('gsv-phrases')).delete(await phraseEdgeUrl(key.id, full.response.headers.get('x-gsv-synthesis-key') ?? ''));
    const gets: unknown[] = [];
    const phrases = intercept(testEnv.PHRASES, {
      get: (original, args) => {
        gets.push(args[1] ?? null);
        return original(...args);
      },
    });
    const ranged = await tts(key.secret, body, { ...vars, PHRASES: phrases }, { range: 'bytes=100-149' });
    expect(ranged.response.status).toBe(206);
    expect(ranged.bytes).toEqual(full.bytes.subarray(100, 150));
    // The client's read asked R2 for 50 bytes; the other read refills this data center's cache, streamed.
    expect(gets).toContainEqual({ range: { offset: 100, length: 50 } });
  });

  it('refuses a voice upload over the limit, and forwards an accepted one as the bytes received', async () => {
    const vars = { GPU_ORIGINS: origins('ok-attack8-upload') };
    const huge = JSON.stringify({ id: 'huge', model: 'tiny', prompt_text: '', prompt_lang: 'en', ref_audio: 'A'.repeat(17 * 1024 * 1024) });
    const refused = await call('/admin/voices', { method: 'POST', headers: adminHeaders, body: huge }, vars);
    expect(refused.response.status).toBe(413);
    const upload = '{ "ref_audio": "UklGRg==",\n  "id": "as-sent", "model": "tiny", "prompt_text": "hi", "prompt_lang": "en" }';
    const created = await call('/admin/voices', { method: 'POST', headers: adminHeaders, body: upload }, vars);
    expect(created.response.status).toBe(201);
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(upload)));
    expect((await originStats('ok-attack8-upload')).uploads).toEqual([[...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('')]);
  });
});

describe('9. Stripe sync stalls', () => {
  it('skips an event Stripe refuses for good, and stops without marking anything when Stripe hangs', async () => {
    const key = await createKey({}, { stripe_customer_id: 'cus_AttackNine' });
    const insert = (eventId: string, occurredMs: number) =>
      testEnv.DB.prepare(
        `INSERT INTO usage_events (event_id, request_id, key_id, occurred_ms, route, voice, characters, audio_seconds, cache_hit, price_micros, outcome)
         VALUES (?, 'r', ?, ?, 'tts', 'tone', 10, 1, 0, 200, 'completed')`,
      )
        .bind(eventId, key.id, occurredMs)
        .run();
    await insert(`old-${key.id}`, Date.now() - 40 * 86_400_000);
    await insert(`new-${key.id}`, Date.now() - 1000);
    const from = new Date(Date.now() - 45 * 86_400_000).toISOString();
    const sync = (vars: Record<string, string> = {}) =>
      call(`/admin/usage/stripe-sync?key_id=${key.id}&from=${from}`, { method: 'POST', headers: adminHeaders }, vars).then((result) => result.response.json());
    expect(await sync()).toMatchObject({ sent: 1, failed: [{ event_id: `old-${key.id}`, status: 400 }], has_more: false, stopped: null });
    expect(await sync()).toMatchObject({ sent: 0, failed: [], has_more: false });

    await insert(`later-${key.id}`, Date.now() - 500);
    const started = Date.now();
    const hung = (await sync({ STRIPE_API_BASE: `${testEnv.FAKE_ORIGIN}/stripe-hang`, STRIPE_TIMEOUT_MS: '200' })) as { sent: number; has_more: boolean; stopped: string };
    expect(Date.now() - started).toBeLessThan(3000);
    expect(hung).toMatchObject({ sent: 0, has_more: true });
    expect(hung.stopped).toMatch(/did not answer/);
    expect(await sync()).toMatchObject({ sent: 1, failed: [] });
    const events = await (await call(`/admin/usage/events?key_id=${key.id}&from=${from}`, { headers: adminHeaders })).response.json<{ data: UsageEvent[] }>();
    expect(events.data.find((event) => event.event_id === `old-${key.id}`)?.stripe_error).toMatch(/35 calendar days/);
  });
});

describe('10. cross-customer leaks', () => {
  it('keeps each account\'s phrases to itself: another account can neither replay nor detect them', async () => {
    const a = await createKey();
    const b = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-attack10') };
    const body = { text: 'A private sentence.', voice: 'tone' };
    const made = await tts(a.secret, body, vars);
    const synthesisKey = made.response.headers.get('x-gsv-synthesis-key') ?? '';
    const probe = await call(`/v1/audio/${synthesisKey}`, { headers: bearer(b.secret) }, vars);
    expect(probe.response.status).toBe(404);
    const own = await tts(b.secret, body, vars);
    expect(own.response.headers.get('x-cache')).toBe('MISS');
    expect((await originStats('ok-attack10')).synthesize).toBe(2);

    const sameAccount = await createKey({}, { account_id: a.id });
    expect((await tts(sameAccount.secret, body, vars)).response.headers.get('x-cache')).toBe('HIT');
    expect((await call(`/v1/audio/${synthesisKey}`, { headers: bearer(sameAccount.secret) }, vars)).response.status).toBe(200);
  });

  it('enforces a key\'s voice allow-list at synthesis, in the voice list and at playback', async () => {
    const vars = { GPU_ORIGINS: origins('ok-attack10-voices') };
    const owner = await createKey({}, { account_id: 'acct-ten' });
    const narrow = await createKey({}, { account_id: 'acct-ten', allowed_voices: ['tone-b'] });
    const made = await tts(owner.secret, { text: 'Only for tone.', voice: 'tone' }, vars);
    const listed = await (await call('/v1/voices', { headers: bearer(narrow.secret) }, vars)).response.json<{ data: { id: string }[] }>();
    expect(listed.data.map((voice) => voice.id)).toEqual(['tone-b']);
    const refused = await tts(narrow.secret, { text: 'Only for tone.', voice: 'tone' }, vars);
    expect(refused.response.status).toBe(404);
    expect(JSON.parse(new TextDecoder().decode(refused.bytes))).toMatchObject({ error: { code: 'voice_not_found', param: 'voice' } });
    const playback = await call(`/v1/audio/${made.response.headers.get('x-gsv-synthesis-key') ?? ''}`, { headers: bearer(narrow.secret) }, vars);
    expect(playback.response.status).toBe(404);
    expect((await tts(narrow.secret, { text: 'Only for tone.', voice: 'tone-b' }, vars)).response.status).toBe(200);
  });
});

describe('11. smaller ones', () => {
  it('passes neither a GPU function\'s internal error text nor an unknown error code to clients', async () => {
    const key = await createKey();
    const leaked = await tts(key.secret, { text: 'Fail inside.', voice: 'tone' }, { GPU_ORIGINS: origins('leak500-a') });
    const leakedError = JSON.parse(new TextDecoder().decode(leaked.bytes)) as { error: { code: string; message: string } };
    expect([leaked.response.status, leakedError.error.code]).toEqual([500, 'synthesis_failed']);
    expect(leakedError.error.message).not.toMatch(/CUDA|\/srv/);
    const weird = await tts(key.secret, { text: 'Fail oddly.', voice: 'tone' }, { GPU_ORIGINS: origins('weird-a') });
    const weirdError = JSON.parse(new TextDecoder().decode(weird.bytes)) as { error: { code: string; message: string } };
    expect([weird.response.status, weirdError.error.code]).toEqual([500, 'internal_error']);
    expect(weirdError.error.message).not.toMatch(/gpu_on_fire|gpu-7|\/srv/);
  });

  it('accepts the longest text MAX_INPUT_CHARS allows, however it is escaped', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-attack11-long'), MAX_INPUT_CHARS: '20000' };
    const escaped = (count: number) => `{"voice":"nobody","text":"${'\\ud83d\\ude00'.repeat(count)}"}`;
    const longest = await call('/v1/tts', { method: 'POST', headers: bearer(key.secret), body: escaped(20_000) }, vars);
    // Past validation and the body limit: refused only because the voice does not exist.
    expect(await errorOf(longest.response)).toMatchObject({ code: 'voice_not_found' });
    const tooLong = await call('/v1/tts', { method: 'POST', headers: bearer(key.secret), body: escaped(20_001) }, vars);
    expect(await errorOf(tooLong.response)).toMatchObject({ code: 'invalid_field', param: 'text' });
  });

  it('refuses a price that could make a request\'s price inexact, and prices the largest request exactly', async () => {
    const { response } = await call('/admin/keys', {
      method: 'POST',
      headers: adminHeaders,
      body: JSON.stringify({ plan: { requests_per_minute: 1, max_concurrent: 1, price_per_1k_chars_micros: 1e12, cache_hit_price_per_1k_chars_micros: 0 } }),
    });
    expect(await errorOf(response)).toMatchObject({ code: 'invalid_field', param: 'plan.price_per_1k_chars_micros' });
    for (const [characters, price] of [[100_000, 1_000_000_000], [99_999, 999_999_999], [77_777, 123_456_789]] as const) {
      const exact = (BigInt(characters) * BigInt(price) + 999n) / 1000n;
      expect(BigInt(priceMicros(characters, price))).toBe(exact);
    }
  });

  it('says that an ADMIN_SECRET no bearer token can carry is misconfigured, rather than "wrong token"', async () => {
    const misconfigured = await call('/admin/keys', { headers: { authorization: 'Bearer has a space' } }, { ADMIN_SECRET: 'has a space' });
    expect(misconfigured.response.status).toBe(403);
    expect((await errorOf(misconfigured.response)).message).toMatch(/not a valid bearer token/);
  });

  it('closes a relayed answer nobody reads after ORIGIN_STREAM_TIMEOUT_MS, so the origin\'s in-flight count returns to 0', async () => {
    const key = await createKey();
    const origin = origins('slow-attack11-unread');
    const vars = { GPU_ORIGINS: origin, ORIGIN_STREAM_TIMEOUT_MS: '300' };
    const unread = await call('/v1/tts', { method: 'POST', headers: bearer(key.secret), body: JSON.stringify({ text: 'Nobody reads me.', voice: 'tone', stream: true }) }, vars);
    const pool = new OriginPool([origin], 'least-outstanding', 0);
    expect(pool.inFlight(origin)).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(pool.inFlight(origin)).toBe(0);
    await unread.response.body?.cancel();
    await unread.settled();
  });

  it('trusts a cached key record no longer than KEY_CACHE_TTL_SECONDS after it was read from D1', async () => {
    const key = await createKey({ requests_per_minute: 1000 });
    const hash = [...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key.secret)))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    await testEnv.DB.prepare('UPDATE api_keys SET requests_per_minute = 7 WHERE id = ?').bind(key.id).run();
    // A KV copy read from D1 61 s ago, as KV's edge cache may still hand out after its expiration.
    const stale = { id: key.id, name: '', mode: 'live', last4: key.secret.slice(-4), plan: { ...key.plan, requests_per_minute: 1000 }, stripeCustomerId: null,
      accountId: key.id, allowedVoices: null, createdAt: key.created_at, revokedAt: null, loadedAtMs: Date.now() - 61_000 };
    await testEnv.KEY_CACHE.put(`key:${hash}`, JSON.stringify(stale));
    const answer = await call('/v1/usage', { headers: bearer(key.secret) });
    expect(answer.response.headers.get('ratelimit-limit')).toBe('7');
  });
});
