/**
 * Builds the gateway's Hono app: global middleware in order, routes, and the single error handler that turns every
 * failure into the shared error envelope.
 * @module
 */
import { ApiError, boundedBody, drainingBounds } from '@gsv-edge/shared';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { gatewayConfig } from './config.ts';
import type { AppEnv } from './env.ts';
import { log } from './log.ts';
import { requireAdmin } from './middleware/admin-auth.ts';
import { requireApiKey } from './middleware/api-key.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { requestLog } from './middleware/request-log.ts';
import { accountRoutes } from './routes/account.ts';
import { adminKeyRoutes } from './routes/admin-keys.ts';
import { adminUsageRoutes } from './routes/admin-usage.ts';
import { adminVoiceRoutes } from './routes/admin-voices.ts';
import { internalRoutes } from './routes/internal.ts';
import { synthesisRoutes } from './routes/synthesis.ts';

/** Admin key bodies: a name, a plan and a voice list. */
export const MAX_ADMIN_BODY_BYTES = 64 * 1024;
/**
 * Voice uploads: a reference and auxiliary recordings, base64-encoded, in all. A 10 s, 48 kHz stereo 16-bit WAV is
 * 2.6 MB in base64; the bound keeps an upload's transient copies (bytes, text, parsed) well inside an isolate.
 */
export const MAX_VOICE_BODY_BYTES = 16 * 1024 * 1024;

const EXPOSED_HEADERS = [
  'x-request-id',
  'x-cache',
  'x-gsv-synthesis-key',
  'x-gsv-seed',
  'x-gsv-sample-rate',
  'x-gsv-characters',
  'x-gsv-audio-seconds',
  'x-gsv-model',
  'x-gsv-runaway-segments',
  'ratelimit-limit',
  'ratelimit-remaining',
  'ratelimit-reset',
  'ratelimit-policy',
  'retry-after',
  'content-range',
  'accept-ranges',
];

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId({ headerName: 'x-request-id', limitLength: 128 }));
  app.use(requestLog());
  app.use(secureHeaders());
  app.use(
    cors({
      origin: (origin, c: Context<AppEnv>) => {
        const allowed = gatewayConfig(c.env).corsOrigins;
        if (allowed.includes('*')) return '*';
        return allowed.includes(origin) ? origin : null;
      },
      allowMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
      allowHeaders: ['authorization', 'content-type', 'x-request-id', 'idempotency-key', 'range'],
      exposeHeaders: EXPOSED_HEADERS,
      maxAge: 600,
    }),
  );

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  // Synthesis bodies are bounded by MAX_INPUT_CHARS, so the limit follows that setting.
  app.use('/v1/*', requireApiKey(), (c, next) => limitBody(gatewayConfig(c.env).maxSynthesisBodyBytes)(c, next));
  app.use('/v1/tts', rateLimit({ deferred: true }));
  app.use('/v1/audio/*', rateLimit({ deferred: true }));
  app.use('/v1/voices', rateLimit());
  app.use('/v1/usage', rateLimit());
  app.route('/v1', synthesisRoutes());
  app.route('/v1', accountRoutes());

  app.use('/admin/*', requireAdmin());
  app.use('/admin/voices', limitBody(MAX_VOICE_BODY_BYTES));
  app.use('/admin/keys/*', limitBody(MAX_ADMIN_BODY_BYTES));
  app.route('/admin/keys', adminKeyRoutes());
  app.route('/admin/usage', adminUsageRoutes());
  app.route('/admin/voices', adminVoiceRoutes());

  app.route('/internal/v1', internalRoutes());

  app.notFound((c) => errorResponse(c, new ApiError('not_found', `No route for ${c.req.method} ${c.req.path}.`)));
  app.onError((error, c) => errorResponse(c, toApiError(error, c.get('requestId'), c.env.LOG_LEVEL)));
  return app;
}

/** The route's body limit; a body past it is drained before the 413 (see shared `boundedBody`). */
function limitBody(maxSize: number): MiddlewareHandler {
  return async (c, next) => {
    c.req.raw = await boundedBody(c.req.raw, drainingBounds(maxSize));
    await next();
  };
}

function toApiError(error: unknown, requestIdValue: string, logLevel: string | undefined): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 413) return new ApiError('payload_too_large', error.message || 'The request body is too large.');
    if (error.status < 500) return new ApiError('invalid_field', error.message || 'The request is invalid.');
  }
  // Unknown failures are logged with the request id and answered without internals.
  log(logLevel, 'error', 'unhandled', { request_id: requestIdValue, error: String(error) });
  return new ApiError('internal_error', `Internal error; quote request id ${requestIdValue} when reporting it.`);
}

function errorResponse(c: Context<AppEnv>, error: ApiError): Response {
  if (error.retryAfterSeconds !== undefined) {
    c.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  }
  c.get('log').error_code = error.code;
  return c.json(error.toEnvelope(), error.status as ContentfulStatusCode);
}
