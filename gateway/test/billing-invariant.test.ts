/**
 * The billing invariant, over random interleavings of syntheses (cache hits and misses, random seeds, retries with
 * and without an Idempotency-Key, Range reads, clients that leave early, origins that die mid-stream), playbacks and
 * key revocations, run in concurrent groups against the gateway in workerd:
 *
 *   for every key, the events in its ledger are exactly the deliveries the billing rules (services/billing.ts) bill
 *   for what that key actually received — no delivery unbilled, none billed twice, none billed to another key —
 *   and nothing stays reserved once every request has ended.
 *
 * The expected ledger is computed from what the clients observed (status, X-Cache, 206, whether they read to the
 * end, left, or saw the stream break), never from the gateway's own bookkeeping.
 */
import { runInDurableObject } from 'cloudflare:test';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectedLedger, type Observation } from './expected-ledger.ts';
import { adminHeaders, bearer, call, createKey, origins, testEnv } from './helpers.ts';

const TEXTS = ['Alpha one.', 'Beta, number two!'] as const;
type OriginKind = 'ok' | 'slow' | 'abort';

type Op =
  | {
      readonly kind: 'synth';
      readonly key: 0 | 1;
      readonly text: 0 | 1;
      readonly idempotencyKey: 'i1' | 'i2' | null;
      readonly randomSeed: boolean;
      readonly range: 'bytes=1-' | 'bytes=0-99' | null;
      readonly origin: OriginKind;
      /** Chunks the client reads before leaving; `null` reads to the end. */
      readonly readChunks: 1 | 2 | null;
    }
  | { readonly kind: 'playback'; readonly key: 0 | 1; readonly text: 0 | 1; readonly range: 'bytes=1-' | null }
  | { readonly kind: 'revoke'; readonly key: 0 | 1 };

const opArbitrary: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constant('synth' as const),
      key: fc.constantFrom(0 as const, 1 as const),
      text: fc.constantFrom(0 as const, 1 as const),
      idempotencyKey: fc.constantFrom('i1' as const, 'i1' as const, 'i2' as const, null, null),
      randomSeed: fc.constantFrom(false, false, false, false, true),
      range: fc.constantFrom(null, null, null, 'bytes=1-' as const, 'bytes=0-99' as const),
      origin: fc.constantFrom<OriginKind>('ok', 'ok', 'ok', 'slow', 'abort'),
      readChunks: fc.constantFrom(null, null, 1 as const, 2 as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('playback' as const),
      key: fc.constantFrom(0 as const, 1 as const),
      text: fc.constantFrom(0 as const, 1 as const),
      range: fc.constantFrom(null, 'bytes=1-' as const),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('revoke' as const), key: fc.constantFrom(0 as const, 1 as const) }) },
);

/** Reads a response the way the op's client does: to the end, or some chunks and then away. */
async function receive(response: Response, readChunks: number | null): Promise<Observation['received']> {
  if (!response.ok || response.body === null) {
    await response.body?.cancel();
    return 'none';
  }
  const reader = response.body.getReader();
  try {
    for (let read = 0; readChunks === null || read < readChunks; read += 1) {
      if ((await reader.read()).done) return 'whole';
    }
  } catch {
    return 'broken';
  }
  await reader.cancel('the client left');
  return 'left';
}

async function runOp(op: Op, keys: readonly { id: string; secret: string }[], synthesisKeys: Map<number, string>): Promise<Observation | null> {
  const key = keys[op.key];
  if (key === undefined) throw new Error('no such key');
  if (op.kind === 'revoke') {
    const revoked = await call(`/admin/keys/${key.id}/revoke`, { method: 'POST', headers: adminHeaders });
    await revoked.response.body?.cancel();
    await revoked.settled();
    return null;
  }
  const text = TEXTS[op.text];
  if (op.kind === 'playback') {
    const synthesisKey = synthesisKeys.get(op.text) ?? '0'.repeat(64);
    const played = await call(`/v1/audio/${synthesisKey}`, { headers: bearer(key.secret, op.range === null ? {} : { range: op.range }) }, { GPU_ORIGINS: origins('ok-invariant') });
    const received = await receive(played.response, null);
    await played.settled();
    return { key: op.key, characters: text.length, status: played.response.status, cache: played.response.headers.get('x-cache'), synthesisKey, idempotencyKey: null, received };
  }
  const headers: Record<string, string> = {};
  if (op.idempotencyKey !== null) headers['idempotency-key'] = op.idempotencyKey;
  if (op.range !== null) headers.range = op.range;
  const body = { text, voice: 'tone', stream: op.origin !== 'ok', ...(op.randomSeed ? { seed: -1 } : {}) };
  const answered = await call('/v1/tts', { method: 'POST', headers: bearer(key.secret, headers), body: JSON.stringify(body) }, { GPU_ORIGINS: origins(`${op.origin}-invariant`) });
  const received = await receive(answered.response, op.readChunks);
  await answered.settled();
  const synthesisKey = answered.response.headers.get('x-gsv-synthesis-key');
  if (synthesisKey !== null) synthesisKeys.set(op.text, synthesisKey);
  return {
    key: op.key,
    characters: text.length,
    status: answered.response.status,
    cache: answered.response.headers.get('x-cache'),
    synthesisKey,
    idempotencyKey: op.idempotencyKey,
    received,
  };
}

