/**
 * API keys, their plans and their usage, as the gateway's admin API and `GET /v1/usage` answer them.
 *
 * Money is counted in integer micro-units of the plan's currency (1 USD = 1,000,000 micros), so prices and totals
 * add up exactly; a price of $0.015 per 1000 characters is `15000`.
 * @module
 */
import { z } from 'zod';
import { idSchema } from './common.ts';

/**
 * Highest price per 1000 characters ($1000). With at most {@link MAX_BILLABLE_CHARACTERS} characters per request,
 * `characters × price` stays below 2^53, so a request's price in micros is computed exactly with plain numbers.
 */
export const MAX_PRICE_PER_1K_MICROS = 1_000_000_000;
/** The most characters one request can carry (the gateway's MAX_INPUT_CHARS cannot be set higher). */
export const MAX_BILLABLE_CHARACTERS = 100_000;

/** Keys of one customer share an account: its phrase cache. Operator-chosen, like a customer id in another system. */
export const accountIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 characters of A-Z, a-z, 0-9, "_" or "-"');

/** Voices a key may use; `null` is every voice. Listed ids need not exist yet (a voice can be added later). */
export const allowedVoicesSchema = z
  .array(idSchema)
  .max(1000)
  .refine((ids) => new Set(ids).size === ids.length, 'must not list a voice twice')
  .nullable();

export const API_KEY_MODES = ['live', 'test'] as const;
export const apiKeyModeSchema = z.enum(API_KEY_MODES);
export type ApiKeyMode = z.infer<typeof apiKeyModeSchema>;

/** What a key may do and what it pays. */
export const planSchema = z.strictObject({
  /** Sustained request rate; also the burst a quiet key may send at once. */
  requests_per_minute: z.number().int().min(1).max(1_000_000),
  /** Syntheses in flight at the same time. */
  max_concurrent: z.number().int().min(1).max(10_000),
  /** Characters per calendar month (UTC), cache hits included; `null` is unlimited. */
  monthly_character_quota: z.number().int().min(0).nullable().default(null),
  /** Price of 1000 synthesized characters, in micros. */
  price_per_1k_chars_micros: z.number().int().min(0).max(MAX_PRICE_PER_1K_MICROS),
  /** Price of 1000 characters served from the phrase cache, in micros. */
  cache_hit_price_per_1k_chars_micros: z.number().int().min(0).max(MAX_PRICE_PER_1K_MICROS),
  /** ISO 4217 code, lower case. */
  currency: z
    .string()
    .regex(/^[a-z]{3}$/, 'must be a three-letter ISO 4217 currency code in lower case')
    .default('usd'),
});
export type Plan = z.output<typeof planSchema>;

export const createApiKeyRequestSchema = z.strictObject({
  name: z.string().max(200).default(''),
  mode: apiKeyModeSchema.default('live'),
  plan: planSchema,
  /** Stripe customer the key's usage is reported for, when Stripe metering is configured. */
  stripe_customer_id: z
    .string()
    .regex(/^cus_[A-Za-z0-9]{1,64}$/, 'must be a Stripe customer id (cus_...)')
    .nullable()
    .default(null),
  /** The account whose phrase cache the key shares; `null` makes the key its own account (its id). */
  account_id: accountIdSchema.nullable().default(null),
  allowed_voices: allowedVoicesSchema.default(null),
});
export type CreateApiKeyRequest = z.output<typeof createApiKeyRequestSchema>;

