/**
 * One synthesis request from validated parameters to response: voice identity → synthesis key and seed → quota and
 * concurrency reservation → phrase cache → signed forward → metering once the response has ended.
 *
 * Metering rule: a request is billed once it has delivered audio — a cache hit when it is served, a miss when the
 * stream completes or the client leaves (the audio was made and is cached). A request that fails is not billed, and
 * its reservation is released. The event id hashes the idempotency key with the request, so a retry carrying the
 * same `Idempotency-Key`/`x-request-id` is recorded once.
 * @module
 */
import {
  ApiError,
  countCharacters,
  INTERNAL_PATHS,
  resolveSynthesis,
  sha256Hex,
  SYNTHESIS_HEADERS,
  type SynthesisJob,
  type SynthesisParams,
} from '@gsv-edge/shared';
import type { GatewayConfig } from '../config.ts';
import { signingSecret } from '../config.ts';
import type { ReservationRequest, UsageRecord } from '../durable/key-account.ts';
import { log } from '../log.ts';
import { accountOf, priceMicros, reservationFor, unitPrice } from './account.ts';
import { trackDelivery, type Delivery } from './delivery.ts';
import type { ApiKeyRecord } from './key-store.ts';
import { callOrigin, type OriginAnswer } from './origin-client.ts';
import { CLIENT_CACHE_CONTROL, PhraseCache, type CachedPhrase } from './phrase-cache.ts';
import { toSpeechEvents } from './sse.ts';
import { voiceCatalog } from './voice-catalog.ts';

export interface SynthesisRequest {
  readonly route: 'speech' | 'tts';
  readonly params: SynthesisParams;
  /** Ask the GPU function to send audio as it is made. */
  readonly stream: boolean;
  /** Answer as OpenAI speech SSE events instead of audio bytes. */
  readonly sse: boolean;
}

export interface RequestContext {
  readonly env: Cloudflare.Env;
  readonly config: GatewayConfig;
  readonly apiKey: ApiKeyRecord;
  readonly requestId: string;
  /** `Idempotency-Key` when the client sent one, else the request id. */
  readonly idempotencyKey: string;
  /** The gateway's own origin, for Cache API entries. */
  readonly baseUrl: string;
  readonly range: string | null;
  /** Takes the request's token and reserves its slot and quota, or throws the refusal (429/402/403). */
  readonly admit: (reservation: ReservationRequest) => Promise<void>;
  readonly waitUntil: (promise: Promise<unknown>) => void;
  /** Adds fields to the request's log line. */
  readonly log: (fields: Record<string, string | number | boolean | null>) => void;
}

export interface SynthesisResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array>;
}

const PASSED_HEADERS = ['content-type', ...Object.values(SYNTHESIS_HEADERS).filter((name) => name !== 'x-request-id')];

