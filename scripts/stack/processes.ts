/**
 * Child processes of the local stack (`npm start`, the end-to-end tests, benchmarks): started in their own process
 * group so that stopping one also stops what it started (wrangler starts workerd), waited for by polling a URL, and
 * ended with a signal, then SIGKILL if they do not go.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface StartedProcess {
  readonly child: ChildProcess;
  /** Sends `signal` to the process group and waits for the exit (SIGKILL after `graceMs`). */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  readonly env: NodeJS.ProcessEnv;
  /** Where the child's output goes: inherited, or dropped. */
  readonly verbose: boolean;
  readonly cwd?: string;
}

export function spawnGroup(command: string, args: readonly string[], options: SpawnOptions): StartedProcess {
  const child = spawn(command, args, {
    env: options.env,
    cwd: options.cwd,
    stdio: ['ignore', options.verbose ? 'inherit' : 'ignore', options.verbose ? 'inherit' : 'pipe'],
    detached: true,
  });
  // Without --verbose, a child's stderr is kept (the last few kilobytes) to explain a failed start.
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-8192);
  });
  Object.defineProperty(child, 'recentStderr', { get: () => stderr });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000): Promise<void> => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    signalGroup(child.pid, signal);
    const timer = setTimeout(() => {
      if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
    }, graceMs);
    await exited;
    clearTimeout(timer);
  };
  return { child, stop };
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** The last stderr output of a process started by {@link spawnGroup} without --verbose. */
export function recentStderr(child: ChildProcess): string {
  return (child as ChildProcess & { recentStderr?: string }).recentStderr ?? '';
}

/** Runs a command to its end; rejects with its stderr when it fails. */
export function runToEnd(command: string, args: readonly string[], env: NodeJS.ProcessEnv, cwd?: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-8192);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${args.join(' ')} exited with ${String(code)}:\n${stderr}`));
    });
  });
}

/** Polls `url` until `accept` says yes; rejects if `process` exits first or the time runs out. */
export async function waitForUrl(url: string, accept: (response: Response) => boolean, timeoutMs: number, process?: StartedProcess, what = url): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (process !== undefined && (process.child.exitCode !== null || process.child.signalCode !== null)) {
      throw new Error(`${what} exited before it was ready:\n${recentStderr(process.child)}`);
    }
    const ok = await fetch(url, { signal: AbortSignal.timeout(2000) }).then(
      async (response) => {
        await response.arrayBuffer().catch(() => undefined);
        return accept(response);
      },
      () => false,
    );
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${what} was not ready within ${String(Math.round(timeoutMs / 1000))} s`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A TCP port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => {
    resolve();
  }));
  return port;
}
