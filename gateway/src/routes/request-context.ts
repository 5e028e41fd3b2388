/**
 * What route handlers hand to services: the parsed JSON body, and the request's context without Hono in it.
 * @module
 */
import { ApiError, parseJsonBody } from '@gsv-edge/shared';
import type { Context } from 'hono';
import { gatewayConfig } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { admitAndReserve, admitHit, admitOnly, reserveOnly } from '../middleware/rate-limit.ts';
import type { RequestContext, SynthesisResponse } from '../services/synthesis.ts';

/** JSON bodies only; a form-encoded body (curl -d without a Content-Type) gets a 415 that says what to send. */
export function requireJsonContentType(c: Context<AppEnv>): void {
  const type = c.req.header('content-type');
  if (type !== undefined && !/^application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type.trim())) {
    throw new ApiError('unsupported_media_type', `The body must be JSON sent with \`Content-Type: application/json\`, got \`${type}\`.`);
  }
}

export async function readJson(c: Context<AppEnv>): Promise<unknown> {
  requireJsonContentType(c);
  return parseJsonBody(await c.req.text());
}

export function requestContext(c: Context<AppEnv>): RequestContext {
  const log = c.get('log');
  const gatewayRequestId = crypto.randomUUID();
  log.gateway_request_id = gatewayRequestId;
  return {
    env: c.env,
    config: gatewayConfig(c.env),
    apiKey: c.get('apiKey'),
    requestId: c.get('requestId'),
    gatewayRequestId,
    clientRequestId: c.req.header('x-request-id') ?? null,
    idempotencyKey: c.req.header('idempotency-key'),
    baseUrl: new URL(c.req.url).origin,
    range: c.req.header('range') ?? null,
    admit: (reservation) => admitAndReserve(c, reservation),
    admitHit: (reservation, bill) => admitHit(c, reservation, bill),
    admitOnly: () => admitOnly(c),
    reserve: (reservation) => reserveOnly(c, reservation),
    waitUntil: (promise) => {
      c.executionCtx.waitUntil(promise);
    },
    log: (fields) => Object.assign(log, fields),
  };
}

export function send(c: Context<AppEnv>, response: SynthesisResponse): Response {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return c.body(response.body, response.status as 200, headers);
}
