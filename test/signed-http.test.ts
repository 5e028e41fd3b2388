/**
 * The gateway's signing code and the GPU function's verifying middleware, talking over real HTTP.
 */
import { serve, type ServerType } from '@hono/node-server';
import { ApiError, signRequest, type ErrorEnvelope } from '@gsv-edge/shared';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSignature } from '../gpu-function/src/server/require-signature.ts';

const secret = 'e2e-secret-0123456789abcdef0123456789abcdef';
let server: ServerType;
let origin: string;

beforeAll(async () => {
  const app = new Hono();
  app.use('/internal/*', requireSignature({ secrets: [secret] }));
  app.post('/internal/v1/echo', async (c) => c.json({ received: await c.req.json<unknown>() }));
  app.onError((error, c) => {
    if (error instanceof ApiError) return error.toResponse();
    return c.text(String(error), 500);
  });
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      origin = `http://127.0.0.1:${String(info.port)}`;
      resolve();
    });
  });
});

afterAll(() => {
  server.close();
});

async function post(path: string, body: string, headers: Record<string, string>) {
  return fetch(`${origin}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

describe('signed gateway -> GPU function calls over HTTP', () => {
  it('lets a signed request through and the handler still reads the body', async () => {
    const body = JSON.stringify({ text: '你好' });
    const headers = await signRequest({ secret, method: 'POST', pathAndQuery: '/internal/v1/echo', body });
    const response = await post('/internal/v1/echo', body, headers);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: { text: '你好' } });
  });

  it('turns away unsigned, tampered and replayed requests with 401 envelopes', async () => {
    const body = JSON.stringify({ n: 1 });
    const headers = await signRequest({ secret, method: 'POST', pathAndQuery: '/internal/v1/echo', body });

    const unsigned = await post('/internal/v1/echo', body, {});
    expect(unsigned.status).toBe(401);
    expect(((await unsigned.json()) as ErrorEnvelope).error.code).toBe('invalid_signature');

    const tampered = await post('/internal/v1/echo', JSON.stringify({ n: 2 }), headers);
    expect(tampered.status).toBe(401);

    expect((await post('/internal/v1/echo', body, headers)).status).toBe(200);
    const replayed = await post('/internal/v1/echo', body, headers);
    expect(replayed.status).toBe(401);
    expect(((await replayed.json()) as ErrorEnvelope).error.code).toBe('replayed_request');
  });

  it('binds the signature to the path', async () => {
    const body = '{}';
    const headers = await signRequest({ secret, method: 'POST', pathAndQuery: '/internal/v1/other', body });
    expect((await post('/internal/v1/echo', body, headers)).status).toBe(401);
  });
});
