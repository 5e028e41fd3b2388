/**
 * Optional: reports usage events to Stripe Billing meters (`POST /v1/billing/meter_events`), one meter event per
 * usage event with the event id as Stripe's deduplication `identifier` and the price in micros as the value.
 * Each sent event is marked in D1, so a sync can be repeated or resumed without sending anything twice.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';
import type { GatewayConfig } from '../config.ts';
import { toMeterEvent, usageEvents, type Period } from './usage-report.ts';

/** Stays well inside a Worker's subrequest budget per invocation. */
const EVENTS_PER_SYNC = 40;

export interface StripeSyncResult {
  readonly object: 'stripe_sync';
  readonly sent: number;
  /** Whether unsent events remain in the period; call again to continue. */
  readonly has_more: boolean;
}

export async function syncToStripe(
  env: Cloudflare.Env,
  config: GatewayConfig,
  period: Period,
  keyId: string | null,
): Promise<StripeSyncResult> {
  const secretKey = env.STRIPE_SECRET_KEY;
  if (secretKey === undefined || secretKey === '') {
    throw new ApiError('not_found', 'Stripe metering is not configured: set the STRIPE_SECRET_KEY secret.');
  }
  const rows = await usageEvents(env.DB, period, keyId, { limit: EVENTS_PER_SYNC + 1, cursor: null, stripePending: true });
  let sent = 0;
  for (const row of rows.slice(0, EVENTS_PER_SYNC)) {
    const event = toMeterEvent(row, config.stripeMeterEventName);
    if (event !== null) {
      const form = new URLSearchParams({
        event_name: event.event_name,
        identifier: event.identifier,
        timestamp: String(event.timestamp),
        'payload[stripe_customer_id]': event.payload.stripe_customer_id,
        'payload[value]': event.payload.value,
      });
      const response = await fetch(`${config.stripeApiBase}/v1/billing/meter_events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${secretKey}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: form,
      });
      if (!response.ok) {
        const detail = (await response.text()).slice(0, 300);
        throw new ApiError('origin_unavailable', `Stripe refused meter event ${row.event_id} (${String(response.status)}): ${detail}`);
      }
      sent += 1;
    }
    await env.DB.prepare('UPDATE usage_events SET stripe_reported_ms = ? WHERE event_id = ?').bind(Date.now(), row.event_id).run();
  }
  return { object: 'stripe_sync', sent, has_more: rows.length > EVENTS_PER_SYNC };
}