export async function synthesize(ctx: RequestContext, request: SynthesisRequest): Promise<SynthesisResponse> {
  const { config, apiKey } = ctx;
  const { params } = request;
  const secret = signingSecret(ctx.env);
  const catalog = voiceCatalog(config, secret, ctx.requestId);
  const characters = countCharacters(params.text);
  const account = accountOf(ctx.env, apiKey.id);
  const reservationId = crypto.randomUUID();
  let voice = await catalog.get(params.voice);
  let resolved = await resolveSynthesis(params, voice);
  const cache = new PhraseCache(ctx.env.PHRASES, ctx.baseUrl, config.phraseEdgeTtlSeconds, ctx.waitUntil);
  // The cache lookup runs while the Durable Object admits the request: a hit then costs one round trip, not two.
  // A cache that fails to answer is a miss, not an error: the GPU function can still make the audio.
  const lookup =
    resolved.synthesisKey === null
      ? Promise.resolve(null)
      : cache.match(resolved.synthesisKey, request.sse ? null : ctx.range).catch((error: unknown) => {
          log(ctx.env.LOG_LEVEL, 'error', 'phrase cache lookup failed', { request_id: ctx.requestId, error: String(error) });
          return null;
        });
  try {
    await ctx.admit(reservationFor(apiKey, reservationId, characters, config.leaseTtlMs));
  } catch (error) {
    void lookup.then((hit) => hit?.body.cancel()).catch(() => undefined);
    throw error;
  }

  const eventId = await sha256Hex(`${ctx.idempotencyKey}\n${request.route}\n${JSON.stringify(params)}`);
  const usage = (cacheHit: boolean, audioSeconds: number | null, outcome: UsageRecord['outcome']): UsageRecord => ({
    eventId,
    requestId: ctx.requestId,
    keyId: apiKey.id,
    occurredMs: Date.now(),
    route: request.route,
    voice: params.voice,
    characters,
    audioSeconds,
    cacheHit,
    priceMicros: priceMicros(characters, unitPrice(apiKey.plan, cacheHit)),
    outcome,
  });
  const settle = (record: UsageRecord | null) => account.settle(reservationId, record).catch((error: unknown) => {
    log(ctx.env.LOG_LEVEL, 'error', 'usage settle failed', { request_id: ctx.requestId, event_id: eventId, error: String(error) });
  });

  try {
    const hit = await lookup;
    if (hit !== null) {
      ctx.waitUntil(settle(isBillablePart(hit) ? usage(true, hit.meta.audioSeconds, 'completed') : null));
      ctx.log({ cache: 'HIT', tier: hit.tier, voice: params.voice, characters });
      return respond(hit.status, hit.headers, hit.body, 'HIT', request.sse, characters);
    }

    const job = (): SynthesisJob => ({
      request_id: ctx.requestId,
      params,
      seed: resolved.seed,
      voice_version: voice.version,
      synthesis_key: resolved.synthesisKey,
      stream: request.stream,
    });
    let answer: OriginAnswer;
    try {
      answer = await forward(ctx, secret, job());
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'voice_version_mismatch')) throw error;
      // The voice changed since this isolate listed it: relist, rekey, and try once more.
      catalog.invalidate();
      voice = await catalog.get(params.voice);
      resolved = await resolveSynthesis(params, voice);
      answer = await forward(ctx, secret, job());
    }

    const key = resolved.synthesisKey;
    const tracked = trackDelivery(answer.body, key === null ? 0 : config.phraseCacheMaxBytes);
    const finalize = async (delivery: Delivery) => {
      const seconds = audioSeconds(answer.headers, params.format, delivery.bytes);
      await settle(delivery.outcome === 'failed' ? null : usage(false, seconds, delivery.outcome));
      ctx.log({ delivery: delivery.outcome, bytes: delivery.bytes });
      if (key === null || delivery.audio === null || delivery.audio.byteLength === 0) return;
      await cache
        .store(key, delivery.audio, {
          contentType: answer.headers.get('content-type') ?? 'application/octet-stream',
          seed: answer.headers.get(SYNTHESIS_HEADERS.seed) ?? String(resolved.seed),
          sampleRate: answer.headers.get(SYNTHESIS_HEADERS.sampleRate),
          characters,
          audioSeconds: seconds,
        })
        .catch((error: unknown) => {
          log(ctx.env.LOG_LEVEL, 'error', 'phrase cache store failed', { request_id: ctx.requestId, error: String(error) });
        });
    };
    ctx.waitUntil(tracked.finished.then(finalize));
    ctx.log({ cache: key === null ? 'BYPASS' : 'MISS', origin: answer.origin, voice: params.voice, characters });

    const headers = new Headers();
    for (const name of PASSED_HEADERS) {
      const value = answer.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    const length = answer.headers.get('content-length');
    if (length !== null) headers.set('content-length', length);
    headers.set('cache-control', key === null ? 'no-store' : CLIENT_CACHE_CONTROL);
    return respond(200, headers, tracked.body, 'MISS', request.sse, characters);
  } catch (error) {
    ctx.waitUntil(settle(null));
    throw error;
  }
}

async function forward(ctx: RequestContext, secret: string, job: SynthesisJob): Promise<OriginAnswer> {
  return callOrigin(ctx.config, secret, {
    method: 'POST',
    path: INTERNAL_PATHS.synthesize,
    body: JSON.stringify(job),
    requestId: ctx.requestId,
    requireBody: true,
  });
}

function respond(
  status: number,
  headers: Headers,
  body: ReadableStream<Uint8Array>,
  cache: 'HIT' | 'MISS',
  sse: boolean,
  characters: number,
): SynthesisResponse {
  headers.set('x-cache', cache);
  if (!sse) return { status, headers, body };
  for (const name of ['content-length', 'content-range', 'accept-ranges', 'etag']) headers.delete(name);
  headers.set('content-type', 'text/event-stream; charset=utf-8');
  headers.set('cache-control', 'no-cache');
  return { status: 200, headers, body: toSpeechEvents(body, characters) };
}

/** A player fetches one file in several ranges; only the range that starts the file is billed. */
function isBillablePart(hit: CachedPhrase): boolean {
  if (hit.status === 200) return true;
  return /^bytes 0-/.test(hit.headers.get('content-range') ?? '');
}

/**
 * Seconds of audio: the GPU function's header when it sent one (non-streamed answers), else derived from the byte
 * count for 16-bit mono PCM and WAV; `null` for streamed compressed formats, whose length the gateway cannot know.
 */
function audioSeconds(headers: Headers, format: string, bytes: number): number | null {
  const stated = headers.get(SYNTHESIS_HEADERS.audioSeconds);
  if (stated !== null && Number.isFinite(Number(stated))) return Number(stated);
  const rate = Number(headers.get(SYNTHESIS_HEADERS.sampleRate));
  if (!(rate > 0)) return null;
  if (format === 'pcm') return bytes / 2 / rate;
  if (format === 'wav') return Math.max(0, bytes - 44) / 2 / rate;
  return null;
}
