/**
 * The gateway keeps its connections to a GPU function alive between jobs; the function must not be the side that
 * closes an idle one, or a job sent as it closes is lost ("Network connection lost", seen under load in issue 14).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RUNTIME_CONFIG } from '../engine/index.ts';
import { buildTinyBundle } from '../synthetic/tiny-bundle.ts';
import { createLogger } from './log.ts';
import { startServer, type RunningServer } from './start.ts';

let root: string;
let server: RunningServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-keep-alive-'));
  await buildTinyBundle(join(root, 'models', 'tiny'));
  server = await startServer(
    {
      host: '127.0.0.1',
      port: 0,
      secrets: ['keep-alive-test-secret-0123456789abcdef'],
      bundles: [join(root, 'models', 'tiny')],
      dataDir: join(root, 'data'),
      gatewayUrl: null,
      publicOrigin: null,
      maxConcurrentRequests: 1,
      maxConcurrentInspections: 1,
      nonceStoreMaxEntries: 1_000,
      signatureWindowSeconds: 300,
      requestTimeoutMs: 10_000,
      drainTimeoutMs: 1_000,
      logLevel: 'silent',
      runtime: DEFAULT_RUNTIME_CONFIG,
      limits: {},
    },
    { logger: createLogger('silent') },
  );
  await server.ready;
}, 120_000);

afterAll(async () => {
  await server.drain(0);
  await rm(root, { recursive: true, force: true });
});

/** GET /healthz through `agent`; resolves whether the request went out on a connection already open. */
function healthz(agent: Agent): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const request = get(`${server.url}/healthz`, { agent }, (response) => {
      response.resume();
      response.on('end', () => {
        resolve(request.reusedSocket);
      });
    });
    request.on('error', reject);
  });
}

describe('keep-alive', () => {
  it('keeps an idle connection open past Node\'s default (5 s, plus its 1 s grace), so the client is the side that closes it', { timeout: 20_000 }, async () => {
    const agent = new Agent({ keepAlive: true });
    try {
      expect(await healthz(agent)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 7_000));
      expect(await healthz(agent)).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});
