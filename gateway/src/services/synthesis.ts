/**
 * One synthesis request from validated parameters to response: voice → synthesis key and seed → admission (rate,
 * concurrency, quota, idempotency) → phrase cache → signed forward → billing as the answer ends.
 *
 * Nothing that costs the operator anything runs before admission: before it, only this isolate's voice list, its
 * hot phrases and this data center's Cache API are consulted (none is billed per use); the voice list refresh, R2
 * and the GPU functions come after. A phrase the isolate holds is known to be a hit before admission, so it is
 * admitted and billed in one Durable Object call and answered from memory. The billing rules are in billing.ts.
 * @module
 */
import {
  ApiError,
  countCharacters,
  INTERNAL_PATHS,
  resolveSynthesis,
  SYNTHESIS_HEADERS,
  type SynthesisJob,
  type SynthesisParams,
  type Voice,
} from '@gsv-edge/shared';
import type { GatewayConfig } from '../config.ts';
import { signingSecret } from '../config.ts';
import type { ReservationRequest, UsageRecord } from '../durable/key-account.ts';
import { log } from '../log.ts';
import { priceMicros, reservationFor, unitPrice } from './account.ts';
import { idempotencyKeyHash, playbackIdentity, replayKey, requestIdentity, usageEventId } from './billing.ts';
import { trackDelivery, type TrackedBody } from './delivery.ts';
import { ISOLATE_HOT_PHRASES, readUpTo, streamOf, type HotPhrase } from './hot-phrases.ts';
import { mayUseVoice, type ApiKeyRecord } from './key-store.ts';
import { forgetModels, noOriginCarries, originsFor } from './model-directory.ts';
import { callOrigin, type OriginAnswer } from './origin-client.ts';
import { CLIENT_CACHE_CONTROL, pcmSeconds, PhraseCache, phraseHeaders, phraseIdOf, type CachedPhrase, type PhraseMeta } from './phrase-cache.ts';
import { ISOLATE_BUFFER_BUDGET } from './phrase-writer.ts';
import { markStarted, settleUsage, type SettlementTarget } from './settlement.ts';
import { toSpeechEvents } from './sse.ts';
import { voiceCatalog, voiceNotFound } from './voice-catalog.ts';

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
  /** The id in `x-request-id`: the client's when it sent one (to join logs), else generated. Never an identity. */
  readonly requestId: string;
  /** The gateway's own id of this request: the GPU job's id, the lease's id and the source of the usage event id. */
  readonly gatewayRequestId: string;
  /** The `x-request-id` the client sent, if any. */
  readonly clientRequestId: string | null;
  /** The client's `Idempotency-Key` header, unvalidated. */
  readonly idempotencyKey: string | undefined;
  /** The gateway's own origin, for Cache API entries. */
  readonly baseUrl: string;
  readonly range: string | null;
  /** Takes the request's token and reserves its slot and quota, or throws the refusal (429/402/403/409). */
  readonly admit: (reservation: ReservationRequest) => Promise<void>;
  /** Takes the token of a whole cache hit, makes the reservation's checks and bills it, or throws the refusal. */
  readonly admitHit: (reservation: ReservationRequest, bill: UsageRecord) => Promise<void>;
  /** Takes the request's token only. */
  readonly admitOnly: () => Promise<void>;
  /** Reserves the slot and quota of a request already admitted. */
  readonly reserve: (reservation: ReservationRequest) => Promise<void>;
  readonly waitUntil: (promise: Promise<unknown>) => void;
  /** Adds fields to the request's log line. */
  readonly log: (fields: Record<string, string | number | boolean | null>) => void;
}

export interface SynthesisResponse {
  readonly status: number;
  readonly headers: Headers;
  /**
   * Bytes in hand (a phrase this isolate holds) are answered as they are (the Response copies them): workerd sends a
   * buffer natively, where a stream is pumped chunk by chunk through JavaScript.
   */
  readonly body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer>;
}

/** A request's audio identity under a voice version: its synthesis key (null for a random seed) and phrase id. */
interface Phrase {
  readonly voice: Voice;
  readonly synthesisKey: string | null;
  readonly phraseId: string | null;
  readonly seed: number;
}

const PASSED_HEADERS = ['content-type', ...Object.values(SYNTHESIS_HEADERS).filter((name) => name !== 'x-request-id')];

