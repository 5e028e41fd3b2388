/** Applies gateway/migrations to the test D1 database before each test file, as `wrangler d1 migrations apply` does. */
import { applyD1Migrations } from 'cloudflare:test';
import { env } from 'cloudflare:workers';
import type { TestBindings } from './helpers.ts';

await applyD1Migrations(env.DB, (env as TestBindings).TEST_MIGRATIONS);
