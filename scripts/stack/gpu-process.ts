/**
 * A GPU function as its own process (`node gpu-function/src/main.ts`), as it runs in its container: settings in the
 * environment, ready when `/ping` answers 200.
 * @module
 */
import { join } from 'node:path';
import { PROJECT_ROOT } from './gateway-dev.ts';
import { spawnGroup, waitForUrl, type StartedProcess } from './processes.ts';

export interface GpuProcessOptions {
  readonly port: number;
  /** SIGNING_SECRET, GSV_BUNDLES, GSV_DATA_DIR, GATEWAY_URL and any other server setting. */
  readonly env: Readonly<Record<string, string>>;
  readonly verbose: boolean;
  readonly readyTimeoutMs?: number;
}

export interface GpuProcess extends StartedProcess {
  readonly url: string;
}

export async function startGpuProcess(options: GpuProcessOptions): Promise<GpuProcess> {
  const started = spawnGroup(process.execPath, [join(PROJECT_ROOT, 'gpu-function', 'src', 'main.ts')], {
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip', ...options.env, PORT: String(options.port), HOST: '127.0.0.1' },
    verbose: options.verbose,
    cwd: PROJECT_ROOT,
  });
  const url = `http://127.0.0.1:${String(options.port)}`;
  try {
    await waitForUrl(`${url}/ping`, (response) => response.status === 200, options.readyTimeoutMs ?? 180_000, started, `the GPU function on port ${String(options.port)}`);
  } catch (error) {
    await started.stop('SIGKILL');
    throw error;
  }
  return { ...started, url };
}
