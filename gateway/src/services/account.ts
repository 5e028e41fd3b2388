/**
 * The gateway's side of a key's Durable Object: reaching it, turning its refusals into API errors, and pricing.
 * @module
 */
import { ApiError, type Plan } from '@gsv-edge/shared';
import type { KeyAccount, RequestAdmission, ReservationRequest, ReservationResult } from '../durable/key-account.ts';
import type { ApiKeyRecord } from './key-store.ts';

export function accountOf(env: Cloudflare.Env, keyId: string): DurableObjectStub<KeyAccount> {
  return env.KEY_ACCOUNT.getByName(keyId);
}

/**
 * Price of `characters` at a per-1000-characters price, rounded up to a whole micro. Exact: the plan schema bounds
 * the price and the gateway bounds the characters so that their product stays below 2^53.
 */
export function priceMicros(characters: number, per1kMicros: number): number {
  return Math.ceil((characters * per1kMicros) / 1000);
}

export function unitPrice(plan: Plan, cacheHit: boolean): number {
  return cacheHit ? plan.cache_hit_price_per_1k_chars_micros : plan.price_per_1k_chars_micros;
}

export function revokedError(): ApiError {
  return new ApiError('revoked_api_key', 'This API key has been revoked; ask the operator for a new one.');
}

export function admissionError(admission: Exclude<RequestAdmission, { admitted: true }>): ApiError {
  if (admission.reason === 'revoked') return revokedError();
  return new ApiError(
    'rate_limit_exceeded',
    `Rate limit of ${String(admission.limit)} requests per minute reached; retry in ${String(admission.retryAfterSeconds)} s.`,
    { retryAfterSeconds: admission.retryAfterSeconds },
  );
}

export function reservationError(result: Exclude<ReservationResult, { reserved: true }>, characters: number): ApiError {
  switch (result.reason) {
    case 'revoked':
      return revokedError();
    case 'in_progress':
      return new ApiError(
        'idempotency_key_in_use',
        'A request with this Idempotency-Key is still in progress; retry it once that one has finished.',
        { param: 'Idempotency-Key', retryAfterSeconds: 1 },
      );
    case 'concurrency':
      return new ApiError(
        'concurrency_limit_exceeded',
        `This key may have ${String(result.limit)} syntheses in flight at once; retry when one finishes.`,
        { retryAfterSeconds: 1 },
      );
    case 'quota':
      return new ApiError(
        'quota_exceeded',
        `The monthly quota of ${String(result.quota)} characters is used up (${String(result.usedCharacters)} used, ` +
          `${String(result.reservedCharacters)} in flight, this request needs ${String(characters)}); it renews on the 1st (UTC).`,
      );
  }
}

export function reservationFor(
  apiKey: ApiKeyRecord,
  reservationId: string,
  characters: number,
  leaseTtlMs: number,
  hold: Pick<ReservationRequest, 'idempotencyKey' | 'pending'> = { idempotencyKey: null, pending: null },
): ReservationRequest {
  return {
    reservationId,
    characters,
    maxConcurrent: apiKey.plan.max_concurrent,
    monthlyCharacterQuota: apiKey.plan.monthly_character_quota,
    leaseTtlMs,
    ...hold,
  };
}
