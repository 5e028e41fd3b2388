/**
 * Suite `stack` (issue 11): the whole product on this machine, measured from outside as a customer sees it. One GPU
 * function process (CPU provider, the tiny synthetic bundle) behind the real gateway (`wrangler dev`, fresh local
 * state), started with the local stack helpers (scripts/stack/) exactly as test/e2e.test.ts does; a voice and a
 * generous key are created through the admin API. Then `POST /v1/tts` (streamed WAV) is loaded from undici
 * connection pools, each client sending its next request when it has read the previous answer:
 *
 * - cache MISSES: every request a new eight-word English sentence, so each one is synthesized (and fills the cache);
 * - cache HITS: one sentence synthesized first, then repeated (only answers with `X-Cache: HIT` count as hits);
 *
 * at 1, 4 and 16 concurrent clients: requests/s, time to the first body byte (TTFB) and to the last, p50 and p99,
 * and non-200 answers. During the 16-concurrent miss run, the GPU function's own event-loop delay p99
 * (`gsv_event_loop_delay_p99_seconds`, reset at each scrape of `/metrics`), target ≤ 20 ms; for scale, the same gauge
 * over 2 idle seconds and an idle Node process's own event-loop delay during the same run (CPU contention alone).
 *
 * This file is both the suite (imported by scripts/bench.ts; it imports nothing heavy) and its scenario child:
 *
 *   node scripts/bench/suites/stack.ts [--quick] [--verbose] [--bundle-dir DIR/tiny]
 *
 * prints the load table and one `@@bench-result` line; every process it started is stopped at the end, also on
 * failure or SIGTERM, and its temporary folder removed.
 * @module
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Dispatcher, Pool } from 'undici';
import type { ScenarioRecord } from '../child.ts';
import { figure, type Figure, type FigureSpec, type Target } from '../figures.ts';
import { TIMEOUT_SECONDS, type BenchRun } from '../run-context.ts';
import { table } from '../tables.ts';

export const STACK_CONCURRENCY = [1, 4, 16] as const;
export const STACK_CACHES = ['miss', 'hit'] as const;
export type StackCache = (typeof STACK_CACHES)[number];

/** The GPU function's HTTP thread must stay responsive while it synthesizes (inference runs in a worker thread). */
export const EVENT_LOOP_DELAY_TARGET: Target = { op: '<=', value: 20, text: '≤ 20 ms' };

/** What every row loads: the native route, streamed, so the first byte comes before the synthesis ends. */
export const STACK_ROUTE = 'POST /v1/tts (stream, wav)';

/**
 * Requests each client sends in a row: misses cost a synthesis each (a few hundred ms of CPU on the tiny model), hits
 * cost only the gateway. Fewer per client at higher concurrency keeps every row to the same number of requests.
 */
export function requestsPerClient(cache: StackCache, concurrency: number, quick: boolean): number {
  const total = cache === 'miss' ? (quick ? 8 : 192) : quick ? 48 : 400;
  return Math.max(1, Math.ceil(total / concurrency));
}

const SCENARIO_ID = 'stack.tts';

export async function runStackSuite(run: BenchRun): Promise<Figure[]> {
  const quick = run.options.quick;
  const record = await run.run({
    id: SCENARIO_ID,
    suite: 'stack',
    label: `POST /v1/tts through wrangler dev and one CPU GPU function (tiny synthetic bundle), misses and hits at concurrency ${STACK_CONCURRENCY.join(', ')}`,
    script: 'scripts/bench/suites/stack.ts',
    // The tiny bundle is kept in the work folder: with --work-dir, later runs skip its build.
    args: [...(quick ? ['--quick'] : []), '--bundle-dir', join(run.workDir, 'stack', 'tiny')],
    timeoutSeconds: TIMEOUT_SECONDS.long,
  });
  return stackFigures(record);
}

