import { ApiError, MemoryNonceStore, signRequest, type NonceStore } from '@gsv-edge/shared';
import { Hono } from 'hono';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { requireSignature } from './require-signature.ts';

const SECRET = 'test-signing-secret-0123456789abcdef';
const ORIGIN = 'http://127.0.0.1:9000';

/** A signed app whose process "started" at `startMs`; answers 200 to what passes the signature. */
function appStartedAt(startMs: number, store?: () => NonceStore): Hono {
  vi.setSystemTime(startMs);
  const app = new Hono();
  app.use('*', requireSignature({ secrets: [SECRET], audience: () => ORIGIN, ...(store === undefined ? {} : { nonces: store() }) }));
  app.get('/internal/v1/models', (c) => c.json({ ok: true }));
  app.onError((error) => (error instanceof ApiError ? error.toResponse() : new Response('unexpected', { status: 500 })));
  return app;
}

async function send(app: Hono, timestampSeconds: number): Promise<{ status: number; code?: string }> {
  const headers = await signRequest({ secret: SECRET, audience: ORIGIN, method: 'GET', pathAndQuery: '/internal/v1/models', body: '', timestamp: timestampSeconds });
  const response = await app.request(`${ORIGIN}/internal/v1/models`, { headers });
  const body = (await response.json()) as { error?: { code?: string } };
  return { status: response.status, ...(body.error?.code === undefined ? {} : { code: body.error.code }) };
}

describe('requireSignature after a restart', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refuses what was signed before it started, and asks for a fresh signature in the second it started in', async () => {
    vi.useFakeTimers();
    const app = appStartedAt(1_700_000_000_400);
    vi.setSystemTime(1_700_000_000_900);
    // Stamped ...000: signed at .2 s (before the start at .4 s, maybe accepted by the process before) or at .6 s.
    expect(await send(app, 1_700_000_000)).toMatchObject({ status: 503, code: 'not_ready' });
    expect(await send(app, 1_699_999_999)).toMatchObject({ status: 401, code: 'stale_request' });
    vi.setSystemTime(1_700_000_001_100);
    expect(await send(app, 1_700_000_001)).toEqual({ status: 200 });
  });

  it('accepts the start second itself when the process started exactly on it', async () => {
    vi.useFakeTimers();
    const app = appStartedAt(1_700_000_000_000);
    expect(await send(app, 1_700_000_000)).toEqual({ status: 200 });
  });

  // The server hands in its own store (for its /metrics gauge); a merge once made that skip the rule entirely, and
  // the security suite's replays across a restart were all accepted.
  it('applies the rule to a process-local store handed in, as the server does', async () => {
    vi.useFakeTimers();
    const app = appStartedAt(1_700_000_000_400, () => new MemoryNonceStore());
    expect(await send(app, 1_699_999_940)).toMatchObject({ status: 401, code: 'stale_request' });
    vi.setSystemTime(1_700_000_001_100);
    expect(await send(app, 1_700_000_001)).toEqual({ status: 200 });
  });

  it('leaves the rule out for a store that outlives the process', async () => {
    vi.useFakeTimers();
    const lasting: NonceStore = { claim: () => true };
    const app = appStartedAt(1_700_000_000_400, () => lasting);
    expect(await send(app, 1_699_999_940)).toEqual({ status: 200 });
  });
});
