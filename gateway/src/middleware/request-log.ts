/**
 * One JSON log line per request: method, path (no query string), status, duration, request id and whatever the
 * handlers added (key id, cache result, origin, error code). Never headers, bodies or keys.
 * @module
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from '../env.ts';
import { log } from '../log.ts';

export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = Date.now();
    c.set('log', {});
    await next();
    log(c.env.LOG_LEVEL, c.res.status >= 500 ? 'error' : 'info', 'request', {
      request_id: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status: c.res.status,
      ms: Date.now() - started,
      ...c.get('log'),
    });
  };
}