/** The suite's figures from its scenario's metrics (missing when the scenario failed). */
export function stackFigures(record: Pick<ScenarioRecord, 'id' | 'metrics'>): Figure[] {
  const m = record.metrics;
  const at = (spec: Omit<FigureSpec, 'suite' | 'scenario'>): Figure => figure({ ...spec, suite: 'stack', scenario: record.id });
  const figures: Figure[] = [];
  for (const cache of STACK_CACHES) {
    const what = cache === 'miss' ? 'POST /v1/tts, cache miss' : 'POST /v1/tts, cache hit';
    for (const c of STACK_CONCURRENCY) {
      const key = `${cache}_c${String(c)}`;
      const id = `stack.${cache}.c${String(c)}`;
      const label = `${what}, concurrency ${String(c)}`;
      figures.push(
        at({ id: `${id}.requests`, label: `${label}, requests answered 200`, unit: 'count', value: m[`${key}_requests`] }),
        at({ id: `${id}.errors`, label: `${label}, errors (non-200 or no answer)`, unit: 'count', value: m[`${key}_errors`] }),
        at({ id: `${id}.rps`, label, unit: 'requests/s', value: m[`${key}_rps`] }),
        at({ id: `${id}.ttfb_p50_ms`, label: `${label}, first audio byte p50`, unit: 'ms', value: m[`${key}_ttfb_p50_ms`] }),
        at({ id: `${id}.ttfb_p99_ms`, label: `${label}, first audio byte p99`, unit: 'ms', value: m[`${key}_ttfb_p99_ms`] }),
        at({ id: `${id}.total_p50_ms`, label: `${label}, last byte p50`, unit: 'ms', value: m[`${key}_total_p50_ms`] }),
        at({ id: `${id}.total_p99_ms`, label: `${label}, last byte p99`, unit: 'ms', value: m[`${key}_total_p99_ms`] }),
      );
      if (cache === 'hit') figures.push(at({ id: `${id}.not_hit`, label: `${label}, 200 answers without X-Cache: HIT`, unit: 'count', value: m[`${key}_not_hit`] }));
    }
  }
  figures.push(
    at({ id: 'stack.startup_seconds', label: 'stack start: tiny bundle (unless kept), GPU function and wrangler dev ready, voice and key', unit: 's', value: m['startup_seconds'] }),
    at({ id: 'stack.miss.audio_seconds_mean', label: 'audio per miss answer (mean)', unit: 's', value: m['miss_audio_seconds_mean'] }),
    at({ id: 'stack.gpu_event_loop_delay_idle_p99_ms', label: 'GPU function event-loop delay p99, idle for 2 s (for scale)', unit: 'ms', value: m['gpu_event_loop_delay_idle_p99_ms'] }),
    at({ id: 'stack.probe_event_loop_delay_p99_ms', label: 'event-loop delay p99 of an idle Node process on the same machine, same run (for scale)', unit: 'ms', value: m['probe_event_loop_delay_p99_ms'] }),
    at({ id: 'stack.gpu_event_loop_delay_p99_ms', label: 'GPU function event-loop delay p99 during the 16-concurrent miss run', unit: 'ms', value: m['gpu_event_loop_delay_p99_ms'], target: EVENT_LOOP_DELAY_TARGET }),
  );
  return figures;
}

/** The load table (route, cache, concurrency, requests, errors, requests/s, TTFB and total p50/p99), from the figures. */
export function stackLoadTable(figures: readonly Figure[]): string {
  const value = (id: string): number | null => figures.find((f) => f.id === id)?.value ?? null;
  const cell = (id: string, digits: number): string => {
    const v = value(id);
    return v === null ? '—' : v.toFixed(digits);
  };
  const rows = STACK_CACHES.flatMap((cache) =>
    STACK_CONCURRENCY.map((c) => {
      const id = `stack.${cache}.c${String(c)}`;
      return [STACK_ROUTE, cache.toUpperCase(), String(c), cell(`${id}.requests`, 0), cell(`${id}.errors`, 0), cell(`${id}.rps`, 1), cell(`${id}.ttfb_p50_ms`, 1), cell(`${id}.ttfb_p99_ms`, 1), cell(`${id}.total_p50_ms`, 1), cell(`${id}.total_p99_ms`, 1)];
    }),
  );
  return table(['route', 'cache', 'concurrency', 'requests', 'errors', 'requests/s', 'TTFB p50 ms', 'TTFB p99 ms', 'total p50 ms', 'total p99 ms'], rows);
}

// ---------------------------------------------------------------------------------------------------------------
// The scenario child: everything below runs only in `node scripts/bench/suites/stack.ts`.

