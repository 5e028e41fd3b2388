/**
 * Benchmark: cached-phrase requests per second and latency percentiles through the whole gateway (API key check,
 * exact rate limit and reservation in the key's Durable Object, phrase-cache hit, metering), under local load.
 *
 * It starts the test suite's fake GPU origin, then `wrangler dev` with the project's wrangler.toml (fresh local state
 * in a temporary folder, D1 migrations applied), creates a key through the admin API, synthesizes one phrase (MISS),
 * then loads `POST /v1/tts` for that phrase (HIT) from undici connection pools at several concurrencies.
 *
 *   npm run bench:gateway                       # defaults
 *   npm run bench:gateway -- --seconds 20 --concurrency 1,16,64
 *   npm run bench:gateway -- --url http://127.0.0.1:8787 --admin-secret ...   # against a running wrangler dev
 *
 * Load generator, wrangler and workerd share the machine, so figures are a lower bound of what the gateway does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { FAKE_MODEL, startFakeOrigin, toneSamples, wavBytes } from '../test/node/fake-origin.ts';
import { TEST_SECRETS } from '../test/secrets.ts';
import type { LoadRow } from './load-row.ts';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    'admin-secret': { type: 'string', default: TEST_SECRETS.admin },
    port: { type: 'string', default: '8797' },
    seconds: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    concurrency: { type: 'string', default: '1,8,32' },
    /** Seed, print the key, and keep the stack up until interrupted (for profiling by hand). */
    hold: { type: 'boolean', default: false },
    /** Show wrangler's output, with the gateway's request log lines. */
    verbose: { type: 'boolean', default: false },
  },
});

async function main(): Promise<void> {
  const cleanups: (() => Promise<void>)[] = [];
  try {
    const base = args.url ?? (await startStack(cleanups));
    const admin = args['admin-secret'];
    await createVoice(base, admin);
    const key = await createKey(base, admin);
    const body = JSON.stringify({ text: 'A cached phrase for the benchmark.', voice: 'tone', format: 'wav' });
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const seed = await fetch(`${base}/v1/tts`, { method: 'POST', headers, body });
    const bytes = (await seed.arrayBuffer()).byteLength;
    await new Promise((resolve) => setTimeout(resolve, 500)); // the cache fill runs after the response
    const check = await fetch(`${base}/v1/tts`, { method: 'POST', headers, body });
    await check.arrayBuffer();
    if (check.headers.get('x-cache') !== 'HIT') throw new Error(`phrase not cached (x-cache ${String(check.headers.get('x-cache'))})`);
    console.error(`seeded: ${String(bytes)} bytes of audio, second request x-cache=HIT`);
    if (args.hold) {
      console.error(`holding: ${base} key ${key}; Ctrl-C to stop`);
      await new Promise((resolve) => process.once('SIGINT', resolve));
      return;
    }

    const phrase: Scenario = { route: 'POST /v1/tts (HIT)', path: '/v1/tts', method: 'POST', headers, body, expectHit: true };
    // The same load on a route that touches no binding shows what wrangler dev itself costs on this machine.
    const health: Scenario = { route: 'GET /healthz', path: '/healthz', method: 'GET', headers: {}, body: null, expectHit: false };
    const results: LoadRow[] = [];
    for (const concurrency of args.concurrency.split(',').map(Number)) {
      for (const scenario of [phrase, health]) {
        await load(base, scenario, concurrency, Number(args.warmup));
        results.push(await load(base, scenario, concurrency, Number(args.seconds)));
      }
    }
    report(results, bytes);
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup();
  }
}