export async function synthesize(ctx: RequestContext, request: SynthesisRequest): Promise<SynthesisResponse> {
  const { config, apiKey } = ctx;
  const { params } = request;
  const secret = signingSecret(ctx.env);
  const catalog = voiceCatalog(ctx.env, config);
  const idempotency = await idempotencyKeyHash(ctx.idempotencyKey);
  // A voice the key may not use is answered exactly like one that does not exist.
  if (!mayUseVoice(apiKey, params.voice)) throw voiceNotFound(params.voice);
  const cache = new PhraseCache(ctx.env.PHRASES, ctx.baseUrl, config.phraseEdgeTtlSeconds, ctx.waitUntil);
  const range = request.sse ? null : ctx.range;
  const bills = usageRecords(ctx, request, await usageEventId(apiKey.id, requestIdentity(ctx.gatewayRequestId)));
  const target: SettlementTarget = { env: ctx.env, keyId: apiKey.id, reservationId: ctx.gatewayRequestId, requestId: ctx.requestId };

  // Before admission: only what costs nothing (this isolate's voice list and hot phrases, this data center's cache).
  const known = catalog.peek(params.voice);
  let phrase = known === undefined ? null : await phraseOf(ctx, params, known);
  const reservation = reservationFor(apiKey, ctx.gatewayRequestId, bills.characters, config.leaseTtlMs, {
    idempotencyKey: idempotency,
    pending: bills.record(false, null, 'completed', null),
  });
  const hot = phrase === null || phrase.phraseId === null || range !== null ? undefined : ISOLATE_HOT_PHRASES.get(phrase.phraseId);
  if (phrase !== null && hot !== undefined) return answerFromMemory(ctx, request, bills, reservation, hot, phrase, idempotency);
  const edgeLookup = phrase === null ? Promise.resolve(null) : matchEdge(ctx, cache, phrase, range);
  try {
    await ctx.admit(reservation);
  } catch (error) {
    void edgeLookup.then((hit) => hit?.body.cancel()).catch(() => undefined);
    throw error;
  }

  try {
    const edgeAsked = phrase !== null;
    phrase ??= await phraseOf(ctx, params, await catalog.get(params.voice));
    const hit = (await edgeLookup) ?? (await lookupAfterAdmission(ctx, cache, phrase, range, edgeAsked));
    if (hit !== null) return await answerFromCache(ctx, request, target, bills, hit, phrase, idempotency);

    let answer: OriginAnswer;
    try {
      answer = await forward(ctx, secret, job(ctx, request, phrase), phrase.voice.model);
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'voice_version_mismatch')) throw error;
      // The voice changed since this isolate listed it: relist, rekey, and try once more.
      catalog.invalidate();
      phrase = await phraseOf(ctx, params, await catalog.get(params.voice));
      answer = await forward(ctx, secret, job(ctx, request, phrase), phrase.voice.model);
    }
    return await answerFromOrigin(ctx, request, target, bills, answer, phrase, cache, idempotency);
  } catch (error) {
    ctx.waitUntil(settleUsage(target, { bill: null, release: true }));
    throw error;
  }
}

/** Builds this request's usage records; only what is known when it ends varies. */
function usageRecords(ctx: RequestContext, request: SynthesisRequest, eventId: string) {
  const { apiKey } = ctx;
  const characters = countCharacters(request.params.text);
  const record = (cacheHit: boolean, audioSeconds: number | null, outcome: UsageRecord['outcome'], replay: string | null): UsageRecord => ({
    eventId,
    requestId: ctx.requestId,
    keyId: apiKey.id,
    occurredMs: Date.now(),
    route: request.route,
    voice: request.params.voice,
    characters,
    audioSeconds,
    cacheHit,
    priceMicros: priceMicros(characters, unitPrice(apiKey.plan, cacheHit)),
    outcome,
    replayKey: replay,
  });
  return { characters, record };
}
type UsageRecords = ReturnType<typeof usageRecords>;

/**
 * Rules 2 and 4 for a phrase this isolate holds: one Durable Object call takes the token, makes the reservation's
 * checks and bills the hit (unless a replay); nothing is left to settle afterwards.
 */
async function answerFromMemory(
  ctx: RequestContext,
  request: SynthesisRequest,
  bills: UsageRecords,
  reservation: ReservationRequest,
  hot: HotPhrase,
  phrase: Phrase,
  idempotency: string | null,
): Promise<SynthesisResponse> {
  await ctx.admitHit(reservation, bills.record(true, hot.meta.audioSeconds, 'completed', await replayKey(idempotency, phrase.synthesisKey)));
  ctx.log({ cache: 'HIT', tier: 'memory', voice: request.params.voice, characters: bills.characters });
  const headers = phraseHeaders(phrase.synthesisKey, hot.meta, hot.bytes.byteLength);
  return respond(200, headers, hot.bytes, 'HIT', request.sse, bills.characters);
}

