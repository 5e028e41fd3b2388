import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ReservationRequest, UsageRecord } from './key-account.ts';

const reservation = (id: string, overrides: Partial<ReservationRequest> = {}): ReservationRequest => ({
  reservationId: id,
  characters: 10,
  maxConcurrent: 2,
  monthlyCharacterQuota: null,
  leaseTtlMs: 60_000,
  idempotencyKey: null,
  pending: null,
  ...overrides,
});

const record = (eventId: string, overrides: Partial<UsageRecord> = {}): UsageRecord => ({
  eventId,
  requestId: `req-${eventId}`,
  keyId: 'key_0000000000000000',
  occurredMs: Date.now(),
  route: 'tts',
  voice: 'tone',
  characters: 10,
  audioSeconds: 1.5,
  cacheHit: false,
  priceMicros: 200,
  outcome: 'completed',
  replayKey: null,
  ...overrides,
});

const release = { bill: null, release: true } as const;
const bill = (usage: UsageRecord) => ({ bill: usage, release: true });

describe('KeyAccount rate limit', () => {
  it('admits up to the bucket size, then refuses with the wait until the next token', async () => {
    const account = env.KEY_ACCOUNT.getByName('rate-key');
    const results = [];
    for (let i = 0; i < 4; i += 1) results.push(await account.admitRequest({ requestsPerMinute: 3 }));
    expect(results.map((result) => result.admitted)).toEqual([true, true, true, false]);
    expect(results.map((result) => ('remaining' in result ? result.remaining : null))).toEqual([2, 1, 0, 0]);
    const refused = results[3];
    expect(refused).toMatchObject({ admitted: false, reason: 'rate', limit: 3 });
    if (refused?.admitted === false && refused.reason === 'rate') {
      expect(refused.retryAfterSeconds).toBeGreaterThan(15);
      expect(refused.retryAfterSeconds).toBeLessThanOrEqual(20);
    }
  });

  it('refills at the plan rate', async () => {
    const account = env.KEY_ACCOUNT.getByName('refill-key');
    for (let i = 0; i < 3; i += 1) await account.admitRequest({ requestsPerMinute: 3 });
    expect((await account.admitRequest({ requestsPerMinute: 3 })).admitted).toBe(false);
    // Pretend the bucket was last touched 40 s ago: 40 s at 3/min refills two tokens.
    await runInDurableObject(account, (_instance, state) => {
      state.storage.sql.exec('UPDATE bucket SET updated_ms = updated_ms - 40000');
    });
    const results = [];
    for (let i = 0; i < 3; i += 1) results.push((await account.admitRequest({ requestsPerMinute: 3 })).admitted);
    expect(results).toEqual([true, true, false]);
  });

  it('keeps separate buckets per key', async () => {
    const a = env.KEY_ACCOUNT.getByName('key-a');
    const b = env.KEY_ACCOUNT.getByName('key-b');
    expect((await a.admitRequest({ requestsPerMinute: 1 })).admitted).toBe(true);
    expect((await a.admitRequest({ requestsPerMinute: 1 })).admitted).toBe(false);
    expect((await b.admitRequest({ requestsPerMinute: 1 })).admitted).toBe(true);
  });
});

