/**
 * Admits each authenticated request against its key's exact token bucket (the KeyAccount Durable Object), behind a
 * per-location burst shield (the rate-limiting binding, consulted without waiting: services/burst-shield.ts). Sets `RateLimit-Limit`, `RateLimit-Remaining`,
 * `RateLimit-Reset` (seconds until the bucket is full) and `RateLimit-Policy` on the response, whatever its status,
 * and refuses with 429 `rate_limit_exceeded` plus `Retry-After`.
 *
 * Synthesis routes (`deferred`) admit later, in the same Durable Object call that reserves their concurrency slot and
 * quota ({@link admitAndReserve}), or, for a phrase this isolate holds, in the one call that also bills it
 * ({@link admitHit}); a synthesis request that fails before that point (bad input) is admitted afterwards, so it too
 * is counted and carries the headers.
 *
 * Because the Durable Object is asked on every request, a revoked key is refused at once, even while a KV copy of
 * its record is still cached.
 * @module
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { HitAdmission, LimitState, RequestAdmission, ReservationRequest, UsageRecord } from '../durable/key-account.ts';
import { gatewayConfig } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { accountOf, admissionError, reservationError } from '../services/account.ts';
import { burstRefusal, countBurst, countsForBurst } from '../services/burst-shield.ts';
import { isOverloaded } from '../services/settlement.ts';

export function rateLimit(options: { readonly deferred?: boolean } = {}): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const apiKey = c.get('apiKey');
    const shielded = burstRefusal(apiKey.id);
    if (shielded !== null) throw shielded;
    if (countsForBurst(gatewayConfig(c.env).burstCountOneIn)) c.executionCtx.waitUntil(countBurst(c.env.BURST_LIMITER, apiKey.id));
    if (options.deferred === true) {
      await next();
      if (c.get('admitted')) return;
    }
    const admission = await accountOf(c.env, apiKey.id).admitRequest({ requestsPerMinute: apiKey.plan.requests_per_minute });
    c.set('admitted', true);
    setLimitHeaders(c, admission);
    if (!admission.admitted) throw admissionError(admission);
    if (options.deferred !== true) await next();
  };
}

/** The request's token only (for requests that must look something up before they know what to reserve). */
export async function admitOnly(c: Context<AppEnv>): Promise<void> {
  const apiKey = c.get('apiKey');
  const admission = await accountOf(c.env, apiKey.id).admitRequest({ requestsPerMinute: apiKey.plan.requests_per_minute });
  c.set('admitted', true);
  setLimitHeaders(c, admission);
  if (!admission.admitted) throw admissionError(admission);
}

/** The concurrency slot and quota hold of a request already admitted. Throws the refusal. */
export async function reserveOnly(c: Context<AppEnv>, reservation: ReservationRequest): Promise<void> {
  const result = await accountOf(c.env, c.get('apiKey').id).reserve(reservation);
  if (!result.reserved) throw reservationError(result, reservation.characters);
}

/** One Durable Object call: the request's token, then its concurrency slot and quota hold. Throws the refusal. */
export async function admitAndReserve(c: Context<AppEnv>, reservation: ReservationRequest): Promise<void> {
  const apiKey = c.get('apiKey');
  const result = await accountOf(c.env, apiKey.id).admitAndReserve({ requestsPerMinute: apiKey.plan.requests_per_minute }, reservation);
  c.set('admitted', true);
  setLimitHeaders(c, result.admission);
  if (!result.admission.admitted) throw admissionError(result.admission);
  if (result.reservation !== null && !result.reservation.reserved) throw reservationError(result.reservation, reservation.characters);
}

/**
 * A whole answer from the isolate's hot phrases: the token, the reservation's checks and the bill in one Durable
 * Object call (`KeyAccount.admitHit`). The call is idempotent by event id, so one that fails unclearly (it may have
 * billed) is asked once more rather than answered 500 after a bill, or served without one. Throws the refusal.
 */
export async function admitHit(c: Context<AppEnv>, reservation: ReservationRequest, bill: UsageRecord): Promise<void> {
  const apiKey = c.get('apiKey');
  const plan = { requestsPerMinute: apiKey.plan.requests_per_minute };
  let result: HitAdmission;
  try {
    result = await accountOf(c.env, apiKey.id).admitHit(plan, reservation, bill);
  } catch (error) {
    if (isOverloaded(error)) throw error;
    result = await accountOf(c.env, apiKey.id).admitHit(plan, reservation, bill);
  }
  c.set('admitted', true);
  setLimitHeaders(c, result.admission);
  if (!result.admission.admitted) throw admissionError(result.admission);
  if (result.reservation !== null && !result.reservation.reserved) throw reservationError(result.reservation, reservation.characters);
}

function setLimitHeaders(c: Context<AppEnv>, admission: RequestAdmission): void {
  if (!('limit' in admission)) return;
  const state: LimitState = admission;
  c.header('RateLimit-Limit', String(state.limit));
  c.header('RateLimit-Remaining', String(state.remaining));
  c.header('RateLimit-Reset', String(state.resetSeconds));
  c.header('RateLimit-Policy', `${String(c.get('apiKey').plan.requests_per_minute)};w=60`);
}
