import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { TEST_SECRETS } from './gateway/test/secrets.ts';

/**
 * Two projects: `node` (shared, gpu-function, cross-package tests) and `workers` (the gateway inside workerd).
 * shared/ runs in both, so every contract test also proves the code behaves identically in the two runtimes.
 */
export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    outputFile: { json: '.vitest-results.json' },
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['shared/src/**/*.test.ts', 'gpu-function/{src,test}/**/*.test.ts', 'test/**/*.test.ts'],
        },
      },
      {
        plugins: [
          // The gateway's bindings from wrangler.toml, pointed at the fake GPU origin that globalSetup starts.
          cloudflareTest(async ({ inject }) => ({
            wrangler: { configPath: './wrangler.toml' },
            miniflare: {
              bindings: {
                GPU_ORIGINS: `${inject<string>('fakeOrigin')}/ok-default`,
                SIGNING_SECRET: TEST_SECRETS.signing,
                ADMIN_SECRET: TEST_SECRETS.admin,
                STRIPE_SECRET_KEY: TEST_SECRETS.stripe,
                STRIPE_API_BASE: `${inject<string>('fakeOrigin')}/stripe`,
                USAGE_FLUSH_SECONDS: '3600',
                // One JSON line per request is noise in test output; errors are still logged.
                LOG_LEVEL: 'error',
                TEST_MIGRATIONS: await readD1Migrations('./gateway/migrations'),
                FAKE_ORIGIN: inject<string>('fakeOrigin'),
                REFUSED_ORIGIN: inject<string>('refusedOrigin'),
              },
            },
          })),
        ],
        test: {
          name: 'workers',
          include: ['shared/src/**/*.test.ts', 'gateway/{src,test}/**/*.test.ts'],
          globalSetup: ['gateway/test/node/global-setup.ts'],
          setupFiles: ['gateway/test/apply-migrations.ts'],
        },
      },
    ],
  },
});