async function ledgerOf(keyId: string): Promise<{ events: string[]; requests: number; characters: number; reserved: number }> {
  return runInDurableObject(testEnv.KEY_ACCOUNT.getByName(keyId), async (instance, state) => {
    const rows = state.storage.sql.exec<{ characters: number; cache_hit: number }>('SELECT characters, cache_hit FROM events').toArray();
    const usage = await instance.usage();
    return {
      events: rows.map((row) => `${String(row.characters)}:${String(row.cache_hit)}`).sort(),
      requests: usage.requests,
      characters: usage.characters,
      reserved: usage.reservedCharacters,
    };
  });
}

const synth = (key: 0 | 1, text: 0 | 1, more: Partial<Extract<Op, { kind: 'synth' }>> = {}): Op => ({
  kind: 'synth',
  key,
  text,
  idempotencyKey: null,
  randomSeed: false,
  range: null,
  origin: 'ok',
  readChunks: null,
  ...more,
});

/** Interleavings every run includes before the random ones: each rule's decisive case. */
const EXAMPLES: Op[][][] = [
  // A retry answered from the cache (replay), and the same text with another idempotency key (billed).
  [[synth(0, 0, { idempotencyKey: 'i1' })], [synth(0, 0, { idempotencyKey: 'i1' })], [synth(0, 0, { idempotencyKey: 'i2' })]],
  // A retry while the first is still streaming (409), and its replay afterwards.
  [[synth(0, 1, { idempotencyKey: 'i1', origin: 'slow' }), synth(0, 1, { idempotencyKey: 'i1' })], [synth(0, 1, { idempotencyKey: 'i1' })]],
  // A client that leaves (billed) and one whose stream the origin breaks (not billed), on both keys at once.
  [[synth(1, 1, { origin: 'abort', readChunks: 1 }), synth(0, 1, { origin: 'abort' })], [synth(1, 1, { origin: 'slow', readChunks: 1 })]],
  // Ranged reads: one playback per key and phrase, on POST and on the playback route.
  [[synth(0, 0)], [synth(0, 0, { range: 'bytes=1-' }), { kind: 'playback', key: 0, text: 0, range: 'bytes=1-' }, synth(1, 0, { range: 'bytes=0-99' })]],
  // Random seeds with one idempotency key, and a revocation racing a request in flight.
  [[synth(1, 0, { randomSeed: true, idempotencyKey: 'i1' })], [synth(1, 0, { randomSeed: true, idempotencyKey: 'i1' }), { kind: 'revoke', key: 1 }, synth(1, 1, { origin: 'slow' })]],
];

describe('billing invariant', () => {
  it('bills each key exactly for what its clients received, over random interleavings', { timeout: 240_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.array(opArbitrary, { minLength: 1, maxLength: 3 }), { minLength: 2, maxLength: 6 }), async (groups) => {
        const keys = await Promise.all([createKey({ max_concurrent: 4 }), createKey({ max_concurrent: 4 })]);
        const synthesisKeys = new Map<number, string>();
        const observations: Observation[] = [];
        for (const group of groups) {
          const seen = await Promise.all(group.map((op) => runOp(op, keys, synthesisKeys)));
          for (const observation of seen) if (observation !== null) observations.push(observation);
        }
        for (const [index, key] of keys.entries()) {
          const ledger = await ledgerOf(key.id);
          const expected = expectedLedger(observations, index);
          expect(ledger.events, `ledger of key ${String(index)}`).toEqual(expected);
          // No event counted twice in the month totals, and no lease left behind.
          expect(ledger.requests).toBe(expected.length);
          expect(ledger.characters).toBe(expected.reduce((sum, event) => sum + Number(event.split(':')[0]), 0));
          expect(ledger.reserved).toBe(0);
        }
      }),
      { numRuns: 40, examples: EXAMPLES.map((groups) => [groups]) },
    );
  });
});
