/**
 * `/admin/keys`: create (the secret is in this answer only), list, show, revoke, and a key's month so far.
 * Revocation is recorded in D1, dropped from KV and told to the key's Durable Object, which every request consults:
 * once this call has answered, the key is refused everywhere.
 * @module
 */
import { createApiKeyRequestSchema, parseOrThrow, type CreatedApiKey } from '@gsv-edge/shared';
import { Hono } from 'hono';
import { gatewayConfig } from '../config.ts';
import type { AppEnv } from '../env.ts';
import { accountOf } from '../services/account.ts';
import { KeyStore, toApiKey } from '../services/key-store.ts';
import { keyUsage } from './account.ts';
import { readJson } from './request-context.ts';

export function adminKeyRoutes(): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  const store = (env: Cloudflare.Env) => new KeyStore(env, gatewayConfig(env).keyCacheTtlSeconds);

  routes.post('/', async (c) => {
    const request = parseOrThrow(createApiKeyRequestSchema, await readJson(c));
    const { record, secret } = await store(c.env).create(request);
    const created: CreatedApiKey = { ...toApiKey(record), secret };
    c.get('log').created_key_id = record.id;
    return c.json(created, 201);
  });

  routes.get('/', async (c) => {
    const keys = await store(c.env).list(c.req.query('include_revoked') === 'true');
    return c.json({ object: 'list', data: keys.map(toApiKey) });
  });

  routes.get('/:id', async (c) => c.json(toApiKey(await store(c.env).get(c.req.param('id')))));

  routes.post('/:id/revoke', async (c) => {
    const record = await store(c.env).revoke(c.req.param('id'));
    await accountOf(c.env, record.id).revoke();
    c.get('log').revoked_key_id = record.id;
    return c.json(toApiKey(record));
  });

  routes.get('/:id/usage', async (c) => {
    const record = await store(c.env).get(c.req.param('id'));
    return c.json(keyUsage(record, await accountOf(c.env, record.id).usage()));
  });

  return routes;
}
