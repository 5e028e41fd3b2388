/**
 * `/admin/voices`: voice management, validated here and forwarded (signed) to the GPU function's
 * `/internal/v1/voices`. Any change drops this isolate's voice list, so the next synthesis keys with the new version.
 *
 * An upload (up to MAX_VOICE_BODY_BYTES, a few megabytes of base64 audio) is read once, parsed only to validate it,
 * and forwarded as the bytes received, never re-serialized; an isolate handles one upload at a time, so uploads
 * cannot together take the isolate past its 128 MB and down with every request it serves.
 * @module
 */
import { ApiError, createVoiceRequestSchema, idSchema, INTERNAL_PATHS, parseJsonBody, parseOrThrow } from '@gsv-edge/shared';
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { gatewayConfig, signingSecret } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { callOrigin, type OriginCall } from '../services/origin-client.ts';
import { voiceCatalog } from '../services/voice-catalog.ts';
import { requireJsonContentType } from './request-context.ts';

/** Uploads wait here for the one before them; a waiting upload holds no memory (its body is not read yet). */
let uploadQueue: Promise<unknown> = Promise.resolve();

function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const turn = uploadQueue.then(work, work);
  uploadQueue = turn.catch(() => undefined);
  return turn;
}

export function adminVoiceRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/', async (c) => {
    const catalog = voiceCatalog(gatewayConfig(c.env), signingSecret(c.env), c.get('requestId'));
    catalog.invalidate();
    return c.json({ object: 'list', data: await catalog.list() });
  });

  routes.post('/', (c) =>
    oneAtATime(async () => {
      requireJsonContentType(c);
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      validateUpload(bytes);
      return forward(c, { method: 'POST', path: INTERNAL_PATHS.voices, body: bytes });
    }),
  );

  routes.delete('/:id', async (c) => {
    const { id } = parseOrThrow(z.strictObject({ id: idSchema }), { id: c.req.param('id') });
    return forward(c, { method: 'DELETE', path: `${INTERNAL_PATHS.voices}/${id}`, body: '' });
  });

  return routes;
}

/** Parses and validates in a scope of its own, so the text and the parsed copy can be collected before forwarding. */
function validateUpload(bytes: Uint8Array): void {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError('invalid_json', 'The request body is not valid UTF-8 JSON.');
  }
  parseOrThrow(createVoiceRequestSchema, parseJsonBody(text));
}

async function forward(c: Context<AppEnv>, call: Pick<OriginCall, 'method' | 'path' | 'body'>): Promise<Response> {
  const config = gatewayConfig(c.env);
  const secret = signingSecret(c.env);
  const answer = await callOrigin(config, secret, { ...call, requestId: c.get('requestId'), requireBody: true });
  voiceCatalog(config, secret, c.get('requestId')).invalidate();
  return c.body(answer.body, answer.status as 200, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
}
