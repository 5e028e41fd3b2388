/**
 * The gateway on this machine: `wrangler dev` on the project's wrangler.toml, with its own local state folder (D1,
 * KV, R2, Durable Objects), the D1 migrations applied, and vars and secrets from an env file.
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runToEnd, spawnGroup, waitForUrl, type StartedProcess } from './processes.ts';

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
const WRANGLER = join(PROJECT_ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js');

export interface GatewayDevOptions {
  /** Local state (wrangler's --persist-to); kept between runs when it is kept. */
  readonly stateDir: string;
  readonly port: number;
  /** Vars and secrets (GPU_ORIGINS, SIGNING_SECRET, ADMIN_SECRET, ...), written to `${stateDir}/dev.vars`. */
  readonly vars: Readonly<Record<string, string>>;
  readonly verbose: boolean;
}

export interface GatewayDev extends StartedProcess {
  readonly url: string;
}

export async function startGatewayDev(options: GatewayDevOptions): Promise<GatewayDev> {
  const envFile = join(options.stateDir, 'dev.vars');
  await writeFile(envFile, `${Object.entries(options.vars).map(([name, value]) => `${name}=${value}`).join('\n')}\n`, { mode: 0o600 });
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' };
  await runToEnd(process.execPath, [WRANGLER, 'd1', 'migrations', 'apply', 'gsv-edge', '--local', '--persist-to', options.stateDir], env, PROJECT_ROOT);
  // Wrangler shows a worker's console.log (the gateway's request and warning lines) from level `log`, not `info`.
  const dev = spawnGroup(
    process.execPath,
    [WRANGLER, 'dev', '--ip', '127.0.0.1', '--port', String(options.port), '--persist-to', options.stateDir, '--env-file', envFile, '--log-level', options.verbose ? 'log' : 'warn'],
    { env, verbose: options.verbose, cwd: PROJECT_ROOT },
  );
  const url = `http://127.0.0.1:${String(options.port)}`;
  try {
    await waitForUrl(`${url}/healthz`, (response) => response.ok, 120_000, dev, 'wrangler dev');
  } catch (error) {
    await dev.stop('SIGKILL');
    throw error;
  }
  return { ...dev, url };
}
