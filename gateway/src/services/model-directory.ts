/**
 * Which model bundles each GPU function carries, as this isolate last heard (`GET /internal/v1/models`, signed),
 * so that a voice is sent only to functions that can speak it. Asked after admission only, per origin at most once
 * per {@link MODELS_TTL_MS}. An origin that did not answer is not known to lack the model: it stays eligible, after
 * the ones known to carry it (a request then fails over from it with the real reason, or succeeds), and is asked
 * again after {@link RETRY_MS}.
 *
 * A request waits for the lists only until one origin is known to carry its model: an origin that hangs is then
 * asked in the background, instead of holding every request for ORIGIN_TIMEOUT_MS each time its entry expires. An
 * origin whose list failed during the request is not offered the request itself (it would fail the same way, a
 * second ORIGIN_TIMEOUT_MS for a hanging one); when that leaves none, the request fails with what they failed with.
 * @module
 */
import { ApiError, INTERNAL_PATHS, modelListSchema, parseOrThrow, type ModelInfo } from '@gsv-edge/shared';
import type { GatewayConfig } from '../config.ts';
import { callOrigin } from './origin-client.ts';

export const MODELS_TTL_MS = 60_000;
const RETRY_MS = 5_000;

interface Entry {
  /** `null`: the origin did not answer. */
  readonly models: readonly ModelInfo[] | null;
  /** Why it did not answer. */
  readonly failure?: ApiError;
  /** When the answer (or its failure) came. */
  readonly atMs: number;
  readonly expiresMs: number;
}

const entries = new Map<string, Entry>();
const loading = new Map<string, Promise<Entry>>();

/**
 * The origins that may carry `model`: those known to (in configuration order), then those that did not answer or
 * have not answered yet. `background` keeps the lists still loading alive after the answer (the request's
 * `waitUntil`).
 */
export async function originsFor(
  config: GatewayConfig,
  secret: string,
  model: string,
  requestId: string,
  background?: (work: Promise<unknown>) => void,
): Promise<{ origins: string[] }> {
  const asked = Date.now();
  const loads = config.origins.map((origin) => entryOf(config, secret, origin, requestId));
  const carries = (entry: Entry | undefined): boolean => entry?.models?.some((item) => item.id === model) === true;
  await new Promise<void>((resolve) => {
    let left = loads.length;
    if (left === 0) resolve();
    for (const load of loads) {
      void load.then((entry) => {
        left -= 1;
        if (left === 0 || carries(entry)) resolve();
      });
    }
  });
  background?.(Promise.all(loads));
  // What is known now: fresh answers, or the last one of an origin still being asked.
  const known = config.origins.map((origin) => ({ origin, entry: entries.get(origin) }));
  const carrying = known.filter(({ entry }) => carries(entry));
  const failedNow = known.filter(({ entry }) => entry?.models === null && entry.atMs >= asked);
  const unknown = known.filter(({ entry }) => (entry === undefined || entry.models === null) && !failedNow.some((failed) => failed.entry === entry));
  const origins = [...carrying, ...unknown].map(({ origin }) => origin);
  if (origins.length === 0 && failedNow.length > 0) {
    const failures = failedNow.map(({ entry }) => entry?.failure).filter((failure) => failure !== undefined);
    throw failures.find((failure) => failure.code === 'origin_timeout') ?? failures[0] ?? noOriginCarries(model);
  }
  return { origins };
}

/** Forgets what every origin said, so the next request asks again (one answered `model_not_found`). */
export function forgetModels(): void {
  entries.clear();
}

/** The error for a model no reachable GPU function carries. */
export function noOriginCarries(model: string): ApiError {
  return new ApiError('origin_unavailable', `No GPU function that is up carries model bundle "${model}".`, { retryAfterSeconds: RETRY_MS / 1000 });
}

function entryOf(config: GatewayConfig, secret: string, origin: string, requestId: string): Promise<Entry> {
  const known = entries.get(origin);
  if (known !== undefined && known.expiresMs > Date.now()) return Promise.resolve(known);
  let pending = loading.get(origin);
  if (pending === undefined) {
    pending = fetchModels(config, secret, origin, requestId)
      .then((models): Entry => ({ models, atMs: Date.now(), expiresMs: Date.now() + MODELS_TTL_MS }))
      .catch(
        (error: unknown): Entry => ({
          models: null,
          failure: error instanceof ApiError ? error : new ApiError('origin_unavailable', 'The GPU function answered an invalid model list.', { cause: error }),
          atMs: Date.now(),
          expiresMs: Date.now() + RETRY_MS,
        }),
      )
      .then((entry) => {
        entries.set(origin, entry);
        return entry;
      })
      .finally(() => loading.delete(origin));
    loading.set(origin, pending);
  }
  return pending;
}

async function fetchModels(config: GatewayConfig, secret: string, origin: string, requestId: string): Promise<readonly ModelInfo[]> {
  const answer = await callOrigin(
    { ...config, originMaxAttempts: 1 },
    secret,
    { method: 'GET', path: INTERNAL_PATHS.models, body: '', requestId, requireBody: true, origins: [origin] },
  );
  const json: unknown = await new Response(answer.body).json();
  return parseOrThrow(modelListSchema, json).data;
}
