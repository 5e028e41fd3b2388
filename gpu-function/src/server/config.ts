/**
 * The GPU function's settings, from the environment and command-line flags, checked once at start: a wrong value
 * stops the process with a message naming it, never a silent default.
 * @module
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { audienceOf, DEFAULT_SIGNATURE_WINDOW_SECONDS, integerVar } from '@gsv-edge/shared';
import { z } from 'zod';
import type { EngineLimits } from '../engine/index.ts';
// Not through the engine's index: the HTTP thread must not load the engine (see engine-host.ts).
import { runtimeConfigFromEnv, type RuntimeConfig } from '../runtime/config.ts';

export interface ServerConfig {
  readonly host: string;
  readonly port: number;
  /** The current signing secret first, then a previous one still honoured during a rotation. */
  readonly secrets: readonly string[];
  /**
   * This function's origin as the gateway addresses it (its entry in the gateway's GPU_ORIGINS): the gateway signs
   * every call for it, and a call signed for another function is refused. `null` is the address it listens on.
   */
  readonly publicOrigin: string | null;
  readonly bundles: readonly string[];
  readonly dataDir: string;
  /** The gateway's URL as this function reaches it, to fetch voices; `null` runs without one. */
  readonly gatewayUrl: string | null;
  /** Syntheses accepted at once; past it the answer is `503 overloaded` before any work. */
  readonly maxConcurrentRequests: number;
  /** Voice inspections (HuBERT and friends on an upload) at once; past it, `503 overloaded` before any work. */
  readonly maxConcurrentInspections: number;
  /**
   * Nonces of signed requests remembered at once (each until its signature window ends, at most 2 x 300 s); when
   * full, new signed requests get `503 overloaded` rather than a nonce still in its window being forgotten.
   */
  readonly nonceStoreMaxEntries: number;
  /** How far a signed request's timestamp may be from this server's clock; its nonce is remembered that long after it. */
  readonly signatureWindowSeconds: number;
  /** A synthesis still running after this long fails with `deadline_exceeded`. */
  readonly requestTimeoutMs: number;
  /** On SIGTERM, how long requests in flight may run on before they are stopped. */
  readonly drainTimeoutMs: number;
  readonly logLevel: string;
  readonly runtime: RuntimeConfig;
  readonly limits: Partial<EngineLimits>;
}

const secretSchema = z.string().refine((secret) => new TextEncoder().encode(secret).length >= 32, 'must be at least 32 bytes');

const envSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: integerVar(9880, 1, 65_535),
  SIGNING_SECRET: secretSchema,
  SIGNING_SECRET_PREVIOUS: secretSchema.optional(),
  PUBLIC_ORIGIN: z.url({ protocol: /^https?$/ }).transform(audienceOf).optional(),
  GSV_BUNDLES: z.string().optional(),
  GSV_DATA_DIR: z.string().default('.gsv-edge/gpu-data'),
  GATEWAY_URL: z.url({ protocol: /^https?$/ }).optional(),
  MAX_CONCURRENT_REQUESTS: integerVar(32, 1, 10_000),
  MAX_CONCURRENT_INSPECTIONS: integerVar(2, 1, 1000),
  // About 100 bytes each: the default bounds the store near 100 MB, and holds 1600 signed requests/s for 600 s.
  NONCE_STORE_MAX_ENTRIES: integerVar(1_000_000, 1, 100_000_000),
  SIGNATURE_WINDOW_SECONDS: integerVar(DEFAULT_SIGNATURE_WINDOW_SECONDS, 5, 3600),
  VOICE_CACHE_ENTRIES: integerVar(64, 1, 100_000),
  VOICE_CACHE_MAX_BYTES: integerVar(256 * 1024 * 1024, 1024, Number.MAX_SAFE_INTEGER),
  VOICE_DEFINITIONS_MAX: integerVar(10_000, 1, 10_000_000),
  REQUEST_TIMEOUT_MS: integerVar(300_000, 1000, 3_600_000),
  DRAIN_TIMEOUT_MS: integerVar(30_000, 0, 3_600_000),
  MAX_RUNNING_SEQUENCES: integerVar(16, 1, 1024),
  RUNAWAY_TOKENS_PER_PHONE: integerVar(12, 0, 1000),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

/** Addresses that listen on every interface: no caller addresses the function by them. */
const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]', '']);

/** Reads flags (`--bundle DIR`, repeatable; `--port N`) over the environment. Throws an Error naming what is wrong. */
export function serverConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): ServerConfig {
  const { values } = parseArgs({
    args: [...argv],
    options: { bundle: { type: 'string', multiple: true }, port: { type: 'string' } },
    strict: true,
  });
  const parsed = envSchema.safeParse({ ...env, ...(values.port === undefined ? {} : { PORT: values.port }) });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const name = issue?.path.join('.') ?? '';
    throw new Error(`configuration: ${name === '' ? '' : `${name} `}${issue?.message ?? 'is invalid'}`);
  }
  const vars = parsed.data;
  if (vars.PUBLIC_ORIGIN === undefined && WILDCARD_HOSTS.has(vars.HOST)) {
    throw new Error(`configuration: PUBLIC_ORIGIN must be set when HOST is ${vars.HOST}: the origin the gateway calls this function at (its GPU_ORIGINS entry), which the gateway's signatures name`);
  }
  const bundles = [...(values.bundle ?? []), ...(vars.GSV_BUNDLES ?? '').split(',')].map((dir) => dir.trim()).filter((dir) => dir !== '');
  if (bundles.length === 0) throw new Error('configuration: no model bundle; set GSV_BUNDLES (comma-separated folders) or pass --bundle DIR');
  return {
    host: vars.HOST,
    port: vars.PORT,
    secrets: [vars.SIGNING_SECRET, ...(vars.SIGNING_SECRET_PREVIOUS === undefined ? [] : [vars.SIGNING_SECRET_PREVIOUS])],
    publicOrigin: vars.PUBLIC_ORIGIN ?? null,
    bundles: bundles.map((dir) => resolve(dir)),
    dataDir: resolve(vars.GSV_DATA_DIR),
    gatewayUrl: vars.GATEWAY_URL ?? null,
    maxConcurrentRequests: vars.MAX_CONCURRENT_REQUESTS,
    maxConcurrentInspections: vars.MAX_CONCURRENT_INSPECTIONS,
    nonceStoreMaxEntries: vars.NONCE_STORE_MAX_ENTRIES,
    signatureWindowSeconds: vars.SIGNATURE_WINDOW_SECONDS,
    requestTimeoutMs: vars.REQUEST_TIMEOUT_MS,
    drainTimeoutMs: vars.DRAIN_TIMEOUT_MS,
    logLevel: vars.LOG_LEVEL,
    runtime: runtimeConfigFromEnv(env),
    limits: {
      maxRunning: vars.MAX_RUNNING_SEQUENCES,
      requestTimeoutMs: vars.REQUEST_TIMEOUT_MS,
      runawayTokensPerPhone: vars.RUNAWAY_TOKENS_PER_PHONE,
      voiceCacheEntries: vars.VOICE_CACHE_ENTRIES,
      voiceCacheBytes: vars.VOICE_CACHE_MAX_BYTES,
      voiceDefinitions: vars.VOICE_DEFINITIONS_MAX,
    },
  };
}
