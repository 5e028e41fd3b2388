/**
 * Hono middleware that admits only requests signed by the gateway for this function (shared HMAC scheme, ±300 s, no
 * replays). Nonces live in this process only, so it also refuses requests signed before its store began remembering.
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
  // A store that began remembering when this process started refuses what was signed before: what the previous
  // process accepted cannot be replayed to this one. (The server hands in its own store, for its gauge: the rule
  // must follow the store, not who made it; a merge once lost it that way.) Timestamps are whole seconds, so a
  // request stamped with the second the store began in may predate it too: that second is refused as well (the
  // security suite replayed one across a sub-second restart). The gateway retries such a refusal elsewhere.
  const notBefore = nonces.rememberedSinceMs === undefined ? undefined : Math.ceil(nonces.rememberedSinceMs / 1000);
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