/** Rules 2-4: a whole hit is billed per request (unless a replay), a ranged one as the day's playback. */
async function answerFromCache(
  ctx: RequestContext,
  request: SynthesisRequest,
  target: SettlementTarget,
  bills: UsageRecords,
  hit: CachedPhrase,
  phrase: Phrase,
  idempotency: string | null,
): Promise<SynthesisResponse> {
  const base = bills.record(true, hit.meta.audioSeconds, 'completed', await replayKey(idempotency, phrase.synthesisKey));
  const bill =
    hit.status === 206 && phrase.phraseId !== null
      ? { ...base, replayKey: null, eventId: await usageEventId(ctx.apiKey.id, playbackIdentity(phrase.phraseId, Date.now())) }
      : base;
  ctx.waitUntil(settleUsage(target, { bill, release: true }));
  ctx.log({ cache: 'HIT', tier: hit.tier, voice: request.params.voice, characters: bills.characters });
  return respond(hit.status, hit.headers, rememberWhole(ctx, hit, phrase), 'HIT', request.sse, bills.characters);
}

/** A whole hit small enough for the isolate's hot phrases is copied there as it is answered; returns the body to send. */
function rememberWhole(ctx: RequestContext, hit: CachedPhrase, phrase: Phrase): ReadableStream<Uint8Array> {
  const size = Number(hit.headers.get('content-length'));
  const { phraseId } = phrase;
  if (hit.status !== 200 || phraseId === null || !ISOLATE_HOT_PHRASES.accepts(size)) return hit.body;
  const [toClient, toMemory] = hit.body.tee();
  ctx.waitUntil(
    readUpTo(toMemory, size).then((bytes) => {
      if (bytes?.byteLength === size) ISOLATE_HOT_PHRASES.put(phraseId, bytes, hit.meta);
    }),
  );
  return toClient;
}

/** Rule 1: relays the GPU function's answer, caching it as it goes, and bills it once its fate is known. */
async function answerFromOrigin(
  ctx: RequestContext,
  request: SynthesisRequest,
  target: SettlementTarget,
  bills: UsageRecords,
  answer: OriginAnswer,
  phrase: Phrase,
  cache: PhraseCache,
  idempotency: string | null,
): Promise<SynthesisResponse> {
  const { phraseId, synthesisKey } = phrase;
  const writer =
    phraseId === null
      ? null
      : cache.writer(
          phraseId,
          phraseMeta(answer, phrase, bills.characters, request.params.voice),
          { maxBytes: ctx.config.phraseCacheMaxBytes, budget: ISOLATE_BUFFER_BUDGET },
          (stored, meta) => {
            ISOLATE_HOT_PHRASES.put(phraseId, stored, meta);
          },
        );
  const tracked = trackDelivery(answer.body, writer);
  const replay = await replayKey(idempotency, synthesisKey);
  ctx.waitUntil(markStarted(target));
  ctx.waitUntil(settleWhenDelivered(target, tracked, (outcome, bytes) => bills.record(false, answerSeconds(answer, bytes), outcome, replay), ctx));
  ctx.log({ cache: synthesisKey === null ? 'BYPASS' : 'MISS', origin: answer.origin, voice: request.params.voice, characters: bills.characters });

  const headers = new Headers();
  for (const name of PASSED_HEADERS) {
    const value = answer.headers.get(name);
    if (value !== null) headers.set(name, value);
  }
  const length = answer.headers.get('content-length');
  if (length !== null) headers.set('content-length', length);
  headers.set('cache-control', synthesisKey === null ? 'no-store' : CLIENT_CACHE_CONTROL);
  return respond(200, headers, tracked.body, 'MISS', request.sse, bills.characters);
}

/**
 * Bills the answer as soon as its fate is known (rule 1): a client that leaves is billed at once, while its lease
 * is held until the rest of the answer has been read for the cache.
 */
async function settleWhenDelivered(
  target: SettlementTarget,
  tracked: TrackedBody,
  bill: (outcome: 'completed' | 'client_aborted', bytes: number) => UsageRecord,
  ctx: RequestContext,
): Promise<void> {
  const delivery = await tracked.delivered;
  ctx.log({ delivery: delivery.outcome, bytes: delivery.bytes });
  if (delivery.outcome === 'failed') {
    await settleUsage(target, { bill: null, release: true });
  } else if (delivery.outcome === 'completed') {
    await settleUsage(target, { bill: bill('completed', delivery.bytes), release: true });
  } else {
    await settleUsage(target, { bill: bill('client_aborted', delivery.bytes), release: false });
    await tracked.drained;
    await settleUsage(target, { bill: null, release: true });
  }
  await tracked.drained;
}

async function phraseOf(ctx: RequestContext, params: SynthesisParams, voice: Voice): Promise<Phrase> {
  const resolved = await resolveSynthesis(params, voice);
  const phraseId = resolved.synthesisKey === null ? null : await phraseIdOf(phraseScope(ctx), resolved.synthesisKey);
  return { voice, synthesisKey: resolved.synthesisKey, phraseId, seed: resolved.seed };
}

