/**
 * `POST /v1/audio/speech` (OpenAI), `POST /v1/tts` (GPT-SoVITS api_v2) and `GET /v1/audio/{synthesis_key}`
 * (playback of a cached phrase). Input is validated in full before any origin is called.
 * @module
 */
import { ApiError, parseOrThrow, SPEECH_FIELD_HINTS, speechRequestSchema, TTS_FIELD_HINTS, ttsRequestSchema } from '@gsv-edge/shared';
import { Hono } from 'hono';
import { gatewayConfig } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { playPhrase } from '../services/playback.ts';
import { synthesize } from '../services/synthesis.ts';
import { readJson, requestContext, send } from './request-context.ts';

/**
 * Where a GPU function's refusal names a synthesis parameter, the OpenAI route's own field for it: the language is
 * detected from `input`, so a language it cannot read is a problem with `input` too.
 */
const SPEECH_PARAM_NAMES: Readonly<Record<string, string>> = { text: 'input', text_lang: 'input', format: 'response_format' };

/** Awaits `work`; an ApiError naming a field in `names` is thrown again naming the route's field instead. */
async function renamingParams<T>(work: Promise<T>, names: Readonly<Record<string, string>>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    throw error instanceof ApiError ? error.withParamRenamed(names) : error;
  }
}

export function synthesisRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.post('/audio/speech', async (c) => {
    const schema = speechRequestSchema(gatewayConfig(c.env).maxInputChars);
    const request = parseOrThrow(schema, await readJson(c), { hints: SPEECH_FIELD_HINTS });
    // OpenAI streams speech audio as it is made (chunked), for `audio` as for `sse`.
    const sse = request.stream_format === 'sse';
    return send(c, await renamingParams(synthesize(requestContext(c), { route: 'speech', params: request.params, stream: true, sse }), SPEECH_PARAM_NAMES));
  });

  routes.post('/tts', async (c) => {
    const schema = ttsRequestSchema(gatewayConfig(c.env).maxInputChars);
    const request = parseOrThrow(schema, await readJson(c), { hints: TTS_FIELD_HINTS });
    return send(c, await synthesize(requestContext(c), { route: 'tts', params: request.params, stream: request.stream, sse: false }));
  });

  routes.get('/audio/:key', async (c) => send(c, await playPhrase(requestContext(c), c.req.param('key'))));

  return routes;
}
