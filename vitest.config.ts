import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

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
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: {
          name: 'workers',
          include: ['shared/src/**/*.test.ts', 'gateway/{src,test}/**/*.test.ts'],
        },
      },
    ],
  },
});
