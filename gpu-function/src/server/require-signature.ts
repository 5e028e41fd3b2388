/**
 * Hono middleware that admits only requests signed by the gateway for this function (shared HMAC scheme, ±300 s, no
 * replays). Its nonces live in this process only, so it also refuses requests signed before it was created: after a
 * restart, what the previous process accepted cannot be replayed to this one.
 * @module
 */
import { MemoryNonceStore, verifyRequest, type NonceStore } from '@gsv-edge/shared';
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
  // A store handed in may outlive the process; only this process's own store starts empty now. Timestamps are whole
  // seconds, so a request stamped with the second this process started in may have been signed (and accepted by the
  // predecessor) before it started: that second is refused too (found by the security suite, a restart under 1 s).
  // The gateway retries such a refusal on another function; a new process seldom listens within its first second.
  const notBefore = options.nonces === undefined ? Math.ceil(Date.now() / 1000) : undefined;
  return async function requireSignature(c, next) {
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
