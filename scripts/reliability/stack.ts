/**
 * The local stack the reliability suites (issue 14) run against: the real gateway (`wrangler dev`, fresh local
 * state) in front of N GPU functions (Node processes, CPU provider, the tiny synthetic bundle), with voices and API
 * keys created through the admin API. Everything listens on 127.0.0.1 only. A suite can kill, stop and restart a GPU
 * function on its port (the gateway's origin list does not change), list extra origins of its own (stand-in servers),
 * and read each process's resident memory. GPU function `i` keeps its data in `${root}/${gpus[i].name}`.
 *
 * Built on the same helpers as `npm start` and test/e2e.test.ts (scripts/stack/).
 * @module
 */
import { readdir, readFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CreatedApiKey, Plan } from '@gsv-edge/shared';
import { buildTinyBundle, referenceClip } from '../../gpu-function/src/synthetic/tiny-bundle.ts';
import { startGatewayDev, type GatewayDev } from '../stack/gateway-dev.ts';
import { startGpuProcess, type GpuProcess } from '../stack/gpu-process.ts';
import { freePort } from '../stack/processes.ts';

export const SIGNING_SECRET = 'reliability-signing-secret-0123456789abcdef';
export const ADMIN_SECRET = 'reliability-admin-secret-0123456789';

/** A plan generous enough that limits never shape a load test unless a suite asks for them. */
export const GENEROUS_PLAN: Partial<Plan> = {
  requests_per_minute: 1_000_000,
  max_concurrent: 1_000,
  price_per_1k_chars_micros: 20_000,
  cache_hit_price_per_1k_chars_micros: 2_000,
};

export interface StackOptions {
  /** GPU functions behind the gateway (default 2). */
  readonly gpuFunctions?: number;
  /** Voice ids, each on the tiny bundle (default `['narrator', 'reader']`). */
  readonly voices?: readonly string[];
  /** Extra settings for every GPU function (MAX_CONCURRENT_REQUESTS, ...). */
  readonly gpuEnv?: Readonly<Record<string, string>>;
  /** Extra gateway vars (ORIGIN_TIMEOUT_MS, ...). */
  readonly gatewayVars?: Readonly<Record<string, string>>;
  /** Origins listed in GPU_ORIGINS after the GPU functions (a suite's own stand-in servers, on 127.0.0.1). */
  readonly extraOrigins?: readonly string[];
  readonly verbose?: boolean;
}

export interface GpuSlot {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** The running process; undefined while the function is down. */
  process: GpuProcess | undefined;
}

export interface ReliabilityStack {
  readonly root: string;
  readonly gateway: GatewayDev;
  readonly gpus: readonly GpuSlot[];
  readonly voices: readonly string[];
  readonly adminHeaders: Readonly<Record<string, string>>;
  createKey(name: string, plan?: Partial<Plan>): Promise<CreatedApiKey>;
  /** Sends `signal` to GPU function `index` (its whole process group) and waits until it is gone. */
  killGpu(index: number, signal?: NodeJS.Signals): Promise<void>;
  /** Starts GPU function `index` again on its port, with its data folder kept. */
  restartGpu(index: number): Promise<void>;
  /** Resident memory in bytes of GPU function `index`, or of the gateway's workerd process. */
  gpuRss(index: number): Promise<number>;
  gatewayRss(): Promise<number>;
  /**
   * Process ids: GPU function `index`, and the workerd process that runs the gateway's code (what `gatewayRss` reads;
   * not wrangler's proxy in front of it).
   */
  gpuPid(index: number): number;
  gatewayPid(): Promise<number>;
  /** CPU time (user + system, seconds) used so far by GPU function `index`, or by the gateway's workerd process. */
  gpuCpuSeconds(index: number): Promise<number>;
  gatewayCpuSeconds(): Promise<number>;
  stop(): Promise<void>;
}

