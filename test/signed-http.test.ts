/**
 * The gateway's signing code and the GPU function's verifying middleware, talking over real HTTP.
 */
import { serve, type ServerType } from '@hono/node-server';
import { ApiError, signRequest, type ErrorEnvelope } from '@gsv-edge/shared';
import { Hono } from 'hono';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireSignature } from '../gpu-function/src/server/require-signature.ts';

const secret = 'e2e-secret-0123456789abcdef0123456789abcdef';

interface Running {
  readonly server: ServerType;
  readonly origin: string;
}
let a: Running;
let b: Running;

/** A signed echo service behind the GPU function's middleware; its audience is the address it listens on. */
async function startEcho(): Promise<Running> {
  const app = new Hono();
  let own = '';
  app.use('/internal/*', requireSignature({ secrets: [secret], audience: () => own }));
  app.post('/internal/v1/echo', async (c) => c.json({ received: await c.req.json<unknown>() }));
  app.onError((error, c) => {
    if (error instanceof ApiError) return error.toResponse();
    return c.text(String(error), 500);
  });
  return new Promise<Running>((resolve) => {
    const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info: AddressInfo) => {
      own = `http://127.0.0.1:${String(info.port)}`;
      resolve({ server, origin: own });
    });
  });
}

beforeAll(async () => {
  [a, b] = await Promise.all([startEcho(), startEcho()]);
  // A function answers requests stamped with the second it started in with 503 (they may predate it): start signing
  // in the next one, as a gateway does once the function is ready.
  await new Promise((resolve) => setTimeout(resolve, 1000 - (Date.now() % 1000) + 5));
});

afterAll(() => {
  a.server.close();
  b.server.close();
});

async function post(path: string, body: string, headers: Record<string, string>, to: string = a.origin) {
  return fetch(`${to}${path}`, { method: 'POST', body, headers: { 'content-type': 'application/json', ...headers } });
}

async function sign(body: string, overrides: { path?: string; timestamp?: number } = {}) {
  return signRequest({
    secret,
    audience: a.origin,
    method: 'POST',
    pathAndQuery: overrides.path ?? '/internal/v1/echo',
    body,
    ...(overrides.timestamp === undefined ? {} : { timestamp: overrides.timestamp }),
  });
}

async function codeOf(response: Response): Promise<string> {
  return ((await response.json()) as ErrorEnvelope).error.code;
}

describe('signed gateway -> GPU function calls over HTTP', () => {
  it('lets a signed request through and the handler still reads the body', async () => {
    const body = JSON.stringify({ text: '你好' });
    const response = await post('/internal/v1/echo', body, await sign(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: { text: '你好' } });
  });

  it('turns away unsigned, tampered and replayed requests with 401 envelopes', async () => {
    const body = JSON.stringify({ n: 1 });
    const headers = await sign(body);

    const unsigned = await post('/internal/v1/echo', body, {});
    expect(unsigned.status).toBe(401);
    expect(await codeOf(unsigned)).toBe('invalid_signature');

    const tampered = await post('/internal/v1/echo', JSON.stringify({ n: 2 }), headers);
    expect(tampered.status).toBe(401);

    expect((await post('/internal/v1/echo', body, headers)).status).toBe(200);
    const replayed = await post('/internal/v1/echo', body, headers);
    expect(replayed.status).toBe(401);
    expect(await codeOf(replayed)).toBe('replayed_request');
  });

  it('binds the signature to the path', async () => {
    const body = '{}';
    expect((await post('/internal/v1/echo', body, await sign(body, { path: '/internal/v1/other' }))).status).toBe(401);
  });

  // Found by the security suite (scripts/reliability/security.ts): a v1 signature was valid on every GPU function.
  it('binds the signature to the function it was sent to: a copy sent to another is refused, Host forged or not', async () => {
    const body = '{"n":3}';
    const headers = await sign(body);
    const toB = await post('/internal/v1/echo', body, headers, b.origin);
    expect(toB.status).toBe(401);
    expect(await codeOf(toB)).toBe('invalid_signature');
    expect((await post('/internal/v1/echo', body, headers)).status).toBe(200);
    const forgedHost = await request(`${b.origin}/internal/v1/echo`, {
      method: 'POST',
      body,
      headers: { ...headers, host: new URL(a.origin).host, 'content-type': 'application/json' },
    });
    expect(forgedHost.statusCode).toBe(401);
    await forgedHost.body.dump();
  });

  it('refuses requests signed before it started: a restarted function cannot know what its predecessor accepted', async () => {
    const body = '{"n":4}';
    const beforeStart = await post('/internal/v1/echo', body, await sign(body, { timestamp: Math.floor(Date.now() / 1000) - 60 }));
    expect(beforeStart.status).toBe(401);
    expect(((await beforeStart.json()) as ErrorEnvelope).error).toMatchObject({ code: 'stale_request', message: expect.stringContaining('before this server started') as string });
  });
});
