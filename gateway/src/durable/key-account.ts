/**
 * One Durable Object per API key, on its SQLite storage: the exact token bucket, concurrency leases with the quota
 * they reserve, the revocation flag, the usage ledger that is flushed to D1, and the replay table that lets a retry
 * answered from the cache go unbilled.
 *
 * A Durable Object is single-threaded and strongly consistent, which is what makes the limits exact across every
 * Cloudflare location (unlike the per-location rate-limit binding) and the ledger idempotent: an event id is
 * recorded at most once, whoever retries (the gateway, or the outbox that redelivers a settle it could not make).
 *
 * Methods return results instead of throwing; the gateway turns a refusal into its 4xx.
 * @module
 */
import type { UsageOutcome } from '@gsv-edge/shared';
import { DurableObject } from 'cloudflare:workers';
import { flushEvents, migrateAccountSchema, type EventRow } from './ledger.ts';

export interface RatePlan {
  /** Sustained request rate. */
  readonly requestsPerMinute: number;
  /** Bucket size: how many requests may arrive at once after a quiet period. Defaults to `requestsPerMinute`. */
  readonly burst?: number;
}

export interface LimitState {
  readonly limit: number;
  /** Whole tokens left after this decision. */
  readonly remaining: number;
  /** Seconds until the bucket is full again. */
  readonly resetSeconds: number;
}

export type RequestAdmission =
  | (LimitState & { readonly admitted: true })
  | (LimitState & { readonly admitted: false; readonly reason: 'rate'; readonly retryAfterSeconds: number })
  | { readonly admitted: false; readonly reason: 'revoked' };

export interface ReservationRequest {
  /** Names the lease; `settle` with the same id releases it. The gateway's own id of the request. */
  readonly reservationId: string;
  /** Characters held against the monthly quota until the request settles. */
  readonly characters: number;
  readonly maxConcurrent: number;
  readonly monthlyCharacterQuota: number | null;
  /** A lease not settled within this time is dropped, so a crashed request cannot hold a slot forever. */
  readonly leaseTtlMs: number;
  /** SHA-256 of the client's `Idempotency-Key`: while this lease is held, another request with it is refused. */
  readonly idempotencyKey: string | null;
  /**
   * What to bill if the lease runs out after {@link KeyAccount.markStarted} without a settle: the answer had begun,
   * so its audio was made, and the request is billed as started rather than lost.
   */
  readonly pending: UsageRecord | null;
}

export type ReservationResult =
  | { readonly reserved: true }
  | { readonly reserved: false; readonly reason: 'revoked' }
  | { readonly reserved: false; readonly reason: 'concurrency'; readonly limit: number }
  | { readonly reserved: false; readonly reason: 'in_progress' }
  | { readonly reserved: false; readonly reason: 'quota'; readonly quota: number; readonly usedCharacters: number; readonly reservedCharacters: number };

export interface UsageRecord {
  readonly eventId: string;
  /** The request id the client saw in `x-request-id`, for support and log joins. */
  readonly requestId: string;
  readonly keyId: string;
  readonly occurredMs: number;
  readonly route: string;
  readonly voice: string | null;
  readonly characters: number;
  readonly audioSeconds: number | null;
  readonly cacheHit: boolean;
  readonly priceMicros: number;
  readonly outcome: UsageOutcome;
  /**
   * SHA-256 of the request's idempotency key and synthesis key, when it had both. A cache hit whose replay key
   * already billed an event within {@link REPLAY_WINDOW_MS} is a replay of that event and is not billed again.
   */
  readonly replayKey: string | null;
}

/** How a request ends, as far as its lease and its bill go. */
export interface Settlement {
  /** The usage event to record; `null` bills nothing (the request failed). */
  readonly bill: UsageRecord | null;
  /** Frees the concurrency slot and quota hold. `false` while the gateway still reads the answer for the cache. */
  readonly release: boolean;
}

/** What {@link KeyAccount.admitHit} decided: the bucket's answer, then (when admitted) the checks', then the bill's. */
export interface HitAdmission {
  readonly admission: RequestAdmission;
  /** `null` when the bucket refused first. */
  readonly reservation: ReservationResult | null;
  /** `null` when the hit was refused. */
  readonly settled: SettleResult | null;
}

export interface SettleResult {
  /** A new event was recorded. */
  readonly recorded: boolean;
  /** The bill was a replay of an event already recorded. */
  readonly replay: boolean;
}

export interface MonthUsage {
  /** `YYYY-MM`, UTC. */
  readonly month: string;
  readonly requests: number;
  readonly characters: number;
  readonly cacheHits: number;
  readonly cachedCharacters: number;
  readonly audioSeconds: number;
  readonly costMicros: number;
  readonly reservedCharacters: number;
}

