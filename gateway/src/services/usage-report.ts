/**
 * Reads the D1 usage ledger: totals per key over a period, and the events themselves (JSON, CSV, or Stripe meter
 * events), paged by a cursor so that a month of a busy key can be exported in pieces.
 * @module
 */
import { USAGE_OUTCOMES, type StripeMeterEvent, type UsageEvent, type UsageReport } from '@gsv-edge/shared';

export interface Period {
  readonly fromMs: number;
  readonly toMs: number;
}

interface TotalsRow {
  key_id: string;
  name: string;
  currency: string;
  requests: number;
  characters: number;
  cache_hits: number;
  cached_characters: number;
  audio_seconds: number;
  cost_micros: number;
}

export interface EventRow {
  event_id: string;
  request_id: string;
  key_id: string;
  occurred_ms: number;
  route: string;
  voice: string | null;
  characters: number;
  audio_seconds: number | null;
  cache_hit: number;
  price_micros: number;
  outcome: string;
  stripe_error: string | null;
  stripe_customer_id: string | null;
}

export async function usageTotals(db: D1Database, period: Period, keyId: string | null): Promise<UsageReport['data']> {
  const { results } = await db
    .prepare(
      `SELECT k.id AS key_id, k.name, k.currency, COUNT(e.event_id) AS requests,
         COALESCE(SUM(e.characters), 0) AS characters, COALESCE(SUM(e.cache_hit), 0) AS cache_hits,
         COALESCE(SUM(CASE WHEN e.cache_hit = 1 THEN e.characters ELSE 0 END), 0) AS cached_characters,
         COALESCE(SUM(e.audio_seconds), 0) AS audio_seconds, COALESCE(SUM(e.price_micros), 0) AS cost_micros
       FROM api_keys k
       LEFT JOIN usage_events e ON e.key_id = k.id AND e.occurred_ms >= ?1 AND e.occurred_ms < ?2
       WHERE ?3 IS NULL OR k.id = ?3
       GROUP BY k.id ORDER BY k.id`,
    )
    .bind(period.fromMs, period.toMs, keyId)
    .all<TotalsRow>();
  return results.map((row) => ({ ...row }));
}

/**
 * Events in time order after `cursor` (`<occurred_ms>:<event_id>` of the last one seen); with `stripePending`, only
 * billable events of keys with a Stripe customer that have not been sent to Stripe yet.
 */
export async function usageEvents(
  db: D1Database,
  period: Period,
  keyId: string | null,
  options: { readonly limit: number; readonly cursor: string | null; readonly stripePending?: boolean },
): Promise<EventRow[]> {
  const [afterMs, afterId] = parseCursor(options.cursor);
  const { results } = await db
    .prepare(
      `SELECT e.event_id, e.request_id, e.key_id, e.occurred_ms, e.route, e.voice, e.characters, e.audio_seconds,
         e.cache_hit, e.price_micros, e.outcome, e.stripe_error, k.stripe_customer_id
       FROM usage_events e LEFT JOIN api_keys k ON k.id = e.key_id
       WHERE e.occurred_ms >= ?1 AND e.occurred_ms < ?2 AND (?3 IS NULL OR e.key_id = ?3)
         AND (e.occurred_ms, e.event_id) > (?4, ?5) AND (?6 = 0 OR (e.stripe_reported_ms IS NULL AND e.stripe_error IS NULL AND k.stripe_customer_id IS NOT NULL AND e.price_micros > 0))
       ORDER BY e.occurred_ms, e.event_id LIMIT ?7`,
    )
    .bind(period.fromMs, period.toMs, keyId, afterMs, afterId, options.stripePending === true ? 1 : 0, options.limit)
    .all<EventRow>();
  return results;
}

export function cursorOf(row: EventRow): string {
  return `${String(row.occurred_ms)}:${row.event_id}`;
}

function parseCursor(cursor: string | null): [number, string] {
  const match = cursor === null ? null : /^(\d+):(.*)$/.exec(cursor);
  return match === null ? [-1, ''] : [Number(match[1]), match[2] ?? ''];
}

export function toUsageEvent(row: EventRow): UsageEvent {
  return {
    object: 'usage_event',
    event_id: row.event_id,
    request_id: row.request_id,
    key_id: row.key_id,
    occurred_at: new Date(row.occurred_ms).toISOString(),
    route: row.route,
    voice: row.voice,
    characters: row.characters,
    audio_seconds: row.audio_seconds,
    cache_hit: row.cache_hit === 1,
    price_micros: row.price_micros,
    outcome: USAGE_OUTCOMES.find((outcome) => outcome === row.outcome) ?? 'completed',
    stripe_error: row.stripe_error,
  };
}

/** The event as a Stripe meter event; `null` when the key has no Stripe customer. */
export function toMeterEvent(row: EventRow, eventName: string): StripeMeterEvent | null {
  if (row.stripe_customer_id === null) return null;
  return {
    event_name: eventName,
    identifier: row.event_id,
    timestamp: Math.floor(row.occurred_ms / 1000),
    payload: { stripe_customer_id: row.stripe_customer_id, value: String(row.price_micros) },
  };
}

/**
 * RFC 4180 CSV: a field is quoted when it holds a comma, quote or line break, quotes doubled. Written out because
 * these few lines are all the export needs; a CSV package would add a dependency to the worker for nothing more.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly (string | number | boolean | null)[])[]): string {
  const field = (value: string | number | boolean | null) => {
    const text = value === null ? '' : String(value);
    return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(field).join(',')).join('\r\n') + '\r\n';
}
