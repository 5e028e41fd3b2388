/**
 * One Durable Object per API key: an exact token bucket and concurrency leases, on the object's SQLite storage.
 * A Durable Object is single-threaded and strongly consistent, which is what makes the limits exact across every
 * Cloudflare location, unlike the per-location rate-limit binding.
 *
 * Methods return results instead of throwing; the gateway turns a refusal into its 429.
 * @module
 */
import { DurableObject } from 'cloudflare:workers';

export interface LimitPlan {
  /** Sustained request rate. */
  readonly requestsPerMinute: number;
  /** Bucket size: how many requests may arrive at once after a quiet period. Defaults to `requestsPerMinute`. */
  readonly burst?: number;
  /** Requests holding a lease at the same time. */
  readonly maxConcurrent: number;
  /** A lease not released within this time is dropped, so a crashed request cannot hold a slot forever. */
  readonly leaseTtlMs: number;
}

export interface LimitState {
  readonly limit: number;
  /** Whole tokens left after this decision. */
  readonly remaining: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
}

export type AdmitResult =
  | (LimitState & { readonly admitted: true; readonly leaseId: string })
  | (LimitState & { readonly admitted: false; readonly reason: 'rate' | 'concurrency'; readonly retryAfterSeconds: number });

export class KeyAccount extends DurableObject {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`
      CREATE TABLE IF NOT EXISTS bucket (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        tokens REAL NOT NULL,
        updated_ms INTEGER NOT NULL
      );
      CREATE TABLE IF NOT EXISTS leases (
        id TEXT PRIMARY KEY,
        expires_ms INTEGER NOT NULL
      );
    `);
  }

  /** Takes one token and one concurrency slot, or says which limit refused and when to retry. */
  admit(plan: LimitPlan): AdmitResult {
    const now = Date.now();
    const capacity = plan.burst ?? plan.requestsPerMinute;
    const refillPerMs = plan.requestsPerMinute / 60_000;
    const tokens = this.#refill(now, capacity, refillPerMs);
    this.#sql.exec('DELETE FROM leases WHERE expires_ms <= ?', now);
    const held = this.#sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM leases').one().n;
    const state = (left: number): LimitState => ({
      limit: capacity,
      remaining: Math.floor(left),
      resetSeconds: Math.ceil((capacity - left) / refillPerMs / 1000),
    });

    if (held >= plan.maxConcurrent) {
      const soonest = this.#sql.exec<{ t: number }>('SELECT MIN(expires_ms) AS t FROM leases').one().t;
      this.#store(tokens, now);
      return { ...state(tokens), admitted: false, reason: 'concurrency', retryAfterSeconds: Math.max(1, Math.ceil((soonest - now) / 1000)) };
    }
    if (tokens < 1) {
      this.#store(tokens, now);
      return { ...state(tokens), admitted: false, reason: 'rate', retryAfterSeconds: Math.ceil((1 - tokens) / refillPerMs / 1000) };
    }
    const leaseId = crypto.randomUUID();
    this.#sql.exec('INSERT INTO leases (id, expires_ms) VALUES (?, ?)', leaseId, now + plan.leaseTtlMs);
    this.#store(tokens - 1, now);
    return { ...state(tokens - 1), admitted: true, leaseId };
  }

  /** Frees a concurrency slot. Releasing an unknown or expired lease is a no-op, so release can be retried. */
  release(leaseId: string): void {
    this.#sql.exec('DELETE FROM leases WHERE id = ?', leaseId);
  }

  #refill(now: number, capacity: number, refillPerMs: number): number {
    const row = this.#sql.exec<{ tokens: number; updated_ms: number }>('SELECT tokens, updated_ms FROM bucket').toArray()[0];
    if (row === undefined) return capacity;
    return Math.min(capacity, row.tokens + Math.max(0, now - row.updated_ms) * refillPerMs);
  }

  #store(tokens: number, now: number): void {
    this.#sql.exec(
      'INSERT INTO bucket (id, tokens, updated_ms) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET tokens = excluded.tokens, updated_ms = excluded.updated_ms',
      tokens,
      now,
    );
  }
}
