/**
 * The GPU function's HTTP surface (Hono on Node):
 *
 * - `GET /ping` (RunPod's load-balancer convention): 204 while the models load, 200 with the models when ready,
 *   503 while draining.
 * - `GET /healthz` (the process answers), `GET /readyz` (it takes work), `GET /metrics` (Prometheus).
 * - Signed, for the gateway (shared `INTERNAL_PATHS`): `GET /internal/v1/models`, `POST /internal/v1/voices/inspect`,
 *   `POST /internal/v1/synthesize`.
 *
 * Admission is bounded: past MAX_CONCURRENT_REQUESTS syntheses or MAX_CONCURRENT_INSPECTIONS voice inspections in
 * flight, with the nonce store full (NONCE_STORE_MAX_ENTRIES), or while not ready, the answer is a 503 with
 * `Retry-After` before any work, so the gateway moves on to another function; nothing queues without end. Every
 * failure is the shared error envelope.
 * @module
 */
import {
  ApiError,
  boundedBody,
  createVoiceRequestSchema,
  drainingBounds,
  INTERNAL_PATHS,
  MAX_BILLABLE_CHARACTERS,
  parseJsonBody,
  parseOrThrow,
  synthesisJobSchema,
  synthesisParamsSchema,
  type ModelList,
  type NonceStore,
} from '@gsv-edge/shared';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { EngineHost } from './engine-host.ts';
import type { ServerConfig } from './config.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { requireSignature } from './require-signature.ts';
import { answerStreamed, answerWhole, encoderFor, type SynthesisOutcome } from './synthesis-response.ts';

/**
 * Body limits, enforced while a body is read and before its signature is checked (which needs the whole body), so
 * an unsigned sender cannot make the function buffer more than this. The largest synthesis job is
 * MAX_BILLABLE_CHARACTERS of text, each written as a 12-byte JSON escape, and the other fields.
 */
export const MAX_SYNTHESIS_JOB_BODY_BYTES = MAX_BILLABLE_CHARACTERS * 12 + 64 * 1024;
/** A voice upload as the gateway forwards it, the bytes it received (its MAX_VOICE_BODY_BYTES). */
export const MAX_INSPECT_BODY_BYTES = 16 * 1024 * 1024;
/** Any other internal route (they take no body). */
export const MAX_OTHER_BODY_BYTES = 64 * 1024;

export type ServerState = 'loading' | 'ready' | 'draining';

export interface ServerContext {
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly state: () => ServerState;
  /** The engine, once loaded. */
  readonly host: () => EngineHost | null;
  /** The origin the gateway signs its calls for: PUBLIC_ORIGIN, else the address listened on (known once listening). */
  readonly origin: () => string;
  /** Nonces of accepted signed requests (bounded; see config.ts). */
  readonly nonces: NonceStore;
}

