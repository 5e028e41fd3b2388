/**
 * The per-location shield in front of each key's Durable Object (the BURST_LIMITER binding, wrangler.toml): it only
 * stops a runaway client before it reaches the object; plans are enforced exactly by the object itself.
 *
 * Every request is counted with the binding, but no request waits for the count: a refusal marks the key in this
 * isolate for the binding's period, and from then on the key's requests are refused from memory, before any I/O. A
 * flood therefore reaches the object with at most the requests each isolate already had in flight when its first
 * refusal came back, while a request within the limits pays no round trip for the shield. (Awaited, the count was a
 * second round trip in series with the object's on every cached phrase; under `wrangler dev` the binding is itself
 * emulated by a Durable Object, so it cost about as much as the admission.)
 *
 * And not every request is counted: one in BURST_COUNT_ONE_IN (default 8), chosen at random, against a limit that
 * many times smaller (wrangler.toml). A flood is stopped as before, since the sampled count estimates the real one
 * closely at the limit (10,000 requests give 1,250 ± 33 counts), and seven requests in eight make no call at all:
 * under `wrangler dev` the counting alone made a cached HIT cost about 0.5x a `/healthz` more (issue 14's load
 * suite). A refusal still shields the key for the whole period, whichever request drew it.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';

/** The BURST_LIMITER period (wrangler.toml): a key over the limit is refused from memory this long. */
export const BURST_PERIOD_MS = 10_000;
/** Bounds the map, so a flood of keys cannot grow the isolate's memory. */
const MAX_ENTRIES = 10_000;

const shieldedUntil = new Map<string, number>();

/** The refusal for a key this isolate has seen over the burst limit within the period, or `null`. */
export function burstRefusal(keyId: string, now: number = Date.now()): ApiError | null {
  const until = shieldedUntil.get(keyId);
  if (until === undefined) return null;
  if (until <= now) {
    shieldedUntil.delete(keyId);
    return null;
  }
  return new ApiError('rate_limit_exceeded', 'Too many requests from this key at this location; slow down.', { retryAfterSeconds: Math.ceil((until - now) / 1000) });
}

/** Whether this request is one of the sample the shield counts (one in `oneIn`). */
export function countsForBurst(oneIn: number, random: () => number = Math.random): boolean {
  return oneIn <= 1 || random() * oneIn < 1;
}

/** Counts one request of `keyId`; when the binding refuses, the key is shielded in this isolate. Never throws. */
export async function countBurst(limiter: RateLimit, keyId: string, now: number = Date.now()): Promise<void> {
  let success: boolean;
  try {
    ({ success } = await limiter.limit({ key: keyId }));
  } catch {
    // The shield failing open costs nothing but protection; the object still enforces the plan.
    return;
  }
  if (success) return;
  shieldedUntil.delete(keyId);
  if (shieldedUntil.size >= MAX_ENTRIES) {
    // Maps iterate in insertion order: the first entry is the oldest.
    const oldest = shieldedUntil.keys().next();
    if (oldest.done !== true) shieldedUntil.delete(oldest.value);
  }
  shieldedUntil.set(keyId, now + BURST_PERIOD_MS);
}
