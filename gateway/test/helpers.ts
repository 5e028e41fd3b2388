/**
 * Helpers for the gateway's tests inside workerd: calling the app with a real execution context (so waitUntil work
 * such as metering and cache fills can be awaited), making keys through the admin API, and reading the fake origin.
 */
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import { sha256Hex, type CreatedApiKey, type ErrorEnvelope, type Plan, type SynthesisJob } from '@gsv-edge/shared';
import { createApp } from '../src/app.ts';
import { phraseIdOf } from '../src/services/phrase-cache.ts';
import { TEST_SECRETS } from './secrets.ts';

/** Bindings vitest.config.ts adds for tests only. */
export interface TestBindings extends Cloudflare.Env {
  readonly TEST_MIGRATIONS: D1Migration[];
  readonly FAKE_ORIGIN: string;
  readonly REFUSED_ORIGIN: string;
}

export type D1Migration = { name: string; queries: string[] };

export const testEnv = env as TestBindings;
const app = createApp();

export interface Call {
  readonly response: Response;
  /** Waits for everything the request left running (metering, cache fills). Consume or cancel the body first. */
  readonly settled: () => Promise<void>;
}

/** Calls the gateway app as workerd would, with `vars` (or test doubles of bindings) overriding wrangler.toml's. */
export async function call(path: string, init: RequestInit = {}, vars: Partial<Record<keyof Cloudflare.Env, unknown>> = {}): Promise<Call> {
  const ctx = createExecutionContext();
  const response = await app.fetch(new Request(`https://gateway.test${path}`, init), { ...testEnv, ...vars }, ctx);
  return { response, settled: () => waitOnExecutionContext(ctx) };
}

export function origins(...names: string[]): string {
  return names.map((name) => (name === 'refused' ? testEnv.REFUSED_ORIGIN : `${testEnv.FAKE_ORIGIN}/${name}`)).join(',');
}

export interface OriginStats {
  synthesize: number;
  models: number;
  inspections: number;
  probes: number;
  dropped: number;
  jobs: SynthesisJob[];
  requestIds: string[];
  uploads: string[];
}

/** Takes a fake origin down (every connection dropped, as a killed function's are) or brings it back. */
export async function setOriginDown(name: string, isDown: boolean): Promise<void> {
  await (await fetch(`${testEnv.FAKE_ORIGIN}/${isDown ? '__down' : '__up'}/${name}`, { method: 'POST' })).arrayBuffer();
}

export async function originStats(name: string): Promise<OriginStats> {
  return (await fetch(`${testEnv.FAKE_ORIGIN}/__stats/${name}`)).json();
}

/**
 * Changes a voice as another isolate would (a new version in D1), and tells the fake origins its current version, as
 * a real GPU function would learn it from the gateway: a job keyed with the old version is then refused.
 */
export async function changeVoice(id: string): Promise<string> {
  const version = await sha256Hex(`${id} changed ${String(Date.now())}`);
  await testEnv.DB.prepare('UPDATE voices SET version = ? WHERE id = ?').bind(version, id).run();
  await fetch(`${testEnv.FAKE_ORIGIN}/__voice-version/${id}/${version}`, { method: 'POST' });
  return version;
}

export const adminHeaders = { authorization: `Bearer ${TEST_SECRETS.admin}`, 'content-type': 'application/json' };

export const basePlan: Plan = {
  requests_per_minute: 1000,
  max_concurrent: 10,
  monthly_character_quota: null,
  price_per_1k_chars_micros: 20_000,
  cache_hit_price_per_1k_chars_micros: 2_000,
  currency: 'usd',
};

export async function createKey(plan: Partial<Plan> = {}, extra: Record<string, unknown> = {}): Promise<CreatedApiKey> {
  const { response } = await call('/admin/keys', {
    method: 'POST',
    headers: adminHeaders,
    body: JSON.stringify({ name: 'test', plan: { ...basePlan, ...plan }, ...extra }),
  });
  if (response.status !== 201) throw new Error(`key creation failed: ${String(response.status)} ${await response.text()}`);
  return response.json();
}

export function bearer(secret: string, more: Record<string, string> = {}): Record<string, string> {
  return { authorization: `Bearer ${secret}`, 'content-type': 'application/json', ...more };
}

export async function errorOf(response: Response): Promise<ErrorEnvelope['error']> {
  return (await response.json<ErrorEnvelope>()).error;
}

export async function bytesOf(response: Response): Promise<Uint8Array> {
  return new Uint8Array(await response.arrayBuffer());
}

/** Where this data center's copy of a phrase lives, for a key that is its own account (the default). */
export async function phraseEdgeUrl(accountId: string, synthesisKey: string): Promise<string> {
  return `https://gateway.test/_phrase-cache/v2/${await phraseIdOf(`account:${accountId}`, synthesisKey)}`;
}

/** A binding double that forwards everything to the real binding but lets a test count or fail chosen methods. */
export function intercept<T extends object>(real: T, methods: Partial<Record<string, (original: (...args: unknown[]) => unknown, args: unknown[]) => unknown>>): T {
  return new Proxy(real, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      // Reflect.apply, not value.apply: a Durable Object stub answers any property, `apply` included, as an RPC method.
      const original = (...args: unknown[]) => Reflect.apply(value as (...inner: unknown[]) => unknown, target, args);
      const hook = typeof property === 'string' ? methods[property] : undefined;
      return hook === undefined ? original : (...args: unknown[]) => hook(original, args);
    },
  });
}