/** Who shares cached phrases with this key (PHRASE_CACHE_SCOPE). */
export function phraseScope(ctx: Pick<RequestContext, 'config' | 'apiKey'>): string {
  return ctx.config.phraseCacheScope === 'global' ? 'global' : `account:${ctx.apiKey.accountId}`;
}

/** A cache that fails to answer is a miss, not an error: the GPU function can still make the audio. */
function matchEdge(ctx: RequestContext, cache: PhraseCache, phrase: Phrase, range: string | null): Promise<CachedPhrase | null> {
  if (phrase.phraseId === null || phrase.synthesisKey === null) return Promise.resolve(null);
  return cache.matchEdge(phrase.phraseId, phrase.synthesisKey, range).catch((error: unknown) => cacheFailed(ctx, error));
}

/** The edge (unless it was asked before admission), then R2. */
async function lookupAfterAdmission(
  ctx: RequestContext,
  cache: PhraseCache,
  phrase: Phrase,
  range: string | null,
  edgeAsked: boolean,
): Promise<CachedPhrase | null> {
  if (phrase.phraseId === null || phrase.synthesisKey === null) return null;
  const edge = edgeAsked ? null : await matchEdge(ctx, cache, phrase, range);
  if (edge !== null) return edge;
  return cache.matchDurable(phrase.phraseId, phrase.synthesisKey, range).catch((error: unknown) => cacheFailed(ctx, error));
}

function cacheFailed(ctx: RequestContext, error: unknown): null {
  log(ctx.env.LOG_LEVEL, 'error', 'phrase cache lookup failed', { request_id: ctx.requestId, error: String(error) });
  return null;
}

function job(ctx: RequestContext, request: SynthesisRequest, phrase: Phrase): SynthesisJob {
  return {
    request_id: ctx.gatewayRequestId,
    client_request_id: ctx.clientRequestId,
    params: request.params,
    seed: phrase.seed,
    voice_version: phrase.voice.version,
    synthesis_key: phrase.synthesisKey,
    stream: request.stream,
  };
}

/** Sends the job to a GPU function that carries the voice's model. */
async function forward(ctx: RequestContext, secret: string, synthesisJob: SynthesisJob, model: string): Promise<OriginAnswer> {
  const { origins } = await originsFor(ctx.config, secret, model, ctx.gatewayRequestId, ctx.waitUntil);
  if (origins.length === 0) throw noOriginCarries(model);
  try {
    return await callOrigin(ctx.config, secret, {
      method: 'POST',
      path: INTERNAL_PATHS.synthesize,
      body: JSON.stringify(synthesisJob),
      requestId: ctx.gatewayRequestId,
      requireBody: true,
      origins,
      background: ctx.waitUntil,
    });
  } catch (error) {
    // A function that no longer carries the model (restarted with other bundles): ask every function again next time.
    if (error instanceof ApiError && error.code === 'model_not_found') {
      forgetModels();
      throw noOriginCarries(model);
    }
    throw error;
  }
}

function phraseMeta(answer: OriginAnswer, phrase: Phrase, characters: number, voice: string): PhraseMeta {
  const stated = answer.headers.get(SYNTHESIS_HEADERS.audioSeconds);
  return {
    contentType: answer.headers.get('content-type') ?? 'application/octet-stream',
    seed: answer.headers.get(SYNTHESIS_HEADERS.seed) ?? String(phrase.seed),
    sampleRate: answer.headers.get(SYNTHESIS_HEADERS.sampleRate),
    characters,
    audioSeconds: stated !== null && Number.isFinite(Number(stated)) ? Number(stated) : null,
    voice,
  };
}

/**
 * Seconds of audio: the GPU function's header when it sent one (non-streamed answers), else derived from the bytes
 * sent for 16-bit mono PCM and WAV; `null` for streamed compressed formats, whose length the gateway cannot know.
 */
function answerSeconds(answer: OriginAnswer, bytes: number): number | null {
  const stated = answer.headers.get(SYNTHESIS_HEADERS.audioSeconds);
  if (stated !== null && Number.isFinite(Number(stated))) return Number(stated);
  return pcmSeconds(answer.headers.get('content-type') ?? '', bytes, answer.headers.get(SYNTHESIS_HEADERS.sampleRate));
}

function respond(
  status: number,
  headers: Headers,
  body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer>,
  cache: 'HIT' | 'MISS',
  sse: boolean,
  characters: number,
): SynthesisResponse {
  headers.set('x-cache', cache);
  if (!sse) return { status, headers, body };
  for (const name of ['content-length', 'content-range', 'accept-ranges', 'etag']) headers.delete(name);
  headers.set('content-type', 'text/event-stream; charset=utf-8');
  headers.set('cache-control', 'no-cache');
  return { status: 200, headers, body: toSpeechEvents(body instanceof Uint8Array ? streamOf(body) : body, characters) };
}