describe('KeyAccount reservations', () => {
  it('bounds concurrent reservations and frees a slot on settle, once', async () => {
    const account = env.KEY_ACCOUNT.getByName('concurrency-key');
    expect(await account.reserve(reservation('r1'))).toEqual({ reserved: true });
    expect(await account.reserve(reservation('r2'))).toEqual({ reserved: true });
    expect(await account.reserve(reservation('r3'))).toMatchObject({ reserved: false, reason: 'concurrency', limit: 2 });
    await account.settle('r1', release);
    await account.settle('r1', release);
    expect((await account.reserve(reservation('r4'))).reserved).toBe(true);
    expect((await account.reserve(reservation('r5'))).reserved).toBe(false);
  });

  it('drops leases that outlive their time to live, with their quota hold', async () => {
    const account = env.KEY_ACCOUNT.getByName('lease-ttl-key');
    expect((await account.reserve(reservation('a', { maxConcurrent: 1 }))).reserved).toBe(true);
    expect((await account.reserve(reservation('b', { maxConcurrent: 1 }))).reserved).toBe(false);
    expect((await account.usage()).reservedCharacters).toBe(10);
    await runInDurableObject(account, (_instance, state) => {
      state.storage.sql.exec('UPDATE leases SET expires_ms = 0');
    });
    expect((await account.usage()).reservedCharacters).toBe(0);
    expect((await account.reserve(reservation('c', { maxConcurrent: 1 }))).reserved).toBe(true);
  });

  it('holds characters in flight against the quota, and counts settled ones', async () => {
    const account = env.KEY_ACCOUNT.getByName('quota-key');
    const quota = { monthlyCharacterQuota: 25, maxConcurrent: 10 };
    expect((await account.reserve(reservation('q1', quota))).reserved).toBe(true);
    expect((await account.reserve(reservation('q2', quota))).reserved).toBe(true);
    expect(await account.reserve(reservation('q3', quota))).toEqual({
      reserved: false, reason: 'quota', quota: 25, usedCharacters: 0, reservedCharacters: 20,
    });
    await account.settle('q1', bill(record('e1')));
    await account.settle('q2', release); // failed: not billed, hold released
    expect((await account.reserve(reservation('q4', { ...quota, characters: 15 }))).reserved).toBe(true);
    expect((await account.reserve(reservation('q5', { ...quota, characters: 1 }))).reserved).toBe(false);
  });

  it('refuses everything once revoked', async () => {
    const account = env.KEY_ACCOUNT.getByName('revoked-key');
    expect((await account.admitRequest({ requestsPerMinute: 10 })).admitted).toBe(true);
    await account.revoke();
    expect(await account.admitRequest({ requestsPerMinute: 10 })).toEqual({ admitted: false, reason: 'revoked' });
    expect(await account.reserve(reservation('x'))).toEqual({ reserved: false, reason: 'revoked' });
  });
});

describe('KeyAccount ledger', () => {
  it('records an event id once and keeps month totals', async () => {
    const account = env.KEY_ACCOUNT.getByName('ledger-key');
    expect(await account.settle('l1', bill(record('same')))).toEqual({ recorded: true, replay: false });
    expect(await account.settle('l2', bill(record('same')))).toEqual({ recorded: false, replay: false });
    await account.settle('l3', bill(record('hit', { cacheHit: true, priceMicros: 20, audioSeconds: null })));
    const usage = await account.usage();
    expect(usage).toMatchObject({ requests: 2, characters: 20, cacheHits: 1, cachedCharacters: 10, audioSeconds: 1.5, costMicros: 220 });
    expect(usage.month).toBe(new Date().toISOString().slice(0, 7));
  });

  it('flushes to D1 idempotently, even when D1 already has some of the events', async () => {
    const account = env.KEY_ACCOUNT.getByName('flush-key');
    const keyId = 'key_flushflushflush0';
    await account.settle('f1', bill(record('flush-1', { keyId })));
    await account.settle('f2', bill(record('flush-2', { keyId })));
    expect(await account.flush()).toBe(2);
    // Simulate a flush whose D1 write landed but whose bookkeeping did not.
    await runInDurableObject(account, (_instance, state) => {
      state.storage.sql.exec('UPDATE events SET flushed = 0');
    });
    expect(await account.flush()).toBe(2);
    const rows = await env.DB.prepare('SELECT event_id FROM usage_events WHERE key_id = ? ORDER BY event_id').bind(keyId).all<{ event_id: string }>();
    expect(rows.results.map((row) => row.event_id)).toEqual(['flush-1', 'flush-2']);
  });
});

