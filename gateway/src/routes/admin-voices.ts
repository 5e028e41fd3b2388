/**
 * `/admin/voices`: voices are the gateway's (definitions in D1, recordings in R2), so every GPU function can serve
 * every voice. Creating one asks a GPU function that carries the voice's model to decode and check the recordings
 * (`POST /internal/v1/voices/inspect`), then stores them and derives the voice's version; nothing is stored on a GPU
 * function, which fetches what it needs when it first meets the voice.
 *
 * An upload (up to MAX_VOICE_BODY_BYTES of base64 audio) is read once, parsed to validate it, and forwarded for
 * inspection as the bytes received, never re-serialized; an isolate handles one upload at a time, so uploads cannot
 * together take the isolate past its 128 MB and down with every request it serves.
 * @module
 */
import {
  ApiError,
  createVoiceRequestSchema,
  idSchema,
  INTERNAL_PATHS,
  parseJsonBody,
  parseOrThrow,
  voiceInspectionSchema,
  voiceVersion,
  type CreateVoiceRequest,
  type DeletedVoice,
  type Voice,
  type VoiceInspection,
} from '@gsv-edge/shared';
import { Hono } from 'hono';
import { z } from 'zod';
import { gatewayConfig, signingSecret } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { originsFor } from '../services/model-directory.ts';
import { callOrigin } from '../services/origin-client.ts';
import { voiceCatalog } from '../services/voice-catalog.ts';
import { OneAtATime } from '../services/one-at-a-time.ts';
import { VoiceStore } from '../services/voice-store.ts';
import { requireJsonContentType } from './request-context.ts';

/**
 * Uploads wait here for the one before them; a waiting upload holds no memory (its body is not read yet). An upload
 * takes seconds (a GPU function decodes and checks it), so a minute covers a burst of them; one still holding its
 * turn after five minutes was cancelled by workerd without settling.
 */
const uploads = new OneAtATime({ maxWaitMs: 60_000, maxHoldMs: 300_000, pollMs: 50, what: 'voice upload' });

export function adminVoiceRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/', async (c) => c.json({ object: 'list', data: await new VoiceStore(c.env).list() }));

  routes.post('/', (c) =>
    uploads.run(async () => {
      requireJsonContentType(c);
      const bytes = new Uint8Array(await c.req.arrayBuffer());
      const request = validateUpload(bytes);
      const store = new VoiceStore(c.env);
      if ((await store.get(request.id)) !== null) throw voiceExists(request.id);
      const inspection = await inspect(c.env, c.get('requestId'), request, bytes);
      const recordings: string[] = [];
      for (const [index, audio] of [request.ref_audio, ...request.aux_ref_audio].entries()) {
        const sha256 = await store.putRecording(fromBase64(audio));
        const inspected = index === 0 ? inspection.reference : inspection.aux_references[index - 1];
        if (inspected?.sha256 !== sha256) throw new ApiError('origin_unavailable', 'The GPU function inspected other recordings than were uploaded.');
        recordings.push(sha256);
      }
      const voice: Voice = {
        object: 'voice',
        id: request.id,
        model: request.model,
        model_sha256: inspection.model_sha256,
        version: await voiceVersion({ model_sha256: inspection.model_sha256, recordings, prompt_text: request.prompt_text, prompt_lang: request.prompt_lang }),
        prompt_text: request.prompt_text,
        prompt_lang: request.prompt_lang,
        reference: inspection.reference,
        aux_references: inspection.aux_references,
        sample_rate: inspection.sample_rate,
        description: request.description,
        created_at: new Date().toISOString(),
      };
      if (!(await store.insert(voice))) throw voiceExists(request.id);
      voiceCatalog(c.env, gatewayConfig(c.env)).invalidate();
      c.get('log').voice = voice.id;
      return c.json(voice, 201);
    }),
  );

  routes.delete('/:id', async (c) => {
    const { id } = parseOrThrow(z.strictObject({ id: idSchema }), { id: c.req.param('id') });
    if (!(await new VoiceStore(c.env).delete(id))) throw new ApiError('voice_not_found', `No voice "${id}".`, { param: 'id' });
    voiceCatalog(c.env, gatewayConfig(c.env)).invalidate();
    const deleted: DeletedVoice = { id, object: 'voice.deleted', deleted: true };
    return c.json(deleted);
  });

  return routes;
}

/** Parses and validates in a scope of its own, so the text can be collected before the upload is forwarded. */
function validateUpload(bytes: Uint8Array): CreateVoiceRequest {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError('invalid_json', 'The request body is not valid UTF-8 JSON.');
  }
  return parseOrThrow(createVoiceRequestSchema, parseJsonBody(text));
}

/** Asks a GPU function carrying the model to decode and check the recordings. */
async function inspect(env: Cloudflare.Env, requestId: string, request: CreateVoiceRequest, upload: Uint8Array): Promise<VoiceInspection> {
  const config = gatewayConfig(env);
  const secret = signingSecret(env);
  const { origins } = await originsFor(config, secret, request.model, requestId);
  if (origins.length === 0) {
    throw new ApiError('model_not_found', `No GPU function carries model bundle "${request.model}".`, { param: 'model' });
  }
  const answer = await callOrigin(config, secret, { method: 'POST', path: INTERNAL_PATHS.inspectVoice, body: upload, requestId, requireBody: true, origins });
  const parsed = voiceInspectionSchema.safeParse(await new Response(answer.body).json().catch(() => null));
  if (!parsed.success || parsed.data.model !== request.model || parsed.data.aux_references.length !== request.aux_ref_audio.length) {
    throw new ApiError('origin_unavailable', 'The GPU function answered a voice inspection that does not match the contract.');
  }
  return parsed.data;
}

function voiceExists(id: string): ApiError {
  return new ApiError('voice_exists', `A voice "${id}" already exists; delete it first or choose another id.`, { param: 'id' });
}

/** Base64 to bytes; `atob` is what workerd offers (no Buffer without Node compatibility). */
function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
