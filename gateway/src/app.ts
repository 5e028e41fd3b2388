/**
 * Builds the gateway's Hono app: global middleware in order, routes, and the single error handler that turns every
 * failure into the shared error envelope.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import type { AppEnv } from './env.ts';

export function createApp(): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId({ headerName: 'x-request-id' }));
  app.use(secureHeaders());

  app.get('/healthz', (c) => c.json({ status: 'ok' }));

  app.notFound((c) => errorResponse(c, new ApiError('not_found', `No route for ${c.req.method} ${c.req.path}.`)));
  app.onError((error, c) => errorResponse(c, toApiError(error, c.get('requestId'))));
  return app;
}

function toApiError(error: unknown, requestIdValue: string): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof HTTPException) {
    if (error.status === 413) return new ApiError('payload_too_large', error.message || 'The request body is too large.');
    if (error.status < 500) return new ApiError('invalid_field', error.message || 'The request is invalid.');
  }
  // Unknown failures are logged with the request id and answered without internals.
  console.error(JSON.stringify({ level: 'error', request_id: requestIdValue, error: String(error) }));
  return new ApiError('internal_error', `Internal error; quote request id ${requestIdValue} when reporting it.`);
}

function errorResponse(c: Context<AppEnv>, error: ApiError): Response {
  if (error.retryAfterSeconds !== undefined) {
    c.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
  }
  return c.json(error.toEnvelope(), error.status as ContentfulStatusCode);
}
