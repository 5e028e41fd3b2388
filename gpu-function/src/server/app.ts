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
import { ApiError, createVoiceRequestSchema, parseJsonBody, parseOrThrow, synthesisJobSchema, type ModelList, type NonceStore } from '@gsv-edge/shared';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { EngineHost } from './engine-host.ts';
import type { ServerConfig } from './config.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { requireSignature } from './require-signature.ts';
import { answerStreamed, answerWhole, encoderFor, type SynthesisOutcome } from './synthesis-response.ts';

export type ServerState = 'loading' | 'ready' | 'draining';

export interface ServerContext {
  readonly config: ServerConfig;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly state: () => ServerState;
  /** The engine, once loaded. */
  readonly host: () => EngineHost | null;
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
  internal.use(requireSignature({ secrets: config.secrets, nonces: server.nonces, windowSeconds: config.signatureWindowSeconds }));
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
      return c.json(await engine(server).inspect(upload));
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
      const stream = await host.synthesize(
        { requestId: job.request_id, params: job.params, seed: job.seed, voiceVersion: job.voice_version, deadlineMs: Date.now() + config.requestTimeoutMs },
        c.req.raw.signal,
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
  if (error.retryAfterSeconds !== undefined) c.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  return c.json(error.toEnvelope(), error.status as ContentfulStatusCode);
}
