/**
 * What stops well-formed but unknown API keys from costing the operator anything. A key's checksum is public (so
 * secret scanners can recognise keys), so anyone can mint keys that pass it; each such key would otherwise cost a KV
 * read and a D1 query.
 *
 * - Unknown key hashes are remembered in the isolate for {@link NEGATIVE_TTL_MS}: repeating one costs nothing.
 * - Each failed lookup is counted per client address with the AUTH_FAILURE_LIMITER binding (per location); an
 *   address past the limit is refused before any lookup, in this isolate, until the binding's period has passed.
 *   Valid keys never count, so a busy customer behind one address is never slowed by this.
 * @module
 */

/** How long an unknown key hash is answered from memory. Keys are 190-bit random: a new key is never in here. */
export const NEGATIVE_TTL_MS = 60_000;
/** The AUTH_FAILURE_LIMITER period (wrangler.toml); an address over the limit is refused this long. */
export const BLOCK_MS = 60_000;
/** Bounds both maps, so a flood of keys or addresses cannot grow the isolate's memory. */
const MAX_ENTRIES = 10_000;

const unknownHashes = new Map<string, number>();
const blockedAddresses = new Map<string, number>();

function remember(map: Map<string, number>, name: string, untilMs: number): void {
  map.delete(name);
  if (map.size >= MAX_ENTRIES) {
    // Maps iterate in insertion order: the first entry is the oldest.
    const oldest = map.keys().next();
    if (oldest.done !== true) map.delete(oldest.value);
  }
  map.set(name, untilMs);
}

function active(map: Map<string, number>, name: string, now: number): boolean {
  const until = map.get(name);
  if (until === undefined) return false;
  if (until > now) return true;
  map.delete(name);
  return false;
}

export function isKnownUnknown(hash: string, now: number = Date.now()): boolean {
  return active(unknownHashes, hash, now);
}

export function isBlockedAddress(address: string, now: number = Date.now()): boolean {
  return active(blockedAddresses, address, now);
}

/** Records a lookup that found no key: the hash is remembered, and the address charged one failure. */
export async function recordUnknownKey(limiter: RateLimit, hash: string, address: string, now: number = Date.now()): Promise<void> {
  remember(unknownHashes, hash, now + NEGATIVE_TTL_MS);
  const { success } = await limiter.limit({ key: `auth-failure:${address}` });
  if (!success) remember(blockedAddresses, address, now + BLOCK_MS);
}
