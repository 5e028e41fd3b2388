/**
 * Reads a key's usage once the gateway has settled everything (nothing reserved, totals no longer moving): the
 * Durable Object's month totals (`GET /v1/usage`) and the D1 ledger's events (`GET /admin/usage/events`, after
 * every event has been flushed there), for comparison with what the clients received.
 * @module
 */
import type { KeyUsage, UsageEvent } from '@gsv-edge/shared';

export interface KeyLedger {
  readonly usage: KeyUsage;
  /** `characters:cacheHit` (1 or 0) per event in D1, sorted, as expected-ledger.ts writes them. */
  readonly events: string[];
}

export async function readLedger(baseUrl: string, adminHeaders: Readonly<Record<string, string>>, keyId: string, secret: string, timeoutMs: number): Promise<KeyLedger> {
  const deadline = Date.now() + timeoutMs;
  const usage = await settledUsage(baseUrl, secret, deadline);
  // Each report on one key flushes up to 200 of its events to D1 first; ask until D1 has them all.
  for (;;) {
    const response = await fetch(`${baseUrl}/admin/usage?key_id=${keyId}`, { headers: adminHeaders });
    const report = (await response.json()) as { data: { requests: number }[] };
    const flushed = report.data[0]?.requests ?? 0;
    if (flushed >= usage.totals.requests) break;
    if (Date.now() > deadline) throw new Error(`key ${keyId}: D1 has ${String(flushed)} of ${String(usage.totals.requests)} events after ${String(timeoutMs)} ms`);
    await sleep(200);
  }
  const events: string[] = [];
  let cursor: string | null = null;
  do {
    const query: string = `key_id=${keyId}&limit=10000${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const response = await fetch(`${baseUrl}/admin/usage/events?${query}`, { headers: adminHeaders });
    if (!response.ok) throw new Error(`usage events for ${keyId}: ${String(response.status)} ${await response.text()}`);
    const page = (await response.json()) as { data: UsageEvent[]; next_cursor: string | null };
    for (const event of page.data) events.push(`${String(event.characters)}:${event.cache_hit ? '1' : '0'}`);
    cursor = page.next_cursor;
  } while (cursor !== null);
  return { usage, events: events.sort() };
}

/** The key's totals once nothing is reserved and two readings a second apart agree (settlements run after answers). */
async function settledUsage(baseUrl: string, secret: string, deadline: number): Promise<KeyUsage> {
  let previous: KeyUsage | null = null;
  for (;;) {
    const response = await fetch(`${baseUrl}/v1/usage`, { headers: { authorization: `Bearer ${secret}` } });
    if (response.status === 429) {
      // The key's own rate limit counts these reads too (the small plan): wait as told.
      await response.body?.cancel();
      await sleep(Number(response.headers.get('retry-after') ?? '1') * 1000);
      continue;
    }
    if (!response.ok) throw new Error(`GET /v1/usage: ${String(response.status)} ${await response.text()}`);
    const usage = (await response.json()) as KeyUsage;
    const stable = previous !== null && previous.totals.requests === usage.totals.requests && previous.totals.cost_micros === usage.totals.cost_micros;
    if (stable && usage.quota.reserved_characters === 0) return usage;
    if (Date.now() > deadline) return usage;
    previous = usage;
    await sleep(1000);
  }
}

/** What is in `actual` and not in `expected` (extra) and the other way round (missing), as multisets. */
export function ledgerDifference(expected: readonly string[], actual: readonly string[]): { missing: string[]; extra: string[] } {
  const counts = new Map<string, number>();
  for (const event of expected) counts.set(event, (counts.get(event) ?? 0) + 1);
  const extra: string[] = [];
  for (const event of actual) {
    const left = counts.get(event) ?? 0;
    if (left > 0) counts.set(event, left - 1);
    else extra.push(event);
  }
  const missing = [...counts.entries()].flatMap(([event, left]) => Array.from({ length: left }, () => event));
  return { missing, extra };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
