/**
 * Routes the GPU functions call (`GATEWAY_INTERNAL_PATHS`), signed with the same HMAC scheme and secret as the
 * gateway's calls to them: a voice's current definition, and its recordings (streamed from R2). A GPU function that
 * meets a voice version it has not seen fetches these once and keeps the features it computes.
 *
 * Nonces are remembered per isolate: a replayed request inside the window can only read what its signer could
 * already read, so exact replay protection across isolates is not worth a Durable Object round trip here.
 *
 * The audience verified is GATEWAY_URL's origin when set, else the origin of the request's own URL: Cloudflare
 * routes a request by its host, so a request that reaches this worker names one of its hostnames. Either way a
 * request signed for a GPU function, or for another deployment sharing the secret, fails the MAC.
 * @module
 */
import { ApiError, MemoryNonceStore, verifyRequest } from '@gsv-edge/shared';
import { Hono, type MiddlewareHandler } from 'hono';
import { gatewayConfig, signingSecret } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { VoiceStore } from '../services/voice-store.ts';

const nonces = new MemoryNonceStore();

export function internalRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.use('*', requireGpuSignature());

  routes.get('/voices/:id', async (c) => {
    const voice = await new VoiceStore(c.env).get(c.req.param('id'));
    if (voice === null) throw new ApiError('voice_not_found', `No voice "${c.req.param('id')}".`, { param: 'voice' });
    return c.json(voice);
  });

  routes.get('/voice-audio/:sha256', async (c) => {
    const sha256 = c.req.param('sha256');
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new ApiError('invalid_field', 'A recording is named by its SHA-256.', { param: 'sha256' });
    const object = await new VoiceStore(c.env).recording(sha256);
    if (object === null) throw new ApiError('not_found', `No recording ${sha256}.`, { param: 'sha256' });
    return c.body(object.body, 200, { 'content-type': 'application/octet-stream', 'content-length': String(object.size) });
  });

  return routes;
}

function requireGpuSignature(): MiddlewareHandler<AppEnv> {
  return async function requireGpuSignature(c, next) {
    const url = new URL(c.req.url);
    await verifyRequest({
      secrets: [signingSecret(c.env)],
      audience: gatewayConfig(c.env).internalOrigin ?? url.origin,
      method: c.req.method,
      pathAndQuery: `${url.pathname}${url.search}`,
      body: new Uint8Array(await c.req.arrayBuffer()),
      headers: c.req.raw.headers,
      nonces,
    });
    c.get('log').internal = true;
    await next();
  };
}