/** A retry with the same idempotency and synthesis keys is answered as a replay for this long (Stripe's window). */
export const REPLAY_WINDOW_MS = 24 * 3_600_000;

/** Flushed events are kept this long so that a late retry of the same request is still recognised. */
const EVENT_RETENTION_MS = 40 * 86_400_000;

export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

export class KeyAccount extends DurableObject {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    migrateAccountSchema(ctx.storage);
  }

  /** Takes one token from the bucket, unless the key is revoked or the bucket is empty. */
  admitRequest(plan: RatePlan): RequestAdmission {
    return this.#admit(plan, true);
  }

  /**
   * Both steps of a synthesis in one round trip: a token from the bucket, then a concurrency slot and a quota hold.
   * A request refused by its reservation has still used its token: it was a request.
   */
  async admitAndReserve(plan: RatePlan, request: ReservationRequest): Promise<{ admission: RequestAdmission; reservation: ReservationResult | null }> {
    const admission = this.admitRequest(plan);
    return { admission, reservation: admission.admitted ? await this.reserve(request) : null };
  }

  /**
   * A whole answer from the phrase cache in one round trip, instead of a reservation and a settle: a token from the
   * bucket, the checks a reservation makes (revocation, an idempotency key in flight, a free concurrency slot, quota
   * for its characters), then its bill. No lease is taken: the answer is already made, so there is nothing left to
   * release or to bill later. Idempotent by event id: asked again after an unclear failure, a hit already billed is
   * admitted again without a second token or a second event.
   */
  async admitHit(plan: RatePlan, request: ReservationRequest, bill: UsageRecord): Promise<HitAdmission> {
    const billed = this.#sql.exec('SELECT 1 FROM events WHERE event_id = ?', bill.eventId).toArray().length > 0;
    if (billed) return { admission: this.#admit(plan, false), reservation: { reserved: true }, settled: { recorded: false, replay: false } };
    const admission = this.#admit(plan, true);
    if (!admission.admitted) return { admission, reservation: null, settled: null };
    const refusal = await this.#refusal(request);
    if (refusal !== null) return { admission, reservation: refusal, settled: null };
    const now = Date.now();
    const settled = this.#bill(bill, now);
    if (settled.recorded) await this.#alarmBy(now + this.#flushDelayMs());
    return { admission, reservation: { reserved: true }, settled };
  }

  /**
   * Takes a concurrency slot and holds the request's characters against the monthly quota. A request whose
   * idempotency key is held by a request still in flight is refused (`in_progress`), so one key cannot run the same
   * billable work twice at once and have it billed once.
   */
  async reserve(request: ReservationRequest): Promise<ReservationResult> {
    const refusal = await this.#refusal(request);
    if (refusal !== null) return refusal;
    this.#sql.exec(
      'INSERT OR REPLACE INTO leases (id, expires_ms, characters, idempotency, pending, started, charged) VALUES (?, ?, ?, ?, ?, 0, 0)',
      request.reservationId,
      Date.now() + request.leaseTtlMs,
      request.characters,
      request.idempotencyKey,
      request.pending === null ? null : JSON.stringify(request.pending),
    );
    return { reserved: true };
  }

  /** Why `request` may not run now (revoked, its idempotency key in flight, no free slot, no quota), or `null`. */
  async #refusal(request: ReservationRequest): Promise<Exclude<ReservationResult, { reserved: true }> | null> {
    if (this.#revoked()) return { reserved: false, reason: 'revoked' };
    const now = Date.now();
    await this.#expireLeases(now);
    if (request.idempotencyKey !== null && this.#sql.exec('SELECT 1 FROM leases WHERE idempotency = ?', request.idempotencyKey).toArray().length > 0) {
      return { reserved: false, reason: 'in_progress' };
    }
    const held = this.#sql.exec<{ n: number; chars: number | null }>('SELECT COUNT(*) AS n, SUM(characters) AS chars FROM leases').one();
    if (held.n >= request.maxConcurrent) return { reserved: false, reason: 'concurrency', limit: request.maxConcurrent };
    const reservedCharacters = held.chars ?? 0;
    if (request.monthlyCharacterQuota !== null) {
      const usedCharacters = this.#month(monthOf(now)).characters;
      if (usedCharacters + reservedCharacters + request.characters > request.monthlyCharacterQuota) {
        return { reserved: false, reason: 'quota', quota: request.monthlyCharacterQuota, usedCharacters, reservedCharacters };
      }
    }
    return null;
  }

  /** The lease's answer has begun: from now on a lease that runs out unsettled is billed (see `pending`). */
  async markStarted(reservationId: string): Promise<void> {
    const lease = this.#sql.exec<{ expires_ms: number }>('UPDATE leases SET started = 1 WHERE id = ? RETURNING expires_ms', reservationId).toArray()[0];
    if (lease !== undefined) await this.#alarmBy(lease.expires_ms);
  }

  /**
   * Ends a reservation, or bills it and keeps its slot until a later settle releases it. Idempotent both ways:
   * settling twice frees nothing twice, and an event id already recorded is not counted again, so the gateway and
   * the outbox may both deliver the same settlement.
   */
  async settle(reservationId: string, settlement: Settlement): Promise<SettleResult> {
    const now = Date.now();
    let result: SettleResult = { recorded: false, replay: false };
    if (settlement.bill !== null) {
      result = this.#bill(settlement.bill, now);
      this.#sql.exec('UPDATE leases SET charged = 1 WHERE id = ?', reservationId);
    }
    if (settlement.release) this.#sql.exec('DELETE FROM leases WHERE id = ?', reservationId);
    if (result.recorded) await this.#alarmBy(now + this.#flushDelayMs());
    return result;
  }

  /** From now on every request with this key is refused, whatever the KV cache still says. */
  revoke(): void {
    this.#sql.exec("INSERT OR IGNORE INTO meta (name, value) VALUES ('revoked_at', ?)", new Date().toISOString());
  }

  async usage(nowMs: number = Date.now()): Promise<MonthUsage> {
    await this.#expireLeases(nowMs);
    const reserved = this.#sql.exec<{ chars: number | null }>('SELECT SUM(characters) AS chars FROM leases').one().chars ?? 0;
    return { ...this.#month(monthOf(nowMs)), reservedCharacters: reserved };
  }

  /** Copies unflushed events to D1; returns how many. Safe to repeat: D1 ignores event ids it already has. */
  async flush(): Promise<number> {
    const rows = this.#sql.exec<EventRow>('SELECT * FROM events WHERE flushed = 0 ORDER BY occurred_ms LIMIT 200').toArray();
    await flushEvents(this.env.DB, rows);
    for (const row of rows) this.#sql.exec('UPDATE events SET flushed = 1 WHERE event_id = ?', row.event_id);
    this.#sql.exec('DELETE FROM events WHERE flushed = 1 AND occurred_ms < ?', Date.now() - EVENT_RETENTION_MS);
    return rows.length;
  }

  override async alarm(): Promise<void> {
    const now = Date.now();
    await this.#expireLeases(now);
    this.#sql.exec('DELETE FROM replays WHERE expires_ms <= ?', now);
    // A throw here makes the runtime retry the alarm with backoff, so a D1 outage delays the ledger, never loses it.
    await this.flush();
    const pending = this.#sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM events WHERE flushed = 0').one().n;
    if (pending > 0) {
      await this.ctx.storage.setAlarm(Date.now());
      return;
    }
    const nextExpiry = this.#sql.exec<{ at: number | null }>('SELECT MIN(expires_ms) AS at FROM leases WHERE started = 1 AND charged = 0').one().at;
    if (nextExpiry !== null) await this.ctx.storage.setAlarm(nextExpiry);
  }

  /** Records the event unless it is a replay or already recorded; keeps the month totals. */
  #bill(record: UsageRecord, now: number): SettleResult {
    if (record.replayKey !== null && record.cacheHit) {
      const earlier = this.#sql.exec('SELECT 1 FROM replays WHERE replay_key = ? AND expires_ms > ?', record.replayKey, now).toArray();
      if (earlier.length > 0) return { recorded: false, replay: true };
    }
    const inserted = this.#sql.exec(
      `INSERT INTO events (event_id, request_id, key_id, occurred_ms, route, voice, characters, audio_seconds, cache_hit, price_micros, outcome)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (event_id) DO NOTHING`,
      record.eventId,
      record.requestId,
      record.keyId,
      record.occurredMs,
      record.route,
      record.voice,
      record.characters,
      record.audioSeconds,
      record.cacheHit ? 1 : 0,
      record.priceMicros,
      record.outcome,
    ).rowsWritten;
    if (inserted === 0) return { recorded: false, replay: false };
    if (record.replayKey !== null) {
      this.#sql.exec(
        'INSERT INTO replays (replay_key, event_id, expires_ms) VALUES (?, ?, ?) ON CONFLICT (replay_key) DO UPDATE SET event_id = excluded.event_id, expires_ms = excluded.expires_ms',
        record.replayKey,
        record.eventId,
        now + REPLAY_WINDOW_MS,
      );
    }
    this.#sql.exec(
      `INSERT INTO month_usage (month, requests, characters, cache_hits, cached_characters, audio_seconds, cost_micros)
       VALUES (?, 1, ?, ?, ?, ?, ?)
       ON CONFLICT (month) DO UPDATE SET requests = requests + 1, characters = characters + excluded.characters,
         cache_hits = cache_hits + excluded.cache_hits, cached_characters = cached_characters + excluded.cached_characters,
         audio_seconds = audio_seconds + excluded.audio_seconds, cost_micros = cost_micros + excluded.cost_micros`,
      monthOf(record.occurredMs),
      record.characters,
      record.cacheHit ? 1 : 0,
      record.cacheHit ? record.characters : 0,
      record.audioSeconds ?? 0,
      record.priceMicros,
    );
    return { recorded: true, replay: false };
  }

  /**
   * Drops leases past their time to live. One whose answer had started but was never settled (the gateway's isolate
   * died, and its outbox never heard of it) is billed as recorded at admission, with outcome `unsettled`.
   */
  async #expireLeases(now: number): Promise<void> {
    const lost = this.#sql
      .exec<{ pending: string }>('SELECT pending FROM leases WHERE expires_ms <= ? AND started = 1 AND charged = 0 AND pending IS NOT NULL', now)
      .toArray();
    let recorded = false;
    for (const { pending } of lost) {
      const record = JSON.parse(pending) as UsageRecord;
      recorded = this.#bill({ ...record, outcome: 'unsettled' }, now).recorded || recorded;
    }
    this.#sql.exec('DELETE FROM leases WHERE expires_ms <= ?', now);
    if (recorded) await this.#alarmBy(now + this.#flushDelayMs());
  }

  /** Makes sure an alarm fires no later than `at`. */
  async #alarmBy(at: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  #revoked(): boolean {
    return this.#sql.exec("SELECT 1 FROM meta WHERE name = 'revoked_at'").toArray().length > 0;
  }

  #month(month: string): Omit<MonthUsage, 'reservedCharacters'> {
    const row = this.#sql
      .exec<{ requests: number; characters: number; cache_hits: number; cached_characters: number; audio_seconds: number; cost_micros: number }>(
        'SELECT requests, characters, cache_hits, cached_characters, audio_seconds, cost_micros FROM month_usage WHERE month = ?',
        month,
      )
      .toArray()[0];
    return {
      month,
      requests: row?.requests ?? 0,
      characters: row?.characters ?? 0,
      cacheHits: row?.cache_hits ?? 0,
      cachedCharacters: row?.cached_characters ?? 0,
      audioSeconds: row?.audio_seconds ?? 0,
      costMicros: row?.cost_micros ?? 0,
    };
  }

  #flushDelayMs(): number {
    const seconds = Number(this.env.USAGE_FLUSH_SECONDS);
    return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : 10_000;
  }

  /** The bucket's answer for one request; with `take`, the request's token is taken when there is one. */
  #admit(plan: RatePlan, take: boolean): RequestAdmission {
    if (this.#revoked()) return { admitted: false, reason: 'revoked' };
    const now = Date.now();
    const capacity = plan.burst ?? plan.requestsPerMinute;
    const refillPerMs = plan.requestsPerMinute / 60_000;
    const tokens = this.#refill(now, capacity, refillPerMs);
    const state = (left: number): LimitState => ({
      limit: capacity,
      remaining: Math.floor(left),
      resetSeconds: Math.ceil((capacity - left) / refillPerMs / 1000),
    });
    if (!take) return { ...state(tokens), admitted: true };
    if (tokens < 1) {
      this.#storeTokens(tokens, now);
      return { ...state(tokens), admitted: false, reason: 'rate', retryAfterSeconds: Math.ceil((1 - tokens) / refillPerMs / 1000) };
    }
    this.#storeTokens(tokens - 1, now);
    return { ...state(tokens - 1), admitted: true };
  }

  #refill(now: number, capacity: number, refillPerMs: number): number {
    const row = this.#sql.exec<{ tokens: number; updated_ms: number }>('SELECT tokens, updated_ms FROM bucket').toArray()[0];
    if (row === undefined) return capacity;
    return Math.min(capacity, row.tokens + Math.max(0, now - row.updated_ms) * refillPerMs);
  }

  #storeTokens(tokens: number, now: number): void {
    this.#sql.exec(
      'INSERT INTO bucket (id, tokens, updated_ms) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET tokens = excluded.tokens, updated_ms = excluded.updated_ms',
      tokens,
      now,
    );
  }
}