describe('KeyAccount idempotency and replays', () => {
  it('refuses a second lease with the same idempotency key while the first is held, and allows it after', async () => {
    const account = env.KEY_ACCOUNT.getByName('idempotency-key');
    expect(await account.reserve(reservation('i1', { idempotencyKey: 'idem-a' }))).toEqual({ reserved: true });
    expect(await account.reserve(reservation('i2', { idempotencyKey: 'idem-a' }))).toEqual({ reserved: false, reason: 'in_progress' });
    expect(await account.reserve(reservation('i3', { idempotencyKey: 'idem-b' }))).toEqual({ reserved: true });
    await account.settle('i1', release);
    expect(await account.reserve(reservation('i4', { idempotencyKey: 'idem-a', maxConcurrent: 3 }))).toEqual({ reserved: true });
  });

  it('bills a cache hit whose replay key was billed as a replay (not again), but never a miss', async () => {
    const account = env.KEY_ACCOUNT.getByName('replay-key');
    expect(await account.settle('m1', bill(record('miss-1', { replayKey: 'rk' })))).toEqual({ recorded: true, replay: false });
    expect(await account.settle('h1', bill(record('hit-1', { replayKey: 'rk', cacheHit: true })))).toEqual({ recorded: false, replay: true });
    // A retry that missed the cache ran on a GPU again: it is new work, billed.
    expect(await account.settle('m2', bill(record('miss-2', { replayKey: 'rk' })))).toEqual({ recorded: true, replay: false });
    expect(await account.settle('h2', bill(record('hit-2', { replayKey: 'other', cacheHit: true })))).toEqual({ recorded: true, replay: false });
    // The window closes: the same hit is billed again.
    await runInDurableObject(account, (_instance, state) => {
      state.storage.sql.exec('UPDATE replays SET expires_ms = 0');
    });
    expect(await account.settle('h3', bill(record('hit-3', { replayKey: 'rk', cacheHit: true })))).toEqual({ recorded: true, replay: false });
    expect((await account.usage()).requests).toBe(4);
  });

  it('bills a lease whose answer started but whose settle never came, once, when it runs out', async () => {
    const account = env.KEY_ACCOUNT.getByName('unsettled-key');
    await account.reserve(reservation('u1', { pending: record('pending-1') }));
    await account.reserve(reservation('u2', { pending: record('pending-2') }));
    await account.markStarted('u1');
    await runInDurableObject(account, (_instance, state) => {
      state.storage.sql.exec('UPDATE leases SET expires_ms = 0');
    });
    const usage = await account.usage();
    expect(usage).toMatchObject({ requests: 1, characters: 10, reservedCharacters: 0 });
    // The late settle of the same request is recognised by its event id.
    expect(await account.settle('u1', bill(record('pending-1')))).toEqual({ recorded: false, replay: false });
    const outcomes = await runInDurableObject(account, (_instance, state) =>
      state.storage.sql.exec<{ outcome: string }>('SELECT outcome FROM events').toArray().map((row) => row.outcome),
    );
    expect(outcomes).toEqual(['unsettled']);
  });

  it('keeps a billed lease (client left, answer still being cached) until it is released', async () => {
    const account = env.KEY_ACCOUNT.getByName('charged-lease-key');
    await account.reserve(reservation('c1', { maxConcurrent: 1, pending: record('c-1') }));
    await account.markStarted('c1');
    await account.settle('c1', { bill: record('c-1', { outcome: 'client_aborted' }), release: false });
    expect((await account.reserve(reservation('c2', { maxConcurrent: 1 }))).reserved).toBe(false);
    await account.settle('c1', release);
    expect((await account.reserve(reservation('c3', { maxConcurrent: 1 }))).reserved).toBe(true);
    expect((await account.usage()).requests).toBe(1);
  });
});