/** A key as listed: never its secret, which exists only in the answer that created it. */
export const apiKeySchema = z.strictObject({
  object: z.literal('api_key'),
  id: z.string().regex(/^key_[0-9a-f]{16}$/),
  name: z.string(),
  mode: apiKeyModeSchema,
  /** `sk_live_...abcd`: enough to recognise a key, useless to use it. */
  redacted: z.string(),
  plan: planSchema,
  stripe_customer_id: z.string().nullable(),
  /** Keys of one account share its phrase cache; another account's phrases are invisible to them. */
  account_id: z.string(),
  allowed_voices: z.array(z.string()).nullable(),
  created_at: z.iso.datetime(),
  revoked_at: z.iso.datetime().nullable(),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export const createdApiKeySchema = apiKeySchema.extend({
  /** The full key. Shown once: only its SHA-256 is stored. */
  secret: z.string(),
});
export type CreatedApiKey = z.infer<typeof createdApiKeySchema>;

/**
 * `completed`: the whole answer was sent. `client_aborted`: the client left after the answer started (billed: the
 * audio was made). `unsettled`: the gateway lost track of a request whose audio had started, and its lease ran out
 * (billed as started, see docs/contract.md "Billing").
 */
export const USAGE_OUTCOMES = ['completed', 'client_aborted', 'unsettled'] as const;
export type UsageOutcome = (typeof USAGE_OUTCOMES)[number];

/** One billable delivery, exactly once per event id. */
export const usageEventSchema = z.strictObject({
  object: z.literal('usage_event'),
  /** SHA-256 of the key id and the gateway's own identity of the delivery: unique across keys and requests. */
  event_id: z.string(),
  request_id: z.string(),
  key_id: z.string(),
  occurred_at: z.iso.datetime(),
  route: z.string(),
  voice: idSchema.nullable(),
  characters: z.number().int().min(0),
  /** `null` where the length of streamed compressed audio is not known to the gateway. */
  audio_seconds: z.number().min(0).nullable(),
  cache_hit: z.boolean(),
  price_micros: z.number().int().min(0),
  outcome: z.enum(USAGE_OUTCOMES),
  /** Stripe's answer when it refused the event for good (`POST /admin/usage/stripe-sync` skips it from then on). */
  stripe_error: z.string().nullable(),
});
export type UsageEvent = z.infer<typeof usageEventSchema>;

export const usageTotalsSchema = z.strictObject({
  requests: z.number().int().min(0),
  characters: z.number().int().min(0),
  cache_hits: z.number().int().min(0),
  cached_characters: z.number().int().min(0),
  audio_seconds: z.number().min(0),
  cost_micros: z.number().int().min(0),
});
export type UsageTotals = z.infer<typeof usageTotalsSchema>;

/** `GET /v1/usage`: the caller's own month so far, read from its Durable Object (exact, not delayed). */
export const keyUsageSchema = z.strictObject({
  object: z.literal('usage'),
  key_id: z.string(),
  period: z.strictObject({ start: z.iso.datetime(), end: z.iso.datetime() }),
  currency: z.string(),
  totals: usageTotalsSchema,
  quota: z.strictObject({
    monthly_characters: z.number().int().nullable(),
    used_characters: z.number().int(),
    /** Characters of requests still in flight, held until they finish. */
    reserved_characters: z.number().int(),
    remaining_characters: z.number().int().nullable(),
  }),
  limits: z.strictObject({ requests_per_minute: z.number().int(), max_concurrent: z.number().int() }),
});
export type KeyUsage = z.infer<typeof keyUsageSchema>;

/** `GET /admin/usage`: totals per key over a period, from the D1 ledger. */
export const usageReportSchema = z.strictObject({
  object: z.literal('usage_report'),
  from: z.iso.datetime(),
  to: z.iso.datetime(),
  data: z.array(
    usageTotalsSchema.extend({
      key_id: z.string(),
      name: z.string(),
      currency: z.string(),
    }),
  ),
});
export type UsageReport = z.infer<typeof usageReportSchema>;

/** A Stripe Billing meter event (`POST /v1/billing/meter_events`), value in micros of the plan currency. */
export const stripeMeterEventSchema = z.strictObject({
  event_name: z.string(),
  /** Stripe deduplicates on it; it is the usage event id. */
  identifier: z.string(),
  /** Unix seconds. */
  timestamp: z.number().int(),
  payload: z.strictObject({ stripe_customer_id: z.string(), value: z.string() }),
});
export type StripeMeterEvent = z.infer<typeof stripeMeterEventSchema>;
