/**
 * Where a settlement goes when its key's Durable Object could not be reached after the gateway's retries: kept in
 * this object's SQLite storage until an alarm delivers it. Settlements are idempotent (event ids are recorded once,
 * a lease is released once), so delivering one again after an unclear failure is harmless.
 *
 * The gateway spreads keys over a few outbox objects by key id (see services/settlement.ts), so one object's
 * trouble holds back only its share.
 * @module
 */
import { DurableObject } from 'cloudflare:workers';
import { log } from '../log.ts';
import type { Settlement } from './key-account.ts';

interface OutboxRow extends Record<string, SqlStorageValue> {
  id: number;
  key_id: string;
  reservation_id: string;
  settlement: string;
  attempts: number;
}

/** Settlements delivered per alarm run; the rest wait for the next run, which is scheduled at once. */
const BATCH = 50;
const MAX_BACKOFF_MS = 5 * 60_000;

export class UsageOutbox extends DurableObject {
  readonly #sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.#sql = ctx.storage.sql;
    this.#sql.exec(`
      CREATE TABLE IF NOT EXISTS outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key_id TEXT NOT NULL,
        reservation_id TEXT NOT NULL,
        settlement TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        enqueued_ms INTEGER NOT NULL
      );
    `);
  }

  async enqueue(keyId: string, reservationId: string, settlement: Settlement): Promise<void> {
    this.#sql.exec(
      'INSERT INTO outbox (key_id, reservation_id, settlement, enqueued_ms) VALUES (?, ?, ?, ?)',
      keyId,
      reservationId,
      JSON.stringify(settlement),
      Date.now(),
    );
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now());
  }

  /** Settlements not yet delivered. */
  pending(): number {
    return this.#sql.exec<{ n: number }>('SELECT COUNT(*) AS n FROM outbox').one().n;
  }

  override async alarm(): Promise<void> {
    const rows = this.#sql.exec<OutboxRow>('SELECT id, key_id, reservation_id, settlement, attempts FROM outbox ORDER BY id LIMIT ?', BATCH).toArray();
    let failures = 0;
    for (const row of rows) {
      try {
        await this.env.KEY_ACCOUNT.getByName(row.key_id).settle(row.reservation_id, JSON.parse(row.settlement) as Settlement);
        this.#sql.exec('DELETE FROM outbox WHERE id = ?', row.id);
      } catch (error) {
        failures = Math.max(failures, row.attempts + 1);
        this.#sql.exec('UPDATE outbox SET attempts = attempts + 1 WHERE id = ?', row.id);
        log(this.env.LOG_LEVEL, 'error', 'outbox delivery failed', { key_id: row.key_id, attempts: row.attempts + 1, error: String(error) });
      }
    }
    if (this.pending() === 0) return;
    const delay = failures === 0 ? 0 : Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(failures, 20));
    await this.ctx.storage.setAlarm(Date.now() + delay);
  }
}