const SIGNING_SECRET = 'stack-bench-signing-secret-0123456789abcdef';
const ADMIN_SECRET = 'stack-bench-admin-secret';

interface LoadResult {
  readonly cache: StackCache;
  readonly concurrency: number;
  readonly requests: number;
  readonly errors: number;
  readonly notHit: number;
  readonly rps: number;
  readonly ttfb: readonly number[];
  readonly total: readonly number[];
  readonly audioSeconds: readonly number[];
  readonly statuses: ReadonlyMap<string, number>;
}

/**
 * Eight-word English sentences, a different one for every `n` below 8⁶: the same shape and about the same number of
 * phones, so every miss costs about the same synthesis.
 */
const WORDS = [
  ['quiet', 'yellow', 'little', 'happy', 'silver', 'gentle', 'early', 'purple'],
  ['river', 'garden', 'window', 'teacher', 'rabbit', 'doctor', 'pocket', 'market'],
  ['rested', 'waited', 'landed', 'settled', 'wandered', 'listened', 'lingered', 'smiled'],
  ['near', 'behind', 'beside', 'under', 'across', 'beyond', 'around', 'above'],
  ['bridge', 'castle', 'forest', 'harbor', 'mountain', 'meadow', 'village', 'station'],
  ['today', 'again', 'slowly', 'softly', 'alone', 'tonight', 'often', 'later'],
] as const;

export function missSentence(n: number): string {
  const pick = (slot: number): string => {
    const words = WORDS[slot] ?? [];
    return words[Math.floor(n / 8 ** slot) % words.length] ?? '';
  };
  return `The ${pick(0)} ${pick(1)} ${pick(2)} ${pick(3)} the ${pick(4)} ${pick(5)}.`;
}

const HIT_SENTENCE = 'The cached phrase comes back from the edge.';

function percentile(sorted: readonly number[], q: number): number | null {
  return sorted.length === 0 ? null : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? null);
}

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((sum, v) => sum + v, 0) / values.length;
}

/** Seconds of audio in a streamed WAV answer: its byte rate is at offset 28 of the 44-byte header. */
function wavSeconds(firstChunk: Buffer | undefined, bytes: number): number | null {
  if (firstChunk === undefined || firstChunk.length < 44 || firstChunk.toString('latin1', 0, 4) !== 'RIFF') return null;
  const byteRate = firstChunk.readUInt32LE(28);
  return byteRate > 0 ? (bytes - 44) / byteRate : null;
}

/**
 * An idle Node process measuring its own event-loop delay the way the GPU function does (sampled every 5 ms, the
 * delay being how late a sample came), until stopped: what the machine's CPU contention alone does to an event loop
 * that has nothing to do.
 */
function startLoopProbe(): { stop(): Promise<number | null> } {
  const code = [
    "const h = require('node:perf_hooks').monitorEventLoopDelay({ resolution: 5 }); h.enable();",
    "process.stdin.once('data', () => { process.stdout.write(String(Math.max(0, h.percentile(99) / 1e6 - 5))); process.exit(0); });",
    "process.stdin.once('end', () => process.exit(0));",
  ].join('\n');
  const child = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'ignore'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => {
    resolve();
  }));
  return {
    async stop() {
      child.stdin.end('stop\n');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      const value = Number(out);
      return out !== '' && Number.isFinite(value) ? value : null;
    },
  };
}

