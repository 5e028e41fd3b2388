/**
 * Optional: reports usage events to Stripe Billing meters (`POST /v1/billing/meter_events`), one meter event per
 * usage event with the event id as Stripe's deduplication `identifier` and the price in micros as the value.
 *
 * Each event ends in one of three ways, so one bad event can never stall every later sync:
 * - Stripe accepts it (or already has it): marked reported.
 * - Stripe refuses it for good (a 4xx about the event, e.g. a timestamp outside its 35-day window): marked with
 *   Stripe's answer in `stripe_error`, skipped by later syncs, and listed for the operator.
 * - Stripe cannot take it now (timeout, network, 429, 5xx) or refuses the gateway itself (401/403): the sync stops
 *   there without marking it, and the next sync resumes from it.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';
import type { GatewayConfig } from '../config.ts';
import { toMeterEvent, usageEvents, type EventRow, type Period } from './usage-report.ts';

/** Stays well inside a Worker's subrequest budget per invocation. */
const EVENTS_PER_SYNC = 40;
/** Stripe's answer when an identifier was already recorded: the event is there, which is all a sync wants. */
const ALREADY_RECORDED_CODES = new Set(['resource_already_exists']);

export interface StripeSyncFailure {
  readonly event_id: string;
  readonly status: number;
  readonly message: string;
}

export interface StripeSyncResult {
  readonly object: 'stripe_sync';
  readonly sent: number;
  /** Events Stripe refused for good in this run (marked, not retried). */
  readonly failed: readonly StripeSyncFailure[];
  /** Whether unsent events remain in the period; call again to continue. */
  readonly has_more: boolean;
  /** Why this run stopped early, if it did (Stripe slow, down, or refusing the secret key); `null` otherwise. */
  readonly stopped: string | null;
}

type Attempt = { readonly kind: 'sent' } | { readonly kind: 'refused'; readonly status: number; readonly message: string } | { readonly kind: 'stop'; readonly reason: string };

export async function syncToStripe(env: Cloudflare.Env, config: GatewayConfig, period: Period, keyId: string | null): Promise<StripeSyncResult> {
  const secretKey = env.STRIPE_SECRET_KEY;
  if (secretKey === undefined || secretKey === '') {
    throw new ApiError('not_found', 'Stripe metering is not configured: set the STRIPE_SECRET_KEY secret.');
  }
  const rows = await usageEvents(env.DB, period, keyId, { limit: EVENTS_PER_SYNC + 1, cursor: null, stripePending: true });
  let sent = 0;
  const failed: StripeSyncFailure[] = [];
  let handled = 0;
  for (const row of rows.slice(0, EVENTS_PER_SYNC)) {
    const attempt = await sendEvent(row, config, secretKey);
    if (attempt.kind === 'stop') {
      return { object: 'stripe_sync', sent, failed, has_more: true, stopped: attempt.reason };
    }
    if (attempt.kind === 'sent') {
      sent += 1;
      await env.DB.prepare('UPDATE usage_events SET stripe_reported_ms = ?, stripe_error = NULL WHERE event_id = ?').bind(Date.now(), row.event_id).run();
    } else {
      failed.push({ event_id: row.event_id, status: attempt.status, message: attempt.message });
      await env.DB.prepare('UPDATE usage_events SET stripe_error = ? WHERE event_id = ?').bind(`${String(attempt.status)}: ${attempt.message}`, row.event_id).run();
    }
    handled += 1;
  }
  return { object: 'stripe_sync', sent, failed, has_more: rows.length > handled, stopped: null };
}

async function sendEvent(row: EventRow, config: GatewayConfig, secretKey: string): Promise<Attempt> {
  const event = toMeterEvent(row, config.stripeMeterEventName);
  if (event === null) return { kind: 'refused', status: 0, message: 'the key has no Stripe customer' };
  const form = new URLSearchParams({
    event_name: event.event_name,
    identifier: event.identifier,
    timestamp: String(event.timestamp),
    'payload[stripe_customer_id]': event.payload.stripe_customer_id,
    'payload[value]': event.payload.value,
  });
  let response: Response;
  try {
    response = await fetch(`${config.stripeApiBase}/v1/billing/meter_events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
      signal: AbortSignal.timeout(config.stripeTimeoutMs),
    });
  } catch (error) {
    const timedOut = error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
    return { kind: 'stop', reason: timedOut ? `Stripe did not answer within ${String(config.stripeTimeoutMs)} ms` : 'Stripe could not be reached' };
  }
  if (response.ok) return { kind: 'sent' };
  const detail = await stripeError(response);
  if (detail.code !== null && ALREADY_RECORDED_CODES.has(detail.code)) return { kind: 'sent' };
  if (response.status === 401 || response.status === 403) {
    return { kind: 'stop', reason: `Stripe refused STRIPE_SECRET_KEY (${String(response.status)}): ${detail.message}` };
  }
  if (response.status === 429 || response.status >= 500) {
    return { kind: 'stop', reason: `Stripe answered ${String(response.status)}; retry later` };
  }
  return { kind: 'refused', status: response.status, message: detail.message };
}

async function stripeError(response: Response): Promise<{ code: string | null; message: string }> {
  const text = await response.text().catch(() => '');
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && 'error' in parsed && typeof parsed.error === 'object' && parsed.error !== null) {
      const error = parsed.error as { code?: unknown; message?: unknown };
      return {
        code: typeof error.code === 'string' ? error.code : null,
        message: (typeof error.message === 'string' ? error.message : text).slice(0, 300),
      };
    }
  } catch {
    // Not JSON: the text itself is the message.
  }
  return { code: null, message: text.slice(0, 300) };
}
