/**
 * `/admin/usage`: usage per key and period from the D1 ledger, as JSON or CSV; the events themselves as JSON, CSV
 * or Stripe meter events; and, when configured, the push to Stripe. Asking about one key flushes its Durable Object
 * first, so that report includes requests of the last seconds.
 * @module
 */
import { ApiError, type UsageReport } from '@gsv-edge/shared';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { gatewayConfig } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { accountOf } from '../services/account.ts';
import { syncToStripe } from '../services/stripe-meter.ts';
import { cursorOf, toCsv, toMeterEvent, toUsageEvent, usageEvents, usageTotals, type Period } from '../services/usage-report.ts';

const instantSchema = z.union([z.iso.date(), z.iso.datetime({ offset: true })], {
  error: 'must be a date (2026-11-01) or an ISO 8601 date-time',
});

const querySchema = z.strictObject({
  from: instantSchema.optional(),
  to: instantSchema.optional(),
  key_id: z.string().regex(/^key_[0-9a-f]{16}$/, 'must be a key id (key_...)').optional(),
  format: z.enum(['json', 'csv', 'stripe']).default('json'),
  limit: z.coerce.number().int().min(1).max(10_000).default(1000),
  cursor: z.string().max(300).optional(),
});

const TOTAL_COLUMNS = ['key_id', 'name', 'currency', 'requests', 'characters', 'cache_hits', 'cached_characters', 'audio_seconds', 'cost_micros'] as const;
const EVENT_COLUMNS = ['event_id', 'request_id', 'key_id', 'occurred_at', 'route', 'voice', 'characters', 'audio_seconds', 'cache_hit', 'price_micros', 'outcome', 'stripe_error'] as const;

export function adminUsageRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/', async (c) => {
    const query = await parseQuery(c);
    const data = await usageTotals(c.env.DB, query.period, query.keyId);
    if (query.format === 'csv') return csv(c, 'usage', toCsv(TOTAL_COLUMNS, data.map((row) => TOTAL_COLUMNS.map((name) => row[name]))));
    const report: UsageReport = { object: 'usage_report', from: iso(query.period.fromMs), to: iso(query.period.toMs), data };
    return c.json(report);
  });

  routes.get('/events', async (c) => {
    const query = await parseQuery(c);
    const rows = await usageEvents(c.env.DB, query.period, query.keyId, { limit: query.limit + 1, cursor: query.cursor });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const next = rows.length > query.limit && last !== undefined ? cursorOf(last) : null;
    if (next !== null) c.header('x-next-cursor', next);
    if (query.format === 'csv') {
      const events = page.map(toUsageEvent);
      return csv(c, 'usage-events', toCsv(EVENT_COLUMNS, events.map((event) => EVENT_COLUMNS.map((name) => event[name]))));
    }
    if (query.format === 'stripe') {
      const eventName = gatewayConfig(c.env).stripeMeterEventName;
      const data = page.flatMap((row) => toMeterEvent(row, eventName) ?? []);
      return c.json({ object: 'list', data, next_cursor: next });
    }
    return c.json({ object: 'list', data: page.map(toUsageEvent), next_cursor: next });
  });

  routes.post('/stripe-sync', async (c) => {
    const query = await parseQuery(c);
    return c.json(await syncToStripe(c.env, gatewayConfig(c.env), query.period, query.keyId));
  });

  return routes;
}

async function parseQuery(c: Context<AppEnv>) {
  const result = querySchema.safeParse(c.req.query());
  if (!result.success) {
    const issue = result.error.issues[0];
    const param = issue?.code === 'unrecognized_keys' ? (issue.keys[0] ?? null) : String(issue?.path[0] ?? '');
    const code = issue?.code === 'unrecognized_keys' ? 'unknown_field' : 'invalid_field';
    throw new ApiError(code, `Query parameter \`${param ?? ''}\` ${code === 'unknown_field' ? 'is not known' : (issue?.message ?? 'is invalid')}.`, { param });
  }
  const query = result.data;
  const now = new Date();
  const fromMs = query.from === undefined ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) : Date.parse(query.from);
  const toMs = query.to === undefined ? Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) : Date.parse(query.to);
  if (toMs <= fromMs) throw new ApiError('invalid_field', 'Query parameter `to` must be after `from`.', { param: 'to' });
  const keyId = query.key_id ?? null;
  if (keyId !== null) await accountOf(c.env, keyId).flush();
  const period: Period = { fromMs, toMs };
  return { period, keyId, format: query.format, limit: query.limit, cursor: query.cursor ?? null };
}

function csv(c: Context<AppEnv>, name: string, body: string): Response {
  return c.body(body, 200, {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}.csv"`,
  });
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