export function createServerApp(server: ServerContext): Hono {
  const { config, logger, metrics } = server;
  const app = new Hono();
  let inFlight = 0;
  let inspections = 0;

  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    if (c.req.path === '/ping' || c.req.path === '/metrics') return;
    logger.info(
      { request_id: c.req.header('x-request-id') ?? null, method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) },
      'request',
    );
  });

  app.get('/ping', (c) => {
    const state = server.state();
    if (state === 'loading') return c.body(null, 204);
    if (state === 'draining') return c.json({ status: 'draining' }, 503);
    return c.json({ status: 'ready', models: server.host()?.models ?? [] });
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  app.get('/readyz', (c) => {
    if (server.state() !== 'ready') throw notReady(server.state());
    return c.json({ status: 'ready' });
  });
  app.get('/metrics', async (c) => c.body(await metrics.registry.metrics(), 200, { 'content-type': metrics.registry.contentType }));

  const internal = new Hono();
  internal.use(async (c, next) => limitBody(bodyLimitOf(c.req.path))(c, next));
  internal.use(requireSignature({ secrets: config.secrets, audience: server.origin, nonces: server.nonces, windowSeconds: config.signatureWindowSeconds }));
  internal.use(async (_c, next) => {
    if (server.state() !== 'ready') throw notReady(server.state());
    await next();
  });

  internal.get('/models', (c) => {
    const list: ModelList = { object: 'list', data: [...engine(server).models] };
    return c.json(list);
  });

  internal.post('/voices/inspect', async (c) => {
    const upload = parseOrThrow(createVoiceRequestSchema, parseJsonBody(await c.req.text()));
    if (inspections >= config.maxConcurrentInspections) {
      throw new ApiError('overloaded', `This GPU function is inspecting ${String(inspections)} voice uploads, its limit; retry shortly.`, { retryAfterSeconds: 1 });
    }
    inspections += 1;
    metrics.inspectionsInFlight.inc();
    try {
      // The engine reads the transcript as any text; a problem with it is a problem with the upload's prompt fields.
      return c.json(await renamingParams(engine(server).inspect(upload), PROMPT_FIELDS));
    } finally {
      inspections -= 1;
      metrics.inspectionsInFlight.dec();
    }
  });

  internal.post('/synthesize', async (c) => {
    const job = parseOrThrow(synthesisJobSchema, parseJsonBody(await c.req.text()));
    if (inFlight >= config.maxConcurrentRequests) {
      throw new ApiError('overloaded', `This GPU function has ${String(inFlight)} syntheses in flight, its limit; retry on another.`, { retryAfterSeconds: 1 });
    }
    inFlight += 1;
    metrics.requestsInFlight.inc();
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      inFlight -= 1;
      metrics.requestsInFlight.dec();
    };
    const started = performance.now();
    try {
      const host = engine(server);
      // The engine names the synthesis parameter at fault; in a job it sits under `params`.
      const stream = await renamingParams(
        host.synthesize(
          { requestId: job.request_id, params: job.params, seed: job.seed, voiceVersion: job.voice_version, deadlineMs: Date.now() + config.requestTimeoutMs },
          c.req.raw.signal,
        ),
        JOB_PARAM_FIELDS,
      );
      let outcome: SynthesisOutcome;
      try {
        const encoder = await encoderFor(job, stream);
        outcome = job.stream ? await answerStreamed(job, stream, encoder, () => { host.cancel(stream); }) : await answerWhole(job, stream, encoder);
      } catch (error) {
        host.cancel(stream);
        throw error;
      }
      outcome.finished.then(
        (summary) => {
          metrics.requests.inc({ outcome: 'completed' });
          metrics.timeToFirstAudio.observe(summary.timeToFirstAudioMs / 1000);
          metrics.requestDuration.observe((performance.now() - started) / 1000);
          if (summary.runawaySegments > 0) metrics.runawaySegments.inc(summary.runawaySegments);
          logger.info(
            { request_id: job.request_id, client_request_id: job.client_request_id, model: summary.model, audio_seconds: summary.audioSeconds, segments: summary.segments, ttfa_ms: Math.round(summary.timeToFirstAudioMs), runaway_segments: summary.runawaySegments },
            'synthesis',
          );
        },
        (error: unknown) => {
          const code = error instanceof ApiError ? error.code : 'synthesis_failed';
          metrics.requests.inc({ outcome: 'failed' });
          metrics.errors.inc({ code });
          logger.warn({ request_id: job.request_id, client_request_id: job.client_request_id, code }, 'synthesis ended early');
        },
      ).finally(release);
      return outcome.response;
    } catch (error) {
      release();
      throw error;
    }
  });

  app.route('/internal/v1', internal);
  app.notFound((c) => errorResponse(c, new ApiError('not_found', `No route for ${c.req.method} ${c.req.path}.`), metrics));
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error, metrics);
    logger.error({ request_id: c.req.header('x-request-id') ?? null, error: error.message }, 'unhandled');
    return errorResponse(c, new ApiError('internal_error', 'Internal error in the GPU function.'), metrics);
  });
  return app;
}

function bodyLimitOf(path: string): number {
  if (path === INTERNAL_PATHS.synthesize) return MAX_SYNTHESIS_JOB_BODY_BYTES;
  if (path === INTERNAL_PATHS.inspectVoice) return MAX_INSPECT_BODY_BYTES;
  return MAX_OTHER_BODY_BYTES;
}

/** The route's body limit; a body past it is drained before the 413 (see shared `boundedBody`). */
function limitBody(maxSize: number): MiddlewareHandler {
  return async (c, next) => {
    c.req.raw = await boundedBody(c.req.raw, drainingBounds(maxSize));
    await next();
  };
}

/** The engine's names for a voice's transcript and its language, and the upload fields they come from. */
const PROMPT_FIELDS: Readonly<Record<string, string>> = { text: 'prompt_text', text_lang: 'prompt_lang' };
const JOB_PARAM_FIELDS: Readonly<Record<string, string>> = Object.fromEntries(Object.keys(synthesisParamsSchema.shape).map((name) => [name, `params.${name}`]));

/** Awaits `work`; an ApiError naming a field in `names` is thrown again naming the request's own field. */
async function renamingParams<T>(work: Promise<T>, names: Readonly<Record<string, string>>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw error instanceof ApiError ? error.withParamRenamed(names) : error;
  }
}

function engine(server: ServerContext): EngineHost {
  const host = server.host();
  if (host === null) throw notReady('loading');
  return host;
}

function notReady(state: ServerState): ApiError {
  return state === 'draining'
    ? new ApiError('not_ready', 'This GPU function is draining for shutdown; retry on another.', { retryAfterSeconds: 1 })
    : new ApiError('not_ready', 'This GPU function is still loading its models.', { retryAfterSeconds: 5 });
}

function errorResponse(c: Context, error: ApiError, metrics: Metrics): Response {
  metrics.errors.inc({ code: error.code });
  // The rest of a body past the limit is never read: the connection cannot carry another request, and a client
  // that is not told so would send its next one into a closed socket.
  if (error.code === 'payload_too_large') c.header('connection', 'close');
  if (error.retryAfterSeconds !== undefined) c.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  return c.json(error.toEnvelope(), error.status as ContentfulStatusCode);
}