/** Fake origin + `wrangler dev` on fresh local state; returns the gateway's base URL. */
async function startStack(cleanups: (() => Promise<void>)[]): Promise<string> {
  const origin = await startFakeOrigin(TEST_SECRETS.signing, TEST_SECRETS.stripe);
  cleanups.push(() => origin.close());
  const state = await mkdtemp(join(tmpdir(), 'gsv-bench-'));
  cleanups.push(() => rm(state, { recursive: true, force: true }));
  const envFile = join(state, 'bench.env');
  await writeFile(
    envFile,
    [
      `GPU_ORIGINS=${origin.url}/ok-bench`,
      `SIGNING_SECRET=${TEST_SECRETS.signing}`,
      `ADMIN_SECRET=${args['admin-secret']}`,
      `LOG_LEVEL=${args.verbose ? 'info' : 'warn'}`,
    ].join('\n'),
  );
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true' };
  await run('npx', ['wrangler', 'd1', 'migrations', 'apply', 'gsv-edge', '--local', '--persist-to', state], env);
  const port = args.port;
  const dev = spawn('npx', ['wrangler', 'dev', '--ip', '127.0.0.1', '--port', port, '--persist-to', state, '--env-file', envFile, '--log-level', 'warn'], {
    env,
    stdio: ['ignore', args.verbose ? 'inherit' : 'ignore', 'inherit'],
    detached: true,
  });
  cleanups.push(() => stop(dev));
  const base = `http://127.0.0.1:${port}`;
  for (let attempt = 0; attempt < 120; attempt += 1) {
    const ok = await fetch(`${base}/healthz`).then((response) => response.ok, () => false);
    if (ok) return base;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error('wrangler dev did not come up within 60 s');
}

/** Voices are the gateway's: the fake origin inspects the upload, the gateway stores it. */
async function createVoice(base: string, admin: string): Promise<void> {
  const response = await fetch(`${base}/admin/voices`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ id: 'tone', model: FAKE_MODEL, prompt_text: 'A tone.', prompt_lang: 'en', ref_audio: Buffer.from(wavBytes(toneSamples(1, 40))).toString('base64') }),
  });
  if (response.status !== 201 && response.status !== 409) throw new Error(`voice creation failed: ${String(response.status)} ${await response.text()}`);
}

async function createKey(base: string, admin: string): Promise<string> {
  const plan = { requests_per_minute: 1_000_000, max_concurrent: 10_000, price_per_1k_chars_micros: 15_000, cache_hit_price_per_1k_chars_micros: 1_500 };
  const response = await fetch(`${base}/admin/keys`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'benchmark', plan }),
  });
  if (response.status !== 201) throw new Error(`key creation failed: ${String(response.status)} ${await response.text()}`);
  return ((await response.json()) as { secret: string }).secret;
}

interface Scenario {
  readonly route: string;
  readonly path: string;
  readonly method: 'GET' | 'POST';
  readonly headers: Record<string, string>;
  readonly body: string | null;
  readonly expectHit: boolean;
}

/** `concurrency` clients, each sending its next request as soon as the previous answer has been read. */
async function load(base: string, scenario: Scenario, concurrency: number, seconds: number): Promise<LoadRow> {
  const pool = new Pool(base, { connections: concurrency, pipelining: 1 });
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const client = async () => {
    while (performance.now() < deadline) {
      const sent = performance.now();
      try {
        const answer = await pool.request({ path: scenario.path, method: scenario.method, headers: scenario.headers, body: scenario.body });
        await answer.body.arrayBuffer();
        const hit = !scenario.expectHit || answer.headers['x-cache'] === 'HIT';
        if (answer.statusCode === 200 && hit) latencies.push(performance.now() - sent);
        else errors += 1;
      } catch {
        errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  const elapsed = (performance.now() - started) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? Number.NaN;
  return { route: scenario.route, concurrency, requests: latencies.length, errors, rps: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
}

function report(results: readonly LoadRow[], bytes: number): void {
  console.log(`\nGateway cached-phrase benchmark: ${String(bytes)}-byte WAV phrase; ${String(cpus().length)} CPUs (${cpus()[0]?.model ?? '?'})`);
  console.log(`load average at the end (1/5/15 min): ${loadavg().map((value) => value.toFixed(1)).join(' / ')}`);
  console.log('| route | concurrency | requests | errors | requests/s | p50 ms | p99 ms |');
  console.log('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(`| ${r.route} | ${String(r.concurrency)} | ${String(r.requests)} | ${String(r.errors)} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`);
  }
}

function run(command: string, argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { env, stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${command} ${argv.join(' ')} exited with ${String(code)}`));
    });
  });
}

/** Ends wrangler and the workerd it started (its own process group). */
async function stop(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid, 'SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
}

await main();
