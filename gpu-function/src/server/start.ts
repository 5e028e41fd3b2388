/**
 * Starts the GPU function: the HTTP server first (so `/ping` answers 204 while models load), then the engine thread
 * on the configured bundles; ready once every bundle is loaded. `drain()` is the SIGTERM path: `/ping` and `/readyz`
 * turn 503 at once, requests in flight finish within the drain timeout (the rest fail), then the server closes.
 * @module
 */
import { serve, type ServerType } from '@hono/node-server';
import { MemoryNonceStore } from '@gsv-edge/shared';
import type { AddressInfo } from 'node:net';
import { createServerApp, type ServerState } from './app.ts';
import type { ServerConfig } from './config.ts';
import { EngineHost } from './engine-host.ts';
import { createLogger, type Logger } from './log.ts';
import { createMetrics } from './metrics.ts';

export interface RunningServer {
  /** `http://host:port` as bound (port 0 picks a free one). */
  readonly url: string;
  /** Resolves when the engine is loaded and the server takes work; rejects if the engine cannot start. */
  readonly ready: Promise<void>;
  readonly logger: Logger;
  /** Stops taking work, lets requests in flight finish up to `drainTimeoutMs` (or the given time), and closes. */
  drain(timeoutMs?: number): Promise<void>;
}

/**
 * How long an idle keep-alive connection from the gateway is kept open. Node's default (5 s) closes idle connections
 * sooner than the gateway's side lets go of them, so the gateway sometimes sent a job on a connection this server was
 * closing ("Network connection lost"), and took a healthy function for a failed one: seen by the load suite (issue
 * 14). The client must be the side that closes: Cloudflare reuses an idle origin connection for up to 900 s.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 910_000;

export interface StartOptions {
  /** Called when the engine thread dies unexpectedly (the process should exit so it is restarted). */
  readonly onEngineExit?: (error: Error) => void;
  readonly logger?: Logger;
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config.logLevel);
  let state: ServerState = 'loading';
  let host: EngineHost | null = null;
  const nonces = new MemoryNonceStore({ maxEntries: config.nonceStoreMaxEntries });
  const metrics = createMetrics({ engineStats: async () => (host === null ? null : host.stats()), nonceStoreEntries: () => nonces.size });
  let origin = config.publicOrigin ?? '';
  const app = createServerApp({ config, logger, metrics, state: () => state, host: () => host, origin: () => origin, nonces });
  const server: ServerType = await new Promise((resolve) => {
    const started = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => {
      resolve(started);
    });
    // Set before the first connection is accepted (it applies to connections made from then on).
    if ('keepAliveTimeout' in started) started.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  });
  const address = server.address() as AddressInfo;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${String(address.port)}`;
  origin = config.publicOrigin ?? url;
  logger.info({ url, origin, bundles: config.bundles, gateway: config.gatewayUrl }, 'listening; loading models');

  const ready = EngineHost.start(
    {
      bundles: config.bundles,
      dataDir: config.dataDir,
      runtime: config.runtime,
      limits: config.limits,
      gateway: config.gatewayUrl === null ? null : { url: config.gatewayUrl, secret: config.secrets[0] ?? '' },
    },
    {
      log: (message) => {
        logger.info(message);
      },
      onStep: (stats) => {
        metrics.step(stats);
      },
      onExit: (error) => {
        logger.fatal({ error: error.message }, 'the engine thread died');
        options.onEngineExit?.(error);
      },
    },
  ).then((started) => {
    host = started;
    state = 'ready';
    logger.info({ models: started.models.map((model) => model.id) }, 'ready');
  });
  // A failed start is reported through `ready`; this keeps it from also being an unhandled rejection.
  ready.catch(() => undefined);

  let draining: Promise<void> | undefined;
  const drain = (timeoutMs: number = config.drainTimeoutMs): Promise<void> => {
    state = 'draining';
    // A second call (a second signal) shortens the grace period.
    const closing = host?.close(timeoutMs) ?? Promise.resolve();
    draining ??= (async () => {
      logger.info({ in_flight_ms_allowed: timeoutMs }, 'draining');
      await closing;
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
      logger.info('stopped');
    })();
    return draining;
  };
  return { url, ready, logger, drain };
}
