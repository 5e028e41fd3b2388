/**
 * Hono middleware that admits only requests signed by the gateway for this function (shared HMAC scheme, ±300 s, no
 * replays). Nonces live in this process only, so it also refuses requests signed before its store began remembering.
 * @module
 */
import { ApiError, MemoryNonceStore, SIGNATURE_HEADERS, verifyRequest, type NonceStore } from '@gsv-edge/shared';
import type { MiddlewareHandler } from 'hono';

export interface RequireSignatureOptions {
  /** The current signing secret first, then any previous one still honoured during a rotation. */
  readonly secrets: readonly string[];
  /** This function's origin as the gateway addresses it; read per request, since it may be known only once listening. */
  readonly audience: () => string;
  readonly nonces?: NonceStore;
  readonly windowSeconds?: number;
}

export function requireSignature(options: RequireSignatureOptions): MiddlewareHandler {
  if (options.secrets.length === 0) throw new RangeError('requireSignature needs at least one secret');
  const nonces = options.nonces ?? new MemoryNonceStore();
  // A store that began remembering when this process started refuses what was signed before: what the previous
  // process accepted cannot be replayed to this one. (The server hands in its own store, for its gauge: the rule
  // must follow the store, not who made it; a merge once lost it that way.)
  const since = nonces.rememberedSinceMs;
  const notBefore = since === undefined ? undefined : Math.floor(since / 1000);
  // Timestamps are whole seconds, so a request stamped with the second the store began in may predate it (the
  // security suite replayed one across a sub-second restart) or may be new. It is neither accepted nor called stale:
  // 503 `not_ready` with Retry-After, which the gateway retries like any starting function, signed anew.
  const ambiguousSecond = since === undefined || since % 1000 === 0 ? undefined : String(Math.floor(since / 1000));
  return async function requireSignature(c, next) {
    if (ambiguousSecond !== undefined && c.req.header(SIGNATURE_HEADERS.timestamp) === ambiguousSecond) {
      throw new ApiError('not_ready', 'This GPU function started during the second this request was signed in; sign it anew.', { retryAfterSeconds: 1 });
    }
    const url = new URL(c.req.url);
    // Hono caches the body, so handlers can still read it (as JSON) after this.
    const body = new Uint8Array(await c.req.arrayBuffer());
    await verifyRequest({
      secrets: options.secrets,
      audience: options.audience(),
      method: c.req.method,
      pathAndQuery: `${url.pathname}${url.search}`,
      body,
      headers: c.req.raw.headers,
      nonces,
      ...(notBefore === undefined ? {} : { notBefore }),
      ...(options.windowSeconds === undefined ? {} : { windowSeconds: options.windowSeconds }),
    });
    await next();
  };
}
