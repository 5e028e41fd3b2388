/**
 * `GET /v1/audio/{synthesis_key}`: plays back a phrase already cached for the caller's account (another account's
 * phrases are not found), with Range support, billed as a cache hit by the rules in billing.ts. It never
 * synthesizes: a phrase the cache does not hold is a 404.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';
import { log } from '../log.ts';
import { priceMicros, reservationFor, unitPrice } from './account.ts';
import { idempotencyKeyHash, playbackIdentity, replayKey, requestIdentity, usageEventId } from './billing.ts';
import { mayUseVoice } from './key-store.ts';
import { PhraseCache, phraseIdOf, type CachedPhrase } from './phrase-cache.ts';
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

  // This data center's copy costs nothing to ask for; R2 is asked only once the request has its token.
  let hit = await cache.matchEdge(phraseId, synthesisKey, ctx.range).catch((error: unknown) => {
    log(ctx.env.LOG_LEVEL, 'error', 'phrase cache lookup failed', { request_id: ctx.requestId, error: String(error) });
    return null;
  });
  try {
    if (hit !== null) {
      playable(ctx, hit);
      await ctx.admit(reservation(hit.meta.characters));
    } else {
      await ctx.admitOnly();
      hit = await cache.matchDurable(phraseId, synthesisKey, ctx.range);
      playable(ctx, hit);
      await ctx.reserve(reservation(hit.meta.characters));
    }
  } catch (error) {
    await hit?.body.cancel().catch(() => undefined);
    throw error;
  }

  const characters = hit.meta.characters;
  const ranged = hit.status === 206;
  const identity = ranged ? playbackIdentity(phraseId, Date.now()) : requestIdentity(ctx.gatewayRequestId);
  const bill = {
    eventId: await usageEventId(apiKey.id, identity),
    requestId: ctx.requestId,
    keyId: apiKey.id,
    occurredMs: Date.now(),
    route: 'playback',
    voice: hit.meta.voice,
    characters,
    audioSeconds: hit.meta.audioSeconds,
    cacheHit: true,
    priceMicros: priceMicros(characters, unitPrice(apiKey.plan, true)),
    outcome: 'completed' as const,
    replayKey: ranged ? null : await replayKey(idempotency, synthesisKey),
  };
  ctx.waitUntil(settleUsage({ env: ctx.env, keyId: apiKey.id, reservationId: ctx.gatewayRequestId, requestId: ctx.requestId }, { bill, release: true }));
  ctx.log({ cache: 'HIT', tier: hit.tier, characters });
  hit.headers.set('x-cache', 'HIT');
  return { status: hit.status, headers: hit.headers, body: hit.body };
}

/** A phrase is playable when it is cached and spoken by a voice the key may still use. */
function playable(ctx: RequestContext, hit: CachedPhrase | null): asserts hit is CachedPhrase {
  const voice = hit?.meta.voice ?? null;
  if (hit === null || (ctx.apiKey.allowedVoices !== null && (voice === null || !mayUseVoice(ctx.apiKey, voice)))) {
    throw new ApiError('not_found', 'No cached audio has this synthesis key.', { param: 'synthesis_key' });
  }
}
