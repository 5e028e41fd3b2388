/**
 * `/admin/voices`: voice management, validated here and forwarded (signed) to the GPU function's
 * `/internal/v1/voices`. Any change drops this isolate's voice list, so the next synthesis keys with the new version.
 * @module
 */
import { createVoiceRequestSchema, idSchema, INTERNAL_PATHS, parseOrThrow } from '@gsv-edge/shared';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { gatewayConfig, signingSecret } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { callOrigin, type OriginCall } from '../services/origin-client.ts';
import { voiceCatalog } from '../services/voice-catalog.ts';
import { readJson } from './request-context.ts';

export function adminVoiceRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/', async (c) => {
    const catalog = voiceCatalog(gatewayConfig(c.env), signingSecret(c.env), c.get('requestId'));
    catalog.invalidate();
    return c.json({ object: 'list', data: await catalog.list() });
  });

  routes.post('/', async (c) => {
    const body = await readJson(c);
    parseOrThrow(createVoiceRequestSchema, body);
    return forward(c, { method: 'POST', path: INTERNAL_PATHS.voices, body: JSON.stringify(body) });
  });

  routes.delete('/:id', async (c) => {
    const { id } = parseOrThrow(z.strictObject({ id: idSchema }), { id: c.req.param('id') });
    return forward(c, { method: 'DELETE', path: `${INTERNAL_PATHS.voices}/${id}`, body: '' });
  });

  return routes;
}

async function forward(c: Context<AppEnv>, call: Pick<OriginCall, 'method' | 'path' | 'body'>): Promise<Response> {
  const config = gatewayConfig(c.env);
  const secret = signingSecret(c.env);
  const answer = await callOrigin(config, secret, { ...call, requestId: c.get('requestId'), requireBody: true });
  voiceCatalog(config, secret, c.get('requestId')).invalidate();
  return c.body(answer.body, answer.status as 200, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
}
