/**
 * The GPU function's entry: `node gpu-function/src/main.ts [--bundle DIR ...] [--port N]`, settings from the
 * environment (server/config.ts). SIGTERM or SIGINT drains (in-flight requests finish up to DRAIN_TIMEOUT_MS) and
 * exits 0; a second signal stops at once.
 * @module
 */
import { serverConfig, type ServerConfig } from './server/config.ts';
import { startServer } from './server/start.ts';

function configOrExit(): ServerConfig {
  try {
    return serverConfig(process.argv.slice(2), process.env);
  } catch (error) {
    process.stderr.write(`gsv-edge GPU function: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  }
}

const config = configOrExit();

const server = await startServer(config, {
  onEngineExit: () => {
    process.exit(1);
  },
});
server.ready.catch((error: unknown) => {
  server.logger.fatal({ error: error instanceof Error ? error.message : String(error) }, 'could not start');
  process.exit(1);
});

let signals = 0;
const stop = (signal: NodeJS.Signals) => {
  signals += 1;
  server.logger.info({ signal }, signals === 1 ? 'draining' : 'stopping now');
  void server.drain(signals === 1 ? undefined : 0).then(() => {
    process.exit(0);
  });
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
