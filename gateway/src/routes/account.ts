/**
 * `GET /v1/voices` and `GET /v1/usage`: what the caller can use (the voices its allow-list names), and what it has
 * used.
 * @module
 */
import { type KeyUsage } from '@gsv-edge/shared';
import { Hono } from 'hono';
import { gatewayConfig } from '../config.ts';
import type { MonthUsage } from '../durable/key-account.ts';
import type { AppEnv } from '../env.ts';
import { accountOf } from '../services/account.ts';
import { mayUseVoice, type ApiKeyRecord } from '../services/key-store.ts';
import { voiceCatalog } from '../services/voice-catalog.ts';

export function accountRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();

  routes.get('/voices', async (c) => {
    const catalog = voiceCatalog(c.env, gatewayConfig(c.env));
    const apiKey = c.get('apiKey');
    return c.json({ object: 'list', data: (await catalog.list()).filter((voice) => mayUseVoice(apiKey, voice.id)) });
  });

  routes.get('/usage', async (c) => {
    const apiKey = c.get('apiKey');
    return c.json(keyUsage(apiKey, await accountOf(c.env, apiKey.id).usage()));
  });

  return routes;
}

export function keyUsage(apiKey: ApiKeyRecord, usage: MonthUsage): KeyUsage {
  const start = new Date(`${usage.month}-01T00:00:00.000Z`);
  const end = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  const quota = apiKey.plan.monthly_character_quota;
  return {
    object: 'usage',
    key_id: apiKey.id,
    period: { start: start.toISOString(), end: end.toISOString() },
    currency: apiKey.plan.currency,
    totals: {
      requests: usage.requests,
      characters: usage.characters,
      cache_hits: usage.cacheHits,
      cached_characters: usage.cachedCharacters,
      audio_seconds: usage.audioSeconds,
      cost_micros: usage.costMicros,
    },
    quota: {
      monthly_characters: quota,
      used_characters: usage.characters,
      reserved_characters: usage.reservedCharacters,
      remaining_characters: quota === null ? null : Math.max(0, quota - usage.characters - usage.reservedCharacters),
    },
    limits: { requests_per_minute: apiKey.plan.requests_per_minute, max_concurrent: apiKey.plan.max_concurrent },
  };
}
