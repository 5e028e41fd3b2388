/**
 * The billing invariant's oracle: the ledger the billing rules (services/billing.ts) give a key for what its clients
 * observed (status, X-Cache, 206, whether they read to the end, left, or saw the stream break), computed without the
 * gateway's own bookkeeping. Shared by the property test in workerd (billing-invariant.test.ts) and the load suite
 * against the real stack (scripts/reliability/load.ts). Pure: no runtime APIs, so both runtimes can import it.
 * @module
 */

export interface Observation {
  /** Whose ledger the request belongs to (an index or a key id). */
  readonly key: number | string;
  readonly characters: number;
  readonly status: number;
  readonly cache: string | null;
  readonly synthesisKey: string | null;
  readonly idempotencyKey: string | null;
  /** What the client got of a 2xx answer. */
  readonly received: 'whole' | 'left' | 'broken' | 'none';
}

/** The bill the rules give for what one key's clients observed: `characters:cacheHit` (1 or 0) per event, sorted. */
export function expectedLedger(observations: readonly Observation[], key: number | string): string[] {
  const mine = observations.filter((seen) => seen.key === key && seen.status >= 200 && seen.status < 300);
  const events: string[] = [];
  const playbacks = new Set<string>();
  const replayGroups = new Map<string, Observation[]>();
  for (const seen of mine) {
    if (seen.status === 206) {
      // Rule 3: one playback per key, phrase and day.
      if (!playbacks.has(seen.synthesisKey ?? '')) events.push(`${String(seen.characters)}:1`);
      playbacks.add(seen.synthesisKey ?? '');
    } else if (seen.idempotencyKey !== null && seen.synthesisKey !== null) {
      const group = `${seen.idempotencyKey}\n${seen.synthesisKey}`;
      replayGroups.set(group, [...(replayGroups.get(group) ?? []), seen]);
    } else if (seen.cache === 'HIT' || seen.received !== 'broken') {
      // Rules 1 and 2: a whole cached answer, or a synthesis that was not broken by its origin.
      events.push(`${String(seen.characters)}:${seen.cache === 'HIT' ? '1' : '0'}`);
    }
  }
  for (const group of replayGroups.values()) {
    // Rule 4: within a group, requests never overlap (a second one is refused while the first runs), a phrase once
    // cached stays cached, so every billed miss precedes every hit; a hit is billed only if nothing was before it.
    const billedMisses = group.filter((seen) => seen.cache !== 'HIT' && seen.received !== 'broken');
    const hits = group.filter((seen) => seen.cache === 'HIT');
    for (const seen of billedMisses) events.push(`${String(seen.characters)}:0`);
    const first = hits[0];
    if (billedMisses.length === 0 && first !== undefined) events.push(`${String(first.characters)}:1`);
  }
  return events.sort();
}

/** Each event of a ledger (as {@link expectedLedger} writes them) priced as the gateway prices it, summed. */
export function ledgerCostMicros(ledger: readonly string[], pricePer1k: number, hitPricePer1k: number): number {
  return ledger.reduce((sum, event) => {
    const [characters, hit] = event.split(':');
    // services/account.ts priceMicros: rounded up to a whole micro, per event.
    return sum + Math.ceil((Number(characters) * (hit === '1' ? hitPricePer1k : pricePer1k)) / 1000);
  }, 0);
}
