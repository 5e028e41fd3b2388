/**
 * Reads the gateway's vars once per environment object into typed settings, failing with a message that names the
 * var, so a typo in wrangler.toml is found on the first request rather than as odd behaviour later.
 * @module
 */
import { ApiError, integerVar, MAX_BILLABLE_CHARACTERS } from '@gsv-edge/shared';
import { z } from 'zod';
import { log } from './log.ts';

function listVar() {
  return z
    .string()
    .optional()
    .transform((text) => (text ?? '').split(',').map((item) => item.trim()).filter((item) => item !== ''));
}

const originUrlSchema = z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, ''));

const varsSchema = z.object({
  GPU_ORIGINS: listVar().pipe(z.array(originUrlSchema).min(1, 'must name at least one GPU function origin')),
  GATEWAY_URL: z.url({ protocol: /^https?$/ }).transform((url) => new URL(url).origin).optional(),
  ORIGIN_STRATEGY: z.enum(['least-outstanding', 'round-robin']).default('least-outstanding'),
  ORIGIN_TIMEOUT_MS: integerVar(30_000, 1, 600_000),
  ORIGIN_IDLE_TIMEOUT_MS: integerVar(30_000, 1, 600_000),
  ORIGIN_STREAM_TIMEOUT_MS: integerVar(600_000, 1, 3_600_000),
  ORIGIN_COOLDOWN_SECONDS: integerVar(30, 0, 3600),
  ORIGIN_MAX_ATTEMPTS: integerVar(3, 1, 10),
  VOICE_CACHE_TTL_SECONDS: integerVar(60, 0, 86_400),
  KEY_CACHE_TTL_SECONDS: integerVar(60, 60, 86_400),
  LEASE_TTL_SECONDS: integerVar(900, 1, 86_400),
  PHRASE_CACHE_MAX_BYTES: integerVar(25 * 1024 * 1024, 0, 512 * 1024 * 1024),
  PHRASE_EDGE_TTL_SECONDS: integerVar(7 * 86_400, 0, 365 * 86_400),
  PHRASE_CACHE_SCOPE: z.enum(['account', 'global']).default('account'),
  CORS_ORIGINS: listVar(),
  MAX_INPUT_CHARS: integerVar(4096, 1, MAX_BILLABLE_CHARACTERS),
  BURST_COUNT_ONE_IN: integerVar(8, 1, 1000),
  STRIPE_METER_EVENT_NAME: z.string().default('gsv_edge_usage_micros'),
  STRIPE_API_BASE: originUrlSchema.default('https://api.stripe.com'),
  STRIPE_TIMEOUT_MS: integerVar(10_000, 1, 120_000),
});

// A request that outlived its lease would free its concurrency slot early and be billed as unsettled.
const configSchema = varsSchema.refine(
  (vars) => vars.LEASE_TTL_SECONDS * 1000 > vars.ORIGIN_TIMEOUT_MS + vars.ORIGIN_STREAM_TIMEOUT_MS,
  { message: 'must be longer than ORIGIN_TIMEOUT_MS + ORIGIN_STREAM_TIMEOUT_MS', path: ['LEASE_TTL_SECONDS'] },
);

export interface GatewayConfig {
  readonly origins: readonly string[];
  /**
   * The origin GPU functions call this gateway at (their GATEWAY_URL), which their signatures name; `null` takes
   * each request's own origin, which is sound where the platform routes by host (Cloudflare) and not where any host
   * reaches the worker (`wrangler dev`, a proxy in front).
   */
  readonly internalOrigin: string | null;
  readonly originStrategy: 'least-outstanding' | 'round-robin';
  readonly originTimeoutMs: number;
  readonly originIdleTimeoutMs: number;
  /** Longest a relayed answer may stay open, read or not. */
  readonly originStreamTimeoutMs: number;
  readonly originCooldownMs: number;
  readonly originMaxAttempts: number;
  readonly voiceCacheTtlMs: number;
  readonly keyCacheTtlSeconds: number;
  readonly leaseTtlMs: number;
  readonly phraseCacheMaxBytes: number;
  readonly phraseEdgeTtlSeconds: number;
  readonly phraseCacheScope: 'account' | 'global';
  readonly corsOrigins: readonly string[];
  readonly maxInputChars: number;
  /** Largest synthesis body: MAX_INPUT_CHARS of text even if every character is written as a JSON escape. */
  readonly maxSynthesisBodyBytes: number;
  /** The burst shield counts one request in this many at the location (burst-shield.ts). */
  readonly burstCountOneIn: number;
  readonly stripeMeterEventName: string;
  readonly stripeApiBase: string;
  readonly stripeTimeoutMs: number;
  readonly logLevel: string | undefined;
}

