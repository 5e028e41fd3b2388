import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { createApp } from './app.ts';

const app = createApp();

describe('gateway app', () => {
  it('runs inside workerd', () => {
    expect(navigator.userAgent).toBe('Cloudflare-Workers');
  });

  it('answers health checks with a request id and security headers', async () => {
    const response = await app.request('/healthz', {}, env);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
    expect(response.headers.get('x-request-id')).toMatch(/\S+/);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('keeps a caller-supplied request id so logs can be joined across services', async () => {
    const response = await app.request('/healthz', { headers: { 'x-request-id': 'client-123' } }, env);
    expect(response.headers.get('x-request-id')).toBe('client-123');
  });

  it('answers unknown routes with the shared error envelope', async () => {
    const response = await app.request('/v9/nothing', { method: 'POST' }, env);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      error: { type: 'not_found_error', code: 'not_found', message: 'No route for POST /v9/nothing.', param: null },
    });
  });
});
