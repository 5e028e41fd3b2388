/**
 * Delivers a request's settlement (its bill and the release of its lease) to its key's Durable Object without ever
 * losing it: a few quick retries, then the durable outbox, whose alarm keeps trying. Settlements are idempotent, so
 * a retry after an unclear failure cannot bill twice. Never throws: callers run it under `waitUntil`.
 * @module
 */
import type { KeyAccount, Settlement } from '../durable/key-account.ts';
import type { UsageOutbox } from '../durable/usage-outbox.ts';
import { log } from '../log.ts';

/** Outbox objects keys are spread over. Changing it only moves where new settlements wait. */
const OUTBOX_SHARDS = 4;
const RETRY_DELAYS_MS = [50, 250] as const;

export interface SettlementTarget {
  readonly env: Cloudflare.Env;
  readonly keyId: string;
  readonly reservationId: string;
  /** For log lines. */
  readonly requestId: string;
}

function accountStub(env: Cloudflare.Env, keyId: string): DurableObjectStub<KeyAccount> {
  return env.KEY_ACCOUNT.getByName(keyId);
}

export function outboxOf(env: Cloudflare.Env, keyId: string): DurableObjectStub<UsageOutbox> {
  let hash = 0;
  for (let i = 0; i < keyId.length; i += 1) hash = (hash * 31 + keyId.charCodeAt(i)) >>> 0;
  return env.USAGE_OUTBOX.getByName(`outbox-${String(hash % OUTBOX_SHARDS)}`);
}

export async function settleUsage(target: SettlementTarget, settlement: Settlement): Promise<void> {
  const { env, keyId, reservationId } = target;
  let failure: unknown;
  for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt += 1) {
    try {
      await accountStub(env, keyId).settle(reservationId, settlement);
      return;
    } catch (error) {
      failure = error;
      // An overloaded object would only be overloaded further by retrying it now (Cloudflare's guidance).
      if (isOverloaded(error)) break;
      const delay = RETRY_DELAYS_MS[attempt];
      if (delay !== undefined) await sleep(delay);
    }
  }
  try {
    await outboxOf(env, keyId).enqueue(keyId, reservationId, settlement);
    log(env.LOG_LEVEL, 'warn', 'settlement queued in the outbox', { request_id: target.requestId, key_id: keyId, error: String(failure) });
  } catch (error) {
    // Both the key's object and its outbox refused: the lease's own expiry is what is left (see KeyAccount.pending).
    log(env.LOG_LEVEL, 'error', 'usage settlement lost', {
      request_id: target.requestId,
      key_id: keyId,
      event_id: settlement.bill?.eventId ?? null,
      error: String(error),
    });
  }
}

/**
 * Tells the key's object that the answer has started, so that a lease which later runs out unsettled is billed.
 * Insurance only: a failure is logged, and the settle that follows normally makes it moot.
 */
export async function markStarted(target: SettlementTarget): Promise<void> {
  for (let attempt = 0; attempt < 2; attempt += 1) {
    try {
      await accountStub(target.env, target.keyId).markStarted(target.reservationId);
      return;
    } catch (error) {
      if (attempt === 1) log(target.env.LOG_LEVEL, 'warn', 'markStarted failed', { request_id: target.requestId, error: String(error) });
    }
  }
}

/** Cloudflare's mark on an error from a Durable Object that is overloaded (retrying only makes it worse). */
export function isOverloaded(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'overloaded' in error && error.overloaded === true;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