/**
 * The most bytes one character of text can take in a JSON body: an astral code point written as two `\uXXXX`
 * escapes. Room for the other fields is added on top.
 */
const MAX_JSON_BYTES_PER_CHARACTER = 12;
const SYNTHESIS_BODY_OVERHEAD_BYTES = 16 * 1024;

const parsed = new WeakMap<object, GatewayConfig>();

export function gatewayConfig(env: Cloudflare.Env): GatewayConfig {
  const known = parsed.get(env);
  if (known !== undefined) return known;
  const result = configSchema.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    const detail = issue === undefined ? 'invalid configuration' : `${issue.path.join('.')} ${issue.message}`;
    log(env.LOG_LEVEL, 'error', 'configuration', { error: detail });
    throw new ApiError('internal_error', 'The gateway is misconfigured; its operator has been told in the logs.');
  }
  const vars = result.data;
  const config: GatewayConfig = {
    origins: vars.GPU_ORIGINS,
    internalOrigin: vars.GATEWAY_URL ?? null,
    originStrategy: vars.ORIGIN_STRATEGY,
    originTimeoutMs: vars.ORIGIN_TIMEOUT_MS,
    originIdleTimeoutMs: vars.ORIGIN_IDLE_TIMEOUT_MS,
    originStreamTimeoutMs: vars.ORIGIN_STREAM_TIMEOUT_MS,
    originCooldownMs: vars.ORIGIN_COOLDOWN_SECONDS * 1000,
    originMaxAttempts: vars.ORIGIN_MAX_ATTEMPTS,
    voiceCacheTtlMs: vars.VOICE_CACHE_TTL_SECONDS * 1000,
    keyCacheTtlSeconds: vars.KEY_CACHE_TTL_SECONDS,
    leaseTtlMs: vars.LEASE_TTL_SECONDS * 1000,
    phraseCacheMaxBytes: vars.PHRASE_CACHE_MAX_BYTES,
    phraseEdgeTtlSeconds: vars.PHRASE_EDGE_TTL_SECONDS,
    phraseCacheScope: vars.PHRASE_CACHE_SCOPE,
    corsOrigins: vars.CORS_ORIGINS,
    maxInputChars: vars.MAX_INPUT_CHARS,
    maxSynthesisBodyBytes: vars.MAX_INPUT_CHARS * MAX_JSON_BYTES_PER_CHARACTER + SYNTHESIS_BODY_OVERHEAD_BYTES,
    burstCountOneIn: vars.BURST_COUNT_ONE_IN,
    stripeMeterEventName: vars.STRIPE_METER_EVENT_NAME,
    stripeApiBase: vars.STRIPE_API_BASE,
    stripeTimeoutMs: vars.STRIPE_TIMEOUT_MS,
    logLevel: env.LOG_LEVEL,
  };
  parsed.set(env, config);
  return config;
}

/** The HMAC secret, or a logged 500: without it no origin would accept a single request. */
export function signingSecret(env: Cloudflare.Env): string {
  const secret = env.SIGNING_SECRET;
  if (secret === undefined || new TextEncoder().encode(secret).length < 32) {
    log(env.LOG_LEVEL, 'error', 'configuration', { error: 'SIGNING_SECRET is missing or shorter than 32 bytes' });
    throw new ApiError('internal_error', 'The gateway is misconfigured; its operator has been told in the logs.');
  }
  return secret;
}

/** The characters RFC 6750 allows in a bearer token: an ADMIN_SECRET outside them could never be sent. */
export const BEARER_TOKEN_PATTERN = /^[A-Za-z0-9._~+/-]+=*$/;

export type AdminSecretState = { readonly ok: true; readonly secret: string } | { readonly ok: false; readonly reason: string };

/** The admin secret, or why the admin API is off (logged once per request that tries it). */
export function adminSecret(env: Cloudflare.Env): AdminSecretState {
  const secret = env.ADMIN_SECRET;
  if (secret === undefined || secret === '') return { ok: false, reason: 'ADMIN_SECRET is not set' };
  if (!BEARER_TOKEN_PATTERN.test(secret)) {
    log(env.LOG_LEVEL, 'error', 'configuration', { error: 'ADMIN_SECRET has characters a bearer token cannot carry (RFC 6750)' });
    return { ok: false, reason: 'ADMIN_SECRET is not a valid bearer token (letters, digits and ._~+/- only)' };
  }
  return { ok: true, secret };
}
