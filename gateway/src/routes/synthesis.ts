/**
 * `POST /v1/audio/speech` (OpenAI), `POST /v1/tts` (GPT-SoVITS api_v2) and `GET /v1/audio/{synthesis_key}`
 * (playback of a cached phrase). Input is validated in full before any origin is called.
 * @module
 */
import { parseOrThrow, SPEECH_FIELD_HINTS, speechRequestSchema, TTS_FIELD_HINTS, ttsRequestSchema } from '@gsv-edge/shared';
import { Hono } from 'hono';
import { gatewayConfig } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { playPhrase } from '../services/playback.ts';
import { synthesize } from '../services/synthesis.ts';
import { readJson, requestContext, send } from './request-context.ts';

export function synthesisRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.post('/audio/speech', async (c) => {
    const schema = speechRequestSchema(gatewayConfig(c.env).maxInputChars);
    const request = parseOrThrow(schema, await readJson(c), { hints: SPEECH_FIELD_HINTS });
    // OpenAI streams speech audio as it is made (chunked), for `audio` as for `sse`.
    const sse = request.stream_format === 'sse';
    return send(c, await synthesize(requestContext(c), { route: 'speech', params: request.params, stream: true, sse }));
  });

  routes.post('/tts', async (c) => {
    const schema = ttsRequestSchema(gatewayConfig(c.env).maxInputChars);
    const request = parseOrThrow(schema, await readJson(c), { hints: TTS_FIELD_HINTS });
    return send(c, await synthesize(requestContext(c), { route: 'tts', params: request.params, stream: request.stream, sse: false }));
  });

  routes.get('/audio/:key', async (c) => send(c, await playPhrase(requestContext(c), c.req.param('key'))));

  return routes;
}
