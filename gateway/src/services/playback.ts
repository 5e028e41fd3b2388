/**
 * `GET /v1/audio/{synthesis_key}`: plays back a phrase that is already cached, with Range support, billed as a
 * cache hit. It never synthesizes: a key the cache does not hold is a 404.
 * @module
 */
import { ApiError, sha256Hex } from '@gsv-edge/shared';
import { accountOf, priceMicros, reservationFor, unitPrice } from './account.ts';
import { PhraseCache } from './phrase-cache.ts';
import type { RequestContext, SynthesisResponse } from './synthesis.ts';

export async function playPhrase(ctx: RequestContext, key: string): Promise<SynthesisResponse> {
  if (!/^[0-9a-f]{64}$/.test(key)) {
    throw new ApiError('invalid_field', '`synthesis_key` must be the 64-hex-digit x-gsv-synthesis-key of a synthesis.', { param: 'synthesis_key' });
  }
  const cache = new PhraseCache(ctx.env.PHRASES, ctx.baseUrl, ctx.config.phraseEdgeTtlSeconds, ctx.waitUntil);
  const hit = await cache.match(key, ctx.range);
  if (hit === null) throw new ApiError('not_found', 'No cached audio has this synthesis key.', { param: 'synthesis_key' });

  const { apiKey } = ctx;
  const characters = hit.meta.characters;
  const account = accountOf(ctx.env, apiKey.id);
  const reservationId = crypto.randomUUID();
  try {
    await ctx.admit(reservationFor(apiKey, reservationId, characters, ctx.config.leaseTtlMs));
  } catch (error) {
    await hit.body.cancel();
    throw error;
  }
  // Later ranges of the same playback are free: a player asks for one file in several pieces.
  const billable = hit.status === 200 || /^bytes 0-/.test(hit.headers.get('content-range') ?? '');
  const record = billable
    ? {
        eventId: await sha256Hex(`${ctx.idempotencyKey}\nplayback\n${key}`),
        requestId: ctx.requestId,
        keyId: apiKey.id,
        occurredMs: Date.now(),
        route: 'playback',
        voice: null,
        characters,
        audioSeconds: hit.meta.audioSeconds,
        cacheHit: true,
        priceMicros: priceMicros(characters, unitPrice(apiKey.plan, true)),
        outcome: 'completed' as const,
      }
    : null;
  ctx.waitUntil(account.settle(reservationId, record));
  ctx.log({ cache: 'HIT', tier: hit.tier, characters });
  hit.headers.set('x-cache', 'HIT');
  return { status: hit.status, headers: hit.headers, body: hit.body };
}