async function scenarioMain(): Promise<void> {
  const { values: flags } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'bundle-dir': { type: 'string' },
    },
  });
  const quick = flags.quick;
  const verbose = flags.verbose;
  const say = (line: string): void => void process.stderr.write(`${line}\n`);

  // Loaded here, not at the top: scripts/bench.ts imports this file and must not load the stack or model code.
  const { Pool: UndiciPool } = await import('undici');
  const { buildTinyBundle, referenceClip } = await import('../../../gpu-function/src/synthetic/tiny-bundle.ts');
  const { emitResult } = await import('../../../gpu-function/bench/scenario-result.ts');
  const { startGatewayDev } = await import('../../stack/gateway-dev.ts');
  const { startGpuProcess } = await import('../../stack/gpu-process.ts');
  const { freePort } = await import('../../stack/processes.ts');
  type Started = Awaited<ReturnType<typeof startGpuProcess>> | Awaited<ReturnType<typeof startGatewayDev>>;

  const root = await mkdtemp(join(tmpdir(), 'gsv-bench-stack-'));
  const started: Started[] = [];
  let cleaning: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (cleaning ??= (async () => {
      await Promise.all(started.map((child) => child.stop('SIGTERM', 10_000)));
      await rm(root, { recursive: true, force: true });
    })());
  // The orchestrator ends an overdue scenario with SIGTERM: the stack's process groups must not outlive it.
  const onSignal = (signal: NodeJS.Signals): void => {
    say(`stack: ${signal}, stopping the stack`);
    void cleanUp().finally(() => process.exit(1));
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);

  try {
    const startedAt = performance.now();
    const bundle = flags['bundle-dir'] ?? join(root, 'models', 'tiny');
    if (existsSync(join(bundle, 'manifest.json'))) {
      say(`stack: reusing the tiny bundle in ${bundle}`);
    } else {
      say('stack: building the tiny synthetic bundle...');
      await mkdir(dirname(bundle), { recursive: true });
      await buildTinyBundle(bundle);
    }
    const [gatewayPort, gpuPort] = [await freePort(), await freePort()];
    const gatewayUrl = `http://127.0.0.1:${String(gatewayPort)}`;
    await mkdir(join(root, 'state'), { recursive: true });
    say('stack: starting one GPU function (CPU) and wrangler dev...');
    const gpuStart = startGpuProcess({
      port: gpuPort,
      env: {
        SIGNING_SECRET,
        GSV_BUNDLES: bundle,
        GSV_DATA_DIR: join(root, 'gpu-data'),
        GATEWAY_URL: gatewayUrl,
        MAX_CONCURRENT_REQUESTS: '32',
        // Random weights never end a segment on their own: the guard keeps the babble near speech length.
        RUNAWAY_TOKENS_PER_PHONE: '4',
        LOG_LEVEL: verbose ? 'info' : 'warn',
      },
      verbose,
    });
    const gatewayStart = startGatewayDev({
      stateDir: join(root, 'state'),
      port: gatewayPort,
      vars: { GPU_ORIGINS: `http://127.0.0.1:${String(gpuPort)}`, SIGNING_SECRET, ADMIN_SECRET, LOG_LEVEL: verbose ? 'info' : 'warn' },
      verbose,
    });
    // Each is kept as soon as it is up, so that a failure of the other still stops it.
    const [gpuUp, gatewayUp] = await Promise.allSettled([gpuStart.then((gpu) => (started.push(gpu), gpu)), gatewayStart.then((gateway) => (started.push(gateway), gateway))]);
    if (gpuUp.status === 'rejected') throw gpuUp.reason;
    if (gatewayUp.status === 'rejected') throw gatewayUp.reason;
    const gpu = gpuUp.value;
    const gateway = gatewayUp.value;

    const admin = { authorization: `Bearer ${ADMIN_SECRET}`, 'content-type': 'application/json' };
    const voice = await fetch(`${gateway.url}/admin/voices`, {
      method: 'POST',
      headers: admin,
      body: JSON.stringify({ id: 'narrator', model: 'tiny', prompt_text: 'This is how I sound.', prompt_lang: 'en', ref_audio: Buffer.from(referenceClip()).toString('base64') }),
    });
    if (voice.status !== 201) throw new Error(`voice creation failed: ${String(voice.status)} ${await voice.text()}`);
    const plan = { requests_per_minute: 1_000_000, max_concurrent: 1000, price_per_1k_chars_micros: 15_000, cache_hit_price_per_1k_chars_micros: 1_500 };
    const created = await fetch(`${gateway.url}/admin/keys`, { method: 'POST', headers: admin, body: JSON.stringify({ name: 'stack-bench', plan }) });
    if (created.status !== 201) throw new Error(`key creation failed: ${String(created.status)} ${await created.text()}`);
    const key = ((await created.json()) as { secret: string }).secret;
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const body = (text: string): string => JSON.stringify({ text, voice: 'narrator', text_lang: 'en', format: 'wav', stream: true });
    const startupSeconds = (performance.now() - startedAt) / 1000;
    say(`stack: up in ${startupSeconds.toFixed(1)} s (gateway ${gateway.url}, GPU function ${gpu.url})`);

    let sentence = 0;
    const nextMiss = (): string => body(missSentence(sentence++));
    const hitBody = body(HIT_SENTENCE);

    /** One request through `pool`: status, X-Cache, time to the first body byte and to the end, audio seconds. */
    const send = async (pool: Pool, payload: string) => {
      const sent = performance.now();
      const answer: Dispatcher.ResponseData = await pool.request({ path: '/v1/tts', method: 'POST', headers, body: payload });
      let first: Buffer | undefined;
      let firstAt = Number.NaN;
      let bytes = 0;
      for await (const chunk of answer.body as AsyncIterable<Buffer>) {
        if (first === undefined) {
          first = chunk;
          firstAt = performance.now();
        }
        bytes += chunk.length;
      }
      const done = performance.now();
      return { status: answer.statusCode, cache: String(answer.headers['x-cache'] ?? ''), ttfb: firstAt - sent, total: done - sent, bytes, seconds: wavSeconds(first, bytes) };
    };

    /** `concurrency` clients, each sending `perClient` requests, the next as soon as the previous answer is read. */
    const load = async (cache: StackCache, concurrency: number, perClient: number, payload: () => string): Promise<LoadResult> => {
      const pool = new UndiciPool(gateway.url, { connections: concurrency, pipelining: 1 });
      const ttfb: number[] = [];
      const total: number[] = [];
      const audioSeconds: number[] = [];
      const statuses = new Map<string, number>();
      let errors = 0;
      let notHit = 0;
      const count = (status: string): void => void statuses.set(status, (statuses.get(status) ?? 0) + 1);
      const begun = performance.now();
      const client = async (): Promise<void> => {
        for (let i = 0; i < perClient; i += 1) {
          try {
            const answer = await send(pool, payload());
            if (answer.status !== 200 || answer.bytes === 0) {
              errors += 1;
              count(String(answer.status));
              continue;
            }
            if (cache === 'hit' && answer.cache !== 'HIT') notHit += 1;
            ttfb.push(answer.ttfb);
            total.push(answer.total);
            if (answer.seconds !== null) audioSeconds.push(answer.seconds);
          } catch (error) {
            errors += 1;
            const code = (error as { code?: unknown } | null)?.code;
            count(typeof code === 'string' ? code : error instanceof Error ? error.name : 'error');
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, client));
      const elapsed = (performance.now() - begun) / 1000;
      await pool.close();
      ttfb.sort((a, b) => a - b);
      total.sort((a, b) => a - b);
      return { cache, concurrency, requests: total.length, errors, notHit, rps: total.length / elapsed, ttfb, total, audioSeconds, statuses };
    };

    /** `gsv_event_loop_delay_p99_seconds` from the GPU function's /metrics, in ms (the scrape resets it). */
    const loopDelayMs = async (): Promise<number | null> => {
      const text = await (await fetch(`${gpu.url}/metrics`)).text();
      const line = text.split('\n').find((candidate) => candidate.startsWith('gsv_event_loop_delay_p99_seconds'));
      const seconds = line === undefined ? Number.NaN : Number(line.split(' ').at(-1));
      return Number.isFinite(seconds) ? seconds * 1000 : null;
    };

    // Warm-up, not measured: the first syntheses compute the voice's features and warm the gateway's isolate.
    say('stack: warm-up (2 misses, one after another)...');
    await load('miss', 1, 2, nextMiss);

    // For scale: the same gauge over an idle stretch. Node's histogram counts the 10 ms sampling interval itself, so
    // an idle loop reads about 10 ms, not 0.
    await loopDelayMs();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleLoopDelay = await loopDelayMs();

    const results: LoadResult[] = [];
    let loopDelay: number | null = null;
    let probeLoopDelay: number | null = null;
    const row = (result: LoadResult): void => {
      results.push(result);
      const p = (values: readonly number[], q: number): string => percentile(values, q)?.toFixed(0) ?? '—';
      const statuses = [...result.statuses].map(([status, n]) => `${String(n)} × ${status}`).join(', ');
      say(
        `stack: ${result.cache} c${String(result.concurrency)}: ${String(result.requests)} answered, ${String(result.errors)} errors${statuses === '' ? '' : ` (${statuses})`}, ` +
          `${result.rps.toFixed(1)} requests/s, TTFB p50 ${p(result.ttfb, 0.5)} ms, total p50 ${p(result.total, 0.5)} ms`,
      );
    };
    for (const c of STACK_CONCURRENCY) {
      const perClient = requestsPerClient('miss', c, quick);
      if (c !== 16) {
        row(await load('miss', c, perClient, nextMiss));
        continue;
      }
      const probe = startLoopProbe();
      try {
        await loopDelayMs(); // resets the p99 window: the next scrape covers this run only
        row(await load('miss', c, perClient, nextMiss));
        loopDelay = await loopDelayMs();
      } finally {
        probeLoopDelay = await probe.stop();
      }
    }

    // The hit phrase: synthesized once (MISS), then asked again until the cache fill after the response has landed.
    say('stack: caching the hit phrase...');
    const seeding = new UndiciPool(gateway.url, { connections: 1 });
    try {
      for (let attempt = 0; ; attempt += 1) {
        const answer = await send(seeding, hitBody);
        if (answer.status === 200 && answer.cache === 'HIT') break;
        if (attempt >= 40) throw new Error(`the hit phrase is not cached (status ${String(answer.status)}, X-Cache ${answer.cache})`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } finally {
      await seeding.close();
    }
    for (const c of STACK_CONCURRENCY) {
      await load('hit', c, Math.min(5, requestsPerClient('hit', c, quick)), () => hitBody); // warm-up
      row(await load('hit', c, requestsPerClient('hit', c, quick), () => hitBody));
    }

    const metrics: Record<string, number | null> = {
      startup_seconds: startupSeconds,
      gpu_event_loop_delay_p99_ms: loopDelay,
      gpu_event_loop_delay_idle_p99_ms: idleLoopDelay,
      probe_event_loop_delay_p99_ms: probeLoopDelay,
      miss_audio_seconds_mean: mean(results.filter((r) => r.cache === 'miss').flatMap((r) => r.audioSeconds)),
    };
    for (const r of results) {
      const key = `${r.cache}_c${String(r.concurrency)}`;
      Object.assign(metrics, {
        [`${key}_requests`]: r.requests,
        [`${key}_errors`]: r.errors,
        [`${key}_rps`]: r.rps,
        [`${key}_ttfb_p50_ms`]: percentile(r.ttfb, 0.5),
        [`${key}_ttfb_p99_ms`]: percentile(r.ttfb, 0.99),
        [`${key}_total_p50_ms`]: percentile(r.total, 0.5),
        [`${key}_total_p99_ms`]: percentile(r.total, 0.99),
        ...(r.cache === 'hit' ? { [`${key}_not_hit`]: r.notHit } : {}),
      });
    }
    const notes = results
      .filter((r) => r.errors > 0)
      .map((r) => `${r.cache} c${String(r.concurrency)}: ${[...r.statuses].map(([status, n]) => `${String(n)} × ${status}`).join(', ')}`);

    const figures = stackFigures({ id: SCENARIO_ID, metrics });
    console.log(`\nEnd-to-end benchmark through the local stack${quick ? ' (QUICK)' : ''}: ${String(cpus().length)} CPUs (${cpus()[0]?.model.trim() ?? '?'}), node ${process.version}`);
    console.log(`load average at the end (1/5/15 min): ${loadavg().map((v) => v.toFixed(1)).join(' / ')}`);
    const ms = (value: number | null): string => (value === null ? '—' : `${value.toFixed(1)} ms`);
    console.log(`GPU function event-loop delay p99 during the 16-concurrent miss run: ${ms(loopDelay)} (idle: ${ms(idleLoopDelay)}; an idle Node process beside it: ${ms(probeLoopDelay)})`);
    console.log(stackLoadTable(figures));
    emitResult({ metrics, notes });
  } finally {
    await cleanUp();
    process.off('SIGTERM', onSignal);
    process.off('SIGINT', onSignal);
  }
}

if (import.meta.main) await scenarioMain();