export async function startReliabilityStack(options: StackOptions = {}): Promise<ReliabilityStack> {
  const verbose = options.verbose ?? false;
  const root = await mkdtemp(join(tmpdir(), 'gsv-reliability-'));
  const bundle = join(root, 'models', 'tiny');
  await buildTinyBundle(bundle);
  await mkdir(join(root, 'state'), { recursive: true });
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${String(gatewayPort)}`;
  const count = options.gpuFunctions ?? 2;
  const slots: GpuSlot[] = [];
  for (let index = 0; index < count; index += 1) {
    const port = await freePort();
    slots.push({ name: `gpu-${String(index)}`, port, url: `http://127.0.0.1:${String(port)}`, process: undefined });
  }
  const gpuEnv = (slot: GpuSlot): Record<string, string> => ({
    SIGNING_SECRET,
    GSV_BUNDLES: bundle,
    GSV_DATA_DIR: join(root, slot.name),
    GATEWAY_URL: gatewayUrl,
    LOG_LEVEL: verbose ? 'info' : 'warn',
    ...options.gpuEnv,
  });
  const startSlot = async (slot: GpuSlot): Promise<void> => {
    slot.process = await startGpuProcess({ port: slot.port, env: gpuEnv(slot), verbose });
  };
  let gateway: GatewayDev | undefined;
  try {
    const started = await Promise.all([
      startGatewayDev({
        stateDir: join(root, 'state'),
        port: gatewayPort,
        vars: {
          GPU_ORIGINS: [...slots.map((slot) => slot.url), ...(options.extraOrigins ?? [])].join(','),
          // wrangler dev answers any Host header: the GPU functions' signed calls are verified against this origin.
          GATEWAY_URL: gatewayUrl,
          ORIGIN_STRATEGY: 'round-robin',
          SIGNING_SECRET,
          ADMIN_SECRET,
          LOG_LEVEL: verbose ? 'info' : 'error',
          ...options.gatewayVars,
        },
        verbose,
      }),
      ...slots.map(startSlot),
    ]);
    gateway = started[0];
  } catch (error) {
    await Promise.all(slots.map(async (slot) => slot.process?.stop('SIGKILL')));
    await rm(root, { recursive: true, force: true });
    throw error;
  }
  const adminHeaders = { authorization: `Bearer ${ADMIN_SECRET}`, 'content-type': 'application/json' };
  const voices = options.voices ?? ['narrator', 'reader'];
  const gatewayDev = gateway;
  const stack: ReliabilityStack = {
    root,
    gateway: gatewayDev,
    gpus: slots,
    voices,
    adminHeaders,
    async createKey(name, plan = {}) {
      const response = await fetch(`${gatewayDev.url}/admin/keys`, { method: 'POST', headers: adminHeaders, body: JSON.stringify({ name, plan: { ...GENEROUS_PLAN, ...plan } }) });
      if (response.status !== 201) throw new Error(`key creation failed: ${String(response.status)} ${await response.text()}`);
      return (await response.json()) as CreatedApiKey;
    },
    async killGpu(index, signal = 'SIGKILL') {
      const slot = slotAt(slots, index);
      await slot.process?.stop(signal, 5_000);
      slot.process = undefined;
    },
    async restartGpu(index) {
      const slot = slotAt(slots, index);
      if (slot.process !== undefined) throw new Error(`${slot.name} is still running`);
      await startSlot(slot);
    },
    async gpuRss(index) {
      return residentBytes(stack.gpuPid(index));
    },
    async gatewayRss() {
      return residentBytes(await stack.gatewayPid());
    },
    gpuPid(index) {
      const pid = slotAt(slots, index).process?.child.pid;
      if (pid === undefined) throw new Error(`gpu ${String(index)} is not running`);
      return pid;
    },
    async gatewayPid() {
      const pid = gatewayDev.child.pid;
      if (pid === undefined) throw new Error('the gateway is not running');
      // wrangler dev runs two workerd processes: its proxy on the gateway's port, and the one running the gateway's
      // code (its isolate, D1/KV/R2 and Durable Objects) behind it on a port of its own. The second is the gateway.
      const proxySocket = `entry=127.0.0.1:${String(gatewayPort)}`;
      for (const candidate of await descendants(pid)) {
        if (!candidate.name.startsWith('workerd')) continue;
        const command = (await readFile(`/proc/${String(candidate.pid)}/cmdline`, 'utf8').catch(() => '')).split('\0');
        if (command.includes('serve') && !command.some((arg) => arg.endsWith(proxySocket))) return candidate.pid;
      }
      throw new Error('no workerd process running the gateway under wrangler dev');
    },
    async gpuCpuSeconds(index) {
      return cpuSeconds(stack.gpuPid(index));
    },
    async gatewayCpuSeconds() {
      return cpuSeconds(await stack.gatewayPid());
    },
    async stop() {
      await Promise.all([gatewayDev.stop(), ...slots.map(async (slot) => slot.process?.stop())]);
      await rm(root, { recursive: true, force: true });
    },
  };
  try {
    for (const id of voices) {
      const response = await fetch(`${gatewayDev.url}/admin/voices`, {
        method: 'POST',
        headers: adminHeaders,
        body: JSON.stringify({ id, model: 'tiny', prompt_text: 'This is how I sound.', prompt_lang: 'en', ref_audio: Buffer.from(referenceClip()).toString('base64') }),
      });
      if (response.status !== 201) throw new Error(`voice creation failed: ${String(response.status)} ${await response.text()}`);
    }
  } catch (error) {
    await stack.stop();
    throw error;
  }
  return stack;
}

function slotAt(slots: readonly GpuSlot[], index: number): GpuSlot {
  const slot = slots[index];
  if (slot === undefined) throw new RangeError(`no GPU function ${String(index)} (the stack has ${String(slots.length)})`);
  return slot;
}

/** VmRSS of a process from /proc (Linux, where the suites run). */
export async function residentBytes(pid: number): Promise<number> {
  const status = await readFile(`/proc/${String(pid)}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for process ${String(pid)}`);
  return Number(match[1]) * 1024;
}

/** CPU time (user + system) a process has used, in seconds, from /proc (Linux). */
export async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${String(pid)}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th, in clock ticks.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

/** USER_HZ, 100 on every Linux the suites run on. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Open file descriptors of a process. */
export async function openFileDescriptors(pid: number): Promise<number> {
  return (await readdir(`/proc/${String(pid)}/fd`)).length;
}

/** Every process below `pid`, with its command name. */
async function descendants(pid: number): Promise<{ pid: number; name: string }[]> {
  const table: { pid: number; parent: number; name: string }[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split at the last ')'.
    const close = stat.lastIndexOf(')');
    if (close < 0) continue;
    const name = stat.slice(stat.indexOf('(') + 1, close);
    const parent = Number(stat.slice(close + 2).split(' ')[1]);
    table.push({ pid: Number(entry), parent, name });
  }
  const found: { pid: number; name: string }[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift();
    for (const row of table) {
      if (row.parent !== current) continue;
      found.push({ pid: row.pid, name: row.name });
      queue.push(row.pid);
    }
  }
  return found;
}