describe('KeyAccount cache hits in one call', () => {
  const hit = (eventId: string, overrides: Partial<UsageRecord> = {}) => record(eventId, { cacheHit: true, priceMicros: 20, ...overrides });
  const plan = { requestsPerMinute: 3 };

  it('takes the token and bills the hit in one call, holding no lease', async () => {
    const account = env.KEY_ACCOUNT.getByName('hit-key');
    const result = await account.admitHit(plan, reservation('h1'), hit('hit-1'));
    expect(result).toMatchObject({ admission: { admitted: true, remaining: 2 }, reservation: { reserved: true }, settled: { recorded: true, replay: false } });
    expect(await account.usage()).toMatchObject({ requests: 1, cacheHits: 1, characters: 10, costMicros: 20, reservedCharacters: 0 });
    // The bucket is the one every request uses: two tokens left, then a refusal with nothing billed.
    expect((await account.admitRequest(plan)).admitted).toBe(true);
    expect((await account.admitHit(plan, reservation('h2'), hit('hit-2'))).admission.admitted).toBe(true);
    const refused = await account.admitHit(plan, reservation('h3'), hit('hit-3'));
    expect(refused).toMatchObject({ admission: { admitted: false, reason: 'rate' }, reservation: null, settled: null });
    expect((await account.usage()).requests).toBe(2);
  });

  it('is idempotent by event id: asked again, it neither takes a second token nor bills twice', async () => {
    const account = env.KEY_ACCOUNT.getByName('hit-retry-key');
    await account.admitHit(plan, reservation('r1'), hit('retried'));
    const again = await account.admitHit(plan, reservation('r1'), hit('retried'));
    expect(again).toMatchObject({ admission: { admitted: true, remaining: 2 }, reservation: { reserved: true }, settled: { recorded: false } });
    expect((await account.usage()).requests).toBe(1);
  });

  it('refuses a hit exactly as a reservation would: no free slot, no quota, its idempotency key in flight, revoked', async () => {
    const account = env.KEY_ACCOUNT.getByName('hit-refusal-key');
    const roomy = { requestsPerMinute: 100 };
    await account.reserve(reservation('busy', { maxConcurrent: 1, idempotencyKey: 'idem-busy' }));
    expect((await account.admitHit(roomy, reservation('c', { maxConcurrent: 1 }), hit('concurrency'))).reservation).toEqual({ reserved: false, reason: 'concurrency', limit: 1 });
    expect((await account.admitHit(roomy, reservation('i', { idempotencyKey: 'idem-busy' }), hit('in-progress'))).reservation).toEqual({ reserved: false, reason: 'in_progress' });
    expect((await account.admitHit(roomy, reservation('q', { monthlyCharacterQuota: 15 }), hit('quota'))).reservation).toMatchObject({ reserved: false, reason: 'quota', reservedCharacters: 10 });
    await account.settle('busy', release);
    expect((await account.admitHit(roomy, reservation('q2', { monthlyCharacterQuota: 15 }), hit('fits'))).settled).toEqual({ recorded: true, replay: false });
    expect((await account.admitHit(roomy, reservation('q3', { monthlyCharacterQuota: 15 }), hit('over'))).reservation).toMatchObject({ reserved: false, reason: 'quota', usedCharacters: 10 });
    await account.revoke();
    expect((await account.admitHit(roomy, reservation('v'), hit('revoked'))).admission).toEqual({ admitted: false, reason: 'revoked' });
    expect((await account.usage()).requests).toBe(1);
  });

  it('does not bill a replay of an event already billed under the same replay key', async () => {
    const account = env.KEY_ACCOUNT.getByName('hit-replay-key');
    await account.settle('m', bill(record('replay-miss', { replayKey: 'rk' })));
    expect((await account.admitHit(plan, reservation('h'), hit('replay-hit', { replayKey: 'rk' }))).settled).toEqual({ recorded: false, replay: true });
    expect((await account.usage()).requests).toBe(1);
  });
});
