/**
 * `GET /v1/audio/{synthesis_key}`: plays back a phrase already cached for the caller's account (another account's
 * phrases are not found), with Range support, billed as a cache hit by the rules in billing.ts. It never
 * synthesizes: a phrase the cache does not hold is a 404. A whole phrase this isolate holds is answered from memory
 * after one Durable Object call that admits and bills it, as synthesis routes answer their hits.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';
import { log } from '../log.ts';
import { priceMicros, reservationFor, unitPrice } from './account.ts';
import { idempotencyKeyHash, playbackIdentity, replayKey, requestIdentity, usageEventId } from './billing.ts';
import { mayUseVoice } from './key-store.ts';
import { ISOLATE_HOT_PHRASES } from './hot-phrases.ts';
import { PhraseCache, phraseHeaders, phraseIdOf, type PhraseMeta } from './phrase-cache.ts';
import { settleUsage } from './settlement.ts';
import { phraseScope, type RequestContext, type SynthesisResponse } from './synthesis.ts';

export async function playPhrase(ctx: RequestContext, synthesisKey: string): Promise<SynthesisResponse> {
  if (!/^[0-9a-f]{64}$/.test(synthesisKey)) {
    throw new ApiError('invalid_field', '`synthesis_key` must be the 64-hex-digit x-gsv-synthesis-key of a synthesis.', { param: 'synthesis_key' });
  }
  const { apiKey } = ctx;
  const idempotency = await idempotencyKeyHash(ctx.idempotencyKey);
  const phraseId = await phraseIdOf(phraseScope(ctx), synthesisKey);
  const cache = new PhraseCache(ctx.env.PHRASES, ctx.baseUrl, ctx.config.phraseEdgeTtlSeconds, ctx.waitUntil);
  const reservation = (characters: number) => reservationFor(apiKey, ctx.gatewayRequestId, characters, ctx.config.leaseTtlMs, { idempotencyKey: idempotency, pending: null });
  const bill = async (meta: PhraseMeta, ranged: boolean) => {
    const identity = ranged ? playbackIdentity(phraseId, Date.now()) : requestIdentity(ctx.gatewayRequestId);
    return {
      eventId: await usageEventId(apiKey.id, identity),
      requestId: ctx.requestId,
      keyId: apiKey.id,
      occurredMs: Date.now(),
      route: 'playback',
      voice: meta.voice,
      characters: meta.characters,
      audioSeconds: meta.audioSeconds,
      cacheHit: true,
      priceMicros: priceMicros(meta.characters, unitPrice(apiKey.plan, true)),
      outcome: 'completed' as const,
      replayKey: ranged ? null : await replayKey(idempotency, synthesisKey),
    };
  };

  const hot = ctx.range === null ? ISOLATE_HOT_PHRASES.get(phraseId) : undefined;
  if (hot !== undefined) {
    playable(ctx, hot.meta.voice);
    await ctx.admitHit(reservation(hot.meta.characters), await bill(hot.meta, false));
    ctx.log({ cache: 'HIT', tier: 'memory', characters: hot.meta.characters });
    const headers = phraseHeaders(synthesisKey, hot.meta, hot.bytes.byteLength);
    headers.set('x-cache', 'HIT');
    return { status: 200, headers, body: hot.bytes };
  }

  // This data center's copy costs nothing to ask for; R2 is asked only once the request has its token.
  let hit = await cache.matchEdge(phraseId, synthesisKey, ctx.range).catch((error: unknown) => {
    log(ctx.env.LOG_LEVEL, 'error', 'phrase cache lookup failed', { request_id: ctx.requestId, error: String(error) });
    return null;
  });
  try {
    if (hit !== null) {
      playable(ctx, hit.meta.voice);
      await ctx.admit(reservation(hit.meta.characters));
    } else {
      await ctx.admitOnly();
      hit = await cache.matchDurable(phraseId, synthesisKey, ctx.range);
      if (hit === null) throw notFound();
      playable(ctx, hit.meta.voice);
      await ctx.reserve(reservation(hit.meta.characters));
    }
  } catch (error) {
    await hit?.body.cancel().catch(() => undefined);
    throw error;
  }

  const characters = hit.meta.characters;
  const usage = await bill(hit.meta, hit.status === 206);
  ctx.waitUntil(settleUsage({ env: ctx.env, keyId: apiKey.id, reservationId: ctx.gatewayRequestId, requestId: ctx.requestId }, { bill: usage, release: true }));
  ctx.log({ cache: 'HIT', tier: hit.tier, characters });
  hit.headers.set('x-cache', 'HIT');
  return { status: hit.status, headers: hit.headers, body: hit.body };
}

/** A cached phrase is playable when spoken by a voice the key may still use. */
function playable(ctx: RequestContext, voice: string | null): void {
  if (ctx.apiKey.allowedVoices !== null && (voice === null || !mayUseVoice(ctx.apiKey, voice))) throw notFound();
}

function notFound(): ApiError {
  return new ApiError('not_found', 'No cached audio has this synthesis key.', { param: 'synthesis_key' });
}
