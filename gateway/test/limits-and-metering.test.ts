/**
 * Limits (rate, concurrency, monthly quota) and metering (one idempotent event per billable request, cache-hit
 * pricing, client aborts, the D1 ledger, usage reports and the Stripe export).
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { KeyUsage, UsageEvent } from '@gsv-edge/shared';
import { accountOf } from '../src/services/account.ts';
import { adminHeaders, bearer, bytesOf, call, createKey, errorOf, originStats, origins, testEnv } from './helpers.ts';

async function tts(secret: string, text: string, vars: Record<string, string>, headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) {
  const result = await call('/v1/tts', { method: 'POST', headers: bearer(secret, headers), body: JSON.stringify({ text, voice: 'tone', ...extra }) }, vars);
  const bytes = result.response.ok ? await bytesOf(result.response) : null;
  await result.settled();
  return { response: result.response, bytes };
}

async function usageOf(secret: string): Promise<KeyUsage> {
  return (await call('/v1/usage', { headers: bearer(secret) })).response.json();
}

async function eventsOf(keyId: string): Promise<UsageEvent[]> {
  const { response } = await call(`/admin/usage/events?key_id=${keyId}`, { headers: adminHeaders });
  return (await response.json<{ data: UsageEvent[] }>()).data;
}

describe('rate limit', () => {
  it('counts every request, sends RateLimit headers on every response, and answers 429 with Retry-After', async () => {
    const key = await createKey({ requests_per_minute: 2 });
    const first = (await call('/v1/usage', { headers: bearer(key.secret) })).response;
    expect(first.headers.get('ratelimit-limit')).toBe('2');
    expect(first.headers.get('ratelimit-remaining')).toBe('1');
    expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    const invalid = (await call('/v1/tts', { method: 'POST', headers: bearer(key.secret), body: '{}' })).response;
    expect(invalid.status).toBe(400);
    expect(invalid.headers.get('ratelimit-remaining')).toBe('0');
    const refused = (await call('/v1/usage', { headers: bearer(key.secret) })).response;
    expect(refused.status).toBe(429);
    expect(await errorOf(refused)).toMatchObject({ code: 'rate_limit_exceeded', type: 'rate_limit_error' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(20);
    expect(retryAfter).toBeLessThanOrEqual(30);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
  });

  it('bounds concurrent syntheses per key until the stream in flight has finished', async () => {
    const key = await createKey({ max_concurrent: 1 });
    const vars = { GPU_ORIGINS: origins('slow-conc') };
    const first = await call('/v1/tts', { method: 'POST', headers: bearer(key.secret), body: JSON.stringify({ text: 'Holding the slot.', voice: 'tone', stream: true }) }, vars);
    const second = await tts(key.secret, 'Waiting my turn.', vars);
    expect(second.response.status).toBe(429);
    expect(await errorOf(second.response)).toMatchObject({ code: 'concurrency_limit_exceeded' });
    expect(second.response.headers.get('retry-after')).toBe('1');
    await bytesOf(first.response);
    await first.settled();
    expect((await tts(key.secret, 'Waiting my turn.', vars)).response.status).toBe(200);
  });
});

describe('monthly quota', () => {
  it('refuses with 402 quota_exceeded once the characters are used up, cache hits included', async () => {
    const key = await createKey({ monthly_character_quota: 30 });
    const vars = { GPU_ORIGINS: origins('ok-quota') };
    expect((await tts(key.secret, 'Twelve chars', vars)).response.status).toBe(200);
    expect((await tts(key.secret, 'Twelve chars', vars)).response.headers.get('x-cache')).toBe('HIT');
    const refused = await tts(key.secret, 'Seven c', vars);
    expect(refused.response.status).toBe(402);
    expect(await errorOf(refused.response)).toMatchObject({ code: 'quota_exceeded', type: 'insufficient_quota' });
    expect((await tts(key.secret, 'Six c.', vars)).response.status).toBe(200);
    const usage = await usageOf(key.secret);
    expect(usage.quota).toEqual({ monthly_characters: 30, used_characters: 30, reserved_characters: 0, remaining_characters: 0 });
  });
});

describe('metering', () => {
  it('records one event per request, pricing cache hits at the cache-hit price', async () => {
    const key = await createKey({ price_per_1k_chars_micros: 20_000, cache_hit_price_per_1k_chars_micros: 2_000 });
    const vars = { GPU_ORIGINS: origins('ok-meter') };
    await tts(key.secret, 'Ten chars!', vars);
    await tts(key.secret, 'Ten chars!', vars);
    const usage = await usageOf(key.secret);
    expect(usage.totals).toMatchObject({ requests: 2, characters: 20, cache_hits: 1, cached_characters: 10, cost_micros: 220 });
    const events = await eventsOf(key.id);
    expect(events.map((event) => [event.cache_hit, event.price_micros, event.outcome])).toEqual([
      [false, 200, 'completed'],
      [true, 20, 'completed'],
    ]);
    expect(events[0]?.audio_seconds).toBeCloseTo(0.3);
  });

  it('does not bill a retry with the same Idempotency-Key answered from the cache; x-request-id is only a label', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-retry') };
    await tts(key.secret, 'Retried phrase.', vars, { 'idempotency-key': 'idem-1' });
    const retry = await tts(key.secret, 'Retried phrase.', vars, { 'idempotency-key': 'idem-1' });
    expect(retry.response.headers.get('x-cache')).toBe('HIT');
    // The same request id twice is two deliveries (each billed); so is the same idempotency key on another text.
    await tts(key.secret, 'Labelled phrase.', vars, { 'x-request-id': 'label-1' });
    await tts(key.secret, 'Labelled phrase.', vars, { 'x-request-id': 'label-1' });
    await tts(key.secret, 'Another phrase.', vars, { 'idempotency-key': 'idem-1' });
    const events = await eventsOf(key.id);
    expect(events.map((event) => [event.cache_hit, event.request_id])).toEqual([
      [false, expect.any(String)],
      [false, 'label-1'],
      [true, 'label-1'],
      [false, expect.any(String)],
    ]);
  });

  it('bills a client that leaves mid-stream once, finishes and caches the audio, and does not bill its retry again', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('slow-abort') };
    const body = JSON.stringify({ text: 'Left before the end.', voice: 'tone', stream: true });
    const first = await call('/v1/tts', { method: 'POST', headers: bearer(key.secret, { 'idempotency-key': 'leaver-1' }), body }, vars);
    const reader = (first.response.body ?? new ReadableStream<Uint8Array>()).getReader();
    expect((await reader.read()).done).toBe(false);
    await reader.cancel('client went away');
    await first.settled();

    let events = await eventsOf(key.id);
    expect(events.map((event) => [event.outcome, event.cache_hit])).toEqual([['client_aborted', false]]);
    const retry = await tts(key.secret, 'Left before the end.', vars, { 'idempotency-key': 'leaver-1' }, { stream: true });
    expect(retry.response.headers.get('x-cache')).toBe('HIT');
    expect(retry.bytes?.length).toBeGreaterThan(44);
    events = await eventsOf(key.id);
    expect(events).toHaveLength(1);
    expect((await originStats('slow-abort')).synthesize).toBe(1);
    expect((await usageOf(key.secret)).quota.reserved_characters).toBe(0);
  });

  it('flushes events from the Durable Object to D1 on its alarm, once', async () => {
    const key = await createKey();
    await tts(key.secret, 'Flushed phrase.', { GPU_ORIGINS: origins('ok-flush') });
    const count = async () =>
      (await env.DB.prepare('SELECT COUNT(*) AS n FROM usage_events WHERE key_id = ?').bind(key.id).first<{ n: number }>())?.n;
    expect(await count()).toBe(0);
    const account = accountOf(env, key.id);
    const { runDurableObjectAlarm } = await import('cloudflare:test');
    expect(await runDurableObjectAlarm(account)).toBe(true);
    expect(await count()).toBe(1);
    expect(await account.flush()).toBe(0);
    expect(await count()).toBe(1);
  });
});

describe('usage reports', () => {
  it('reports per key and period as JSON and CSV, and exports Stripe meter events', async () => {
    const key = await createKey({}, { name: 'Report, "quoted"', stripe_customer_id: 'cus_Report1' });
    const vars = { GPU_ORIGINS: origins('ok-report') };
    await tts(key.secret, 'Report one.', vars);
    await tts(key.secret, 'Report one.', vars);

    const json = await call(`/admin/usage?key_id=${key.id}`, { headers: adminHeaders });
    const report = await json.response.json<{ data: { key_id: string; requests: number; cost_micros: number }[] }>();
    expect(report.data).toEqual([expect.objectContaining({ key_id: key.id, requests: 2, cost_micros: 220 + 22 })]);

    const csv = await (await call(`/admin/usage?key_id=${key.id}&format=csv`, { headers: adminHeaders })).response.text();
    expect(csv.split('\r\n')[0]).toBe('key_id,name,currency,requests,characters,cache_hits,cached_characters,audio_seconds,cost_micros');
    expect(csv).toContain(`${key.id},"Report, ""quoted""",usd,2,22,1,11,`);

    const eventsCsv = await (await call(`/admin/usage/events?key_id=${key.id}&format=csv`, { headers: adminHeaders })).response.text();
    expect(eventsCsv.trim().split('\r\n')).toHaveLength(3);

    const stripe = await call(`/admin/usage/events?key_id=${key.id}&format=stripe`, { headers: adminHeaders });
    const meter = await stripe.response.json<{ data: { identifier: string; payload: { stripe_customer_id: string; value: string } }[] }>();
    expect(meter.data.map((event) => event.payload)).toEqual([
      { stripe_customer_id: 'cus_Report1', value: '220' },
      { stripe_customer_id: 'cus_Report1', value: '22' },
    ]);

    const sync = await call(`/admin/usage/stripe-sync?key_id=${key.id}`, { method: 'POST', headers: adminHeaders });
    expect(await sync.response.json()).toEqual({ object: 'stripe_sync', sent: 2, failed: [], has_more: false, stopped: null });
    const again = await call(`/admin/usage/stripe-sync?key_id=${key.id}`, { method: 'POST', headers: adminHeaders });
    expect((await again.response.json<{ sent: number }>()).sent).toBe(0);
    const received = await (await fetch(`${testEnv.FAKE_ORIGIN}/__stripe`)).json<Record<string, string>[]>();
    const mine = received.filter((form) => form['payload[stripe_customer_id]'] === 'cus_Report1');
    expect(mine.map((form) => form.identifier)).toEqual(meter.data.map((event) => event.identifier));
    expect(mine[0]).toMatchObject({ event_name: 'gsv_edge_usage_micros', 'payload[value]': '220' });
  });

  it('pages events with a cursor and rejects a bad period naming the parameter', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('ok-pages') };
    for (const text of ['Page one.', 'Page two.', 'Page three.']) await tts(key.secret, text, vars);
    const first = await call(`/admin/usage/events?key_id=${key.id}&limit=2`, { headers: adminHeaders });
    const page = await first.response.json<{ data: UsageEvent[]; next_cursor: string }>();
    expect(page.data).toHaveLength(2);
    const rest = await call(`/admin/usage/events?key_id=${key.id}&limit=2&cursor=${encodeURIComponent(page.next_cursor)}`, { headers: adminHeaders });
    const last = await rest.response.json<{ data: UsageEvent[]; next_cursor: string | null }>();
    expect(last.data).toHaveLength(1);
    expect(last.next_cursor).toBeNull();

    const bad = await call('/admin/usage?from=yesterday', { headers: adminHeaders });
    expect(bad.response.status).toBe(400);
    expect(await errorOf(bad.response)).toMatchObject({ code: 'invalid_field', param: 'from' });
    const reversed = await call('/admin/usage?from=2026-02-01&to=2026-01-01', { headers: adminHeaders });
    expect((await errorOf(reversed.response)).param).toBe('to');
  });
});
