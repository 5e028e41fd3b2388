/**
 * Hono middleware that admits only requests signed by the gateway (shared HMAC scheme, ±300 s, no replays).
 * @module
 */
import { MemoryNonceStore, verifyRequest, type NonceStore } from '@gsv-edge/shared';
import type { MiddlewareHandler } from 'hono';

export interface RequireSignatureOptions {
  /** The current signing secret first, then any previous one still honoured during a rotation. */
  readonly secrets: readonly string[];
  readonly nonces?: NonceStore;
  readonly windowSeconds?: number;
}

export function requireSignature(options: RequireSignatureOptions): MiddlewareHandler {
  if (options.secrets.length === 0) throw new RangeError('requireSignature needs at least one secret');
  const nonces = options.nonces ?? new MemoryNonceStore();
  return async function requireSignature(c, next) {
    const url = new URL(c.req.url);
    // Hono caches the body, so handlers can still read it (as JSON) after this.
    const body = new Uint8Array(await c.req.arrayBuffer());
    await verifyRequest({
      secrets: options.secrets,
      method: c.req.method,
      pathAndQuery: `${url.pathname}${url.search}`,
      body,
      headers: c.req.raw.headers,
      nonces,
      ...(options.windowSeconds === undefined ? {} : { windowSeconds: options.windowSeconds }),
    });
    await next();
  };
}
