/**
 * Suite `load` (issue 14): many concurrent clients against the whole stack for a bounded time.
 *
 * Two GPU functions behind the real gateway, both voices, four keys on different plans (two generous ones at
 * different prices, a small one whose `max_concurrent` and `requests_per_minute` are exceeded on purpose, one with
 * a monthly quota that runs out). 1,000 clients (`--quick`: 100) from undici pools mix cache HITS and MISSES, both
 * voices, both synthesis routes, streamed and not, WAV and MP3, and a few leave after the first chunk. Each request
 * has its own deadline. Checked:
 *
 * - every answer is acceptable: a 200 whose audio decodes as its declared format, or a JSON error envelope that is a
 *   4xx or a documented overload answer (429/503 with Retry-After); no other 5xx, no broken stream;
 * - no request outlives its deadline;
 * - per key, the usage ledger (the Durable Object's totals and the D1 events) is exactly what the billing rules give
 *   for what the clients received (gateway/test/expected-ledger.ts, the billing invariant's oracle);
 * - a cached-phrase HIT costs at most 2x `GET /healthz` (p50), one at a time and at concurrency 8.
 *
 * Prints requests, requests/s, TTFB and total latency percentiles for hits and misses, and the statuses.
 *
 *   node scripts/reliability/load.ts [--quick] [--verbose]
 * @module
 */
import { loadavg } from 'node:os';
import type { Plan } from '@gsv-edge/shared';
import { Pool } from 'undici';
import { expectedLedger, ledgerCostMicros } from '../../gateway/test/expected-ledger.ts';
import { AudioChecker } from './load/audio-check.ts';
import { exchange, observationOf, type Exchange } from './load/exchange.ts';
import { measureHitCost, type HitCostRow } from './load/hit-cost.ts';
import { ledgerDifference, readLedger } from './load/ledger-check.ts';
import { FORMATS, HIT_PHRASES, pickRequest, requestOf, seededRandom } from './load/traffic.ts';
import { percentile, progress, suiteMain, type SuiteReport } from './report.ts';
import { GENEROUS_PLAN, startReliabilityStack, type ReliabilityStack } from './stack.ts';

/** A HIT may cost at most this many times `GET /healthz` (p50, same run). */
const HIT_COST_TARGET = 2;
/**
 * Syntheses each GPU function accepts at once (MAX_CONCURRENT_REQUESTS), sized to what a CPU function on this
 * machine finishes within the deadline; past it a function answers 503 with Retry-After at once. With the default
 * (32) the functions accepted more than they could finish: streamed misses ran 23-30 s and past a 30 s deadline.
 */
const GPU_SLOTS = '2';

interface KeyPlanSpec {
  readonly name: string;
  /** Share of the clients that use the key. */
  readonly share: number;
  readonly plan: Partial<Plan>;
}

const KEY_SPECS: readonly KeyPlanSpec[] = [
  { name: 'load-standard', share: 0.45, plan: {} },
  { name: 'load-premium', share: 0.3, plan: { price_per_1k_chars_micros: 15_000, cache_hit_price_per_1k_chars_micros: 1_500 } },
  // Exceeded on purpose: its clients must get 429s with Retry-After, counted as documented overload answers.
  { name: 'load-small', share: 0.1, plan: { requests_per_minute: 60, max_concurrent: 2 } },
  // Runs out during the run: 402 quota_exceeded, a 4xx.
  { name: 'load-quota', share: 0.15, plan: { monthly_character_quota: 3_000 } },
];

interface LoadKey {
  readonly id: string;
  readonly secret: string;
  readonly spec: KeyPlanSpec;
  readonly pool: Pool;
  readonly price: number;
  readonly hitPrice: number;
}

await suiteMain('load', async (report, { quick, verbose }) => {
  const clients = quick ? 100 : 1000;
  const seconds = quick ? 20 : 90;
  // The clients queue at a gateway that serves a few dozen answers a second on this machine (fewer when it is shared),
  // and a miss waits for a CPU synthesis: the deadline allows for that; what it catches is a request that hangs.
  const deadlineMs = quick ? 60_000 : 120_000;
  report.note(`${String(clients)} clients for ${String(seconds)} s, per-request deadline ${String(deadlineMs / 1000)} s, 2 GPU functions (CPU, tiny bundle, ${GPU_SLOTS} syntheses each)`);
  const stack = await startReliabilityStack({ gpuFunctions: 2, verbose, gpuEnv: { RUNAWAY_TOKENS_PER_PHONE: '4', ORT_THREADS: '1', MAX_CONCURRENT_REQUESTS: GPU_SLOTS } });
  const keys: LoadKey[] = [];
  try {
    for (const spec of KEY_SPECS) {
      const created = await stack.createKey(spec.name, spec.plan);
      const plan = { ...GENEROUS_PLAN, ...spec.plan };
      const connections = Math.max(1, Math.round(clients * spec.share));
      keys.push({
        id: created.id,
        secret: created.secret,
        spec,
        pool: new Pool(stack.gateway.url, { connections, pipelining: 1 }),
        price: plan.price_per_1k_chars_micros ?? 0,
        hitPrice: plan.cache_hit_price_per_1k_chars_micros ?? 0,
      });
    }
    const audio = new AudioChecker();
    const seeds = await seedHits(stack, keys, audio, deadlineMs);
    report.check('hit phrases cached before the run', seeds.failed.length === 0, seeds.failed.length === 0 ? `${String(seeds.exchanges.length)} phrases synthesized` : seeds.failed.slice(0, 3).join('; '));

    const cpuBefore = await cpuOf(stack);
    const run = await drive(stack, keys, audio, { clients, seconds, deadlineMs });
    const cpuAfter = await cpuOf(stack);
    // Where the machine's time went during the run: a process near 100% of a core is what limits the throughput.
    for (const [name, before] of Object.entries(cpuBefore)) {
      const used = ((cpuAfter[name] ?? before) - before) / run.elapsedSeconds;
      report.figure(`cpu_${name}_percent`, Math.round(used * 100));
    }
    report.figure('machine_load_average_1min', Number(loadavg()[0]?.toFixed(1)));
    const exchanges = [...seeds.exchanges, ...run.exchanges];
    summarize(report, run.exchanges, run.elapsedSeconds, deadlineMs);

    for (const key of keys) {
      const ledger = await readLedger(stack.gateway.url, stack.adminHeaders, key.id, key.secret, 60_000);
      const expected = expectedLedger(exchanges.map(observationOf), key.id);
      const { missing, extra } = ledgerDifference(expected, ledger.events);
      // A request the client gave up on before its headers came may have been answered (and billed, rule 1) or not:
      // the client cannot tell, so each such request may account for one event of its length, and no more.
      const unexplained = withoutAbandoned(extra, exchanges.filter((seen) => seen.keyId === key.id && seen.status === null));
      const totals = ledger.usage.totals;
      const expectedCost = ledgerCostMicros(expected, key.price, key.hitPrice);
      const hits = expected.filter((event) => event.endsWith(':1')).length;
      const characters = expected.reduce((sum, event) => sum + Number(event.split(':')[0]), 0);
      const ok =
        missing.length === 0 &&
        unexplained.length === 0 &&
        sameTotals(ledger.events, totals, key) &&
        ledger.usage.quota.reserved_characters === 0;
      report.check(
        `ledger of ${key.spec.name} equals what its clients received`,
        ok,
        `expected ${String(expected.length)} events (${String(hits)} hits, ${String(characters)} chars, ${String(expectedCost)} micros); ` +
          `D1 ${String(ledger.events.length)} events (${String(missing.length)} missing, ${String(unexplained.length)} extra, ` +
          `${String(extra.length - unexplained.length)} for requests abandoned before their headers); ` +
          `object ${String(totals.requests)} requests, ${String(totals.cache_hits)} hits, ${String(totals.characters)} chars, ${String(totals.cost_micros)} micros, ${String(ledger.usage.quota.reserved_characters)} reserved`,
      );
    }

    report.figure('gateway_rss_mb', Math.round((await stack.gatewayRss()) / 1024 / 1024));
    await checkHitCost(report, stack, keys[0], quick);
  } finally {
    await Promise.all(keys.map(async (key) => key.pool.close()));
    await stack.stop();
  }
});

/** CPU seconds used so far by the gateway (workerd), each GPU function and this process (the clients). */
async function cpuOf(stack: ReliabilityStack): Promise<Record<string, number>> {
  const self = process.cpuUsage();
  const seconds: Record<string, number> = { gateway: await stack.gatewayCpuSeconds(), clients: (self.user + self.system) / 1e6 };
  for (const [index] of stack.gpus.entries()) seconds[`gpu${String(index)}`] = await stack.gpuCpuSeconds(index);
  return seconds;
}

/** `extra` events less one of the same length for each request abandoned before its headers (see the ledger check). */
function withoutAbandoned(extra: readonly string[], abandoned: readonly Exchange[]): string[] {
  const lengths = abandoned.map((seen) => observationOf(seen).characters);
  return extra.filter((event) => {
    const at = lengths.indexOf(Number(event.split(':')[0]));
    if (at < 0) return true;
    lengths.splice(at, 1);
    return false;
  });
}

/** The Durable Object's month totals are the D1 events summed (no event counted twice or left out of the totals). */
function sameTotals(events: readonly string[], totals: { requests: number; cache_hits: number; characters: number; cost_micros: number }, key: LoadKey): boolean {
  return (
    totals.requests === events.length &&
    totals.cache_hits === events.filter((event) => event.endsWith(':1')).length &&
    totals.characters === events.reduce((sum, event) => sum + Number(event.split(':')[0]), 0) &&
    totals.cost_micros === ledgerCostMicros(events, key.price, key.hitPrice)
  );
}

/** Every key synthesizes each HIT phrase once per voice and format, so the run's hits are hits from the start. */
async function seedHits(stack: ReliabilityStack, keys: readonly LoadKey[], audio: AudioChecker, deadlineMs: number): Promise<{ exchanges: Exchange[]; failed: string[] }> {
  const jobs = keys.flatMap((key) =>
    HIT_PHRASES.flatMap((text) => stack.voices.flatMap((voice) => FORMATS.map((format) => ({ key, spec: { kind: 'miss' as const, route: 'tts' as const, stream: false, voice, format, text, leave: false } })))),
  );
  const exchanges: Exchange[] = [];
  const failed: string[] = [];
  // A few at a time (the small key's plan allows two at once; a 429 is waited out and asked again).
  const queue = [...jobs];
  await Promise.all(
    Array.from({ length: 6 }, async () => {
      for (let job = queue.shift(); job !== undefined; job = queue.shift()) {
        let seen = await exchange(job.key.pool, job.key.secret, job.key.id, job.spec, deadlineMs, audio);
        for (let attempt = 0; seen.status !== 200 && seen.retryAfterSeconds !== null && attempt < 10; attempt += 1) {
          exchanges.push(seen);
          await sleep(seen.retryAfterSeconds * 1000);
          seen = await exchange(job.key.pool, job.key.secret, job.key.id, job.spec, deadlineMs, audio);
        }
        exchanges.push(seen);
        if (seen.status !== 200 || seen.problem !== null) failed.push(`${job.key.spec.name} "${job.spec.text}" ${job.spec.voice} ${job.spec.format}: ${String(seen.status)} ${seen.problem ?? seen.errorCode ?? ''}`);
      }
    }),
  );
  return { exchanges, failed };
}

interface DriveOptions {
  readonly clients: number;
  readonly seconds: number;
  readonly deadlineMs: number;
}

/** `clients` clients, each sending its next request once it has read the previous answer, until the time is up. */
async function drive(stack: ReliabilityStack, keys: readonly LoadKey[], audio: AudioChecker, options: DriveOptions): Promise<{ exchanges: Exchange[]; elapsedSeconds: number }> {
  const exchanges: Exchange[] = [];
  let misses = 0;
  const nextMiss = () => (misses += 1);
  // Clients are dealt to keys by share: client i uses the key whose cumulative share covers i / clients.
  const keyFor = (client: number): LoadKey => {
    let covered = 0;
    for (const key of keys) {
      covered += key.spec.share;
      if (client / options.clients < covered) return key;
    }
    return keys.at(-1) as LoadKey;
  };
  const started = performance.now();
  const stopAt = started + options.seconds * 1000;
  // The clients arrive over the first two seconds rather than in one instant.
  const rampMs = 2000;
  let lastProgress = started;
  const client = async (index: number) => {
    const key = keyFor(index);
    const random = seededRandom(0x10ad + index);
    await sleep((index / options.clients) * rampMs);
    while (performance.now() < stopAt) {
      const spec = pickRequest(random, stack.voices, nextMiss);
      const seen = await exchange(key.pool, key.secret, key.id, spec, options.deadlineMs, audio);
      exchanges.push(seen);
      if (performance.now() - lastProgress > 10_000) {
        lastProgress = performance.now();
        progress(`${String(Math.round((lastProgress - started) / 1000))} s: ${String(exchanges.length)} answers`);
      }
      // Clients do as they are told: wait out Retry-After (with jitter), within the run.
      if (seen.retryAfterSeconds !== null) await sleep(Math.min(seen.retryAfterSeconds * 1000 * (0.5 + random()), Math.max(0, stopAt - performance.now())));
    }
  };
  await Promise.all(Array.from({ length: options.clients }, (_, index) => client(index)));
  return { exchanges, elapsedSeconds: (performance.now() - started) / 1000 };
}

function summarize(report: SuiteReport, exchanges: readonly Exchange[], elapsedSeconds: number, deadlineMs: number): void {
  const problems = exchanges.filter((seen) => seen.problem !== null);
  const timeouts = problems.filter((seen) => seen.problem?.includes('deadline') === true);
  const byProblem = new Map<string, number>();
  for (const seen of problems) {
    const what = (seen.problem ?? '').replace(/\d+ bytes/g, 'N bytes');
    byProblem.set(what, (byProblem.get(what) ?? 0) + 1);
  }
  const worst = [...byProblem.entries()].sort((a, b) => b[1] - a[1]).slice(0, 4).map(([what, count]) => `${String(count)}x ${what}`).join('; ');
  report.check('every answer is audio, a 4xx, or a documented overload answer (429/503 + Retry-After)', problems.length - timeouts.length === 0, problems.length - timeouts.length === 0 ? `${String(exchanges.length)} answers` : worst);
  const late = (kind: string, headers: boolean) => timeouts.filter((seen) => seen.spec.kind === kind && (seen.status !== null) === headers).length;
  report.check(
    `no request outlives its ${String(deadlineMs / 1000)} s deadline`,
    timeouts.length === 0,
    `${String(timeouts.length)} of ${String(exchanges.length)} past the deadline (misses: ${String(late('miss', false))} before their headers, ${String(late('miss', true))} mid-body; ` +
      `hits: ${String(late('hit', false))} before their headers, ${String(late('hit', true))} mid-body); slowest answer ${Math.max(...exchanges.map((seen) => seen.totalMs)).toFixed(0)} ms`,
  );
  const overload = exchanges.filter((seen) => seen.status === 429 || seen.status === 503);
  const small = exchanges.filter((seen) => seen.status === 429 && seen.retryAfterSeconds !== null);
  report.check('the small plan is exceeded and answered 429 with Retry-After', small.length > 0, `${String(small.length)} answers 429 with Retry-After`);

  const statuses = new Map<string, number>();
  for (const seen of exchanges) {
    const label = seen.status === null ? 'no answer' : `${String(seen.status)}${seen.errorCode === null ? '' : ` ${seen.errorCode}`}`;
    statuses.set(label, (statuses.get(label) ?? 0) + 1);
  }
  const ok = exchanges.filter((seen) => seen.status === 200 && seen.problem === null && seen.received === 'whole');
  const rows = [
    { label: 'HIT', set: ok.filter((seen) => seen.cache === 'HIT') },
    { label: 'MISS', set: ok.filter((seen) => seen.cache === 'MISS') },
  ];
  const lines = [
    '',
    `load: ${String(exchanges.length)} requests in ${elapsedSeconds.toFixed(1)} s = ${(exchanges.length / elapsedSeconds).toFixed(1)} requests/s; ${String(ok.length)} whole 200 answers (${(ok.length / elapsedSeconds).toFixed(1)}/s), ${String(overload.length)} overload answers (429/503)`,
    '| answered | requests | requests/s | TTFB p50 / p95 / p99 ms | total p50 / p95 / p99 ms |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const ttfb = row.set.map((seen) => seen.ttfbMs ?? seen.totalMs);
    const total = row.set.map((seen) => seen.totalMs);
    const triple = (samples: number[]) => [50, 95, 99].map((p) => percentile(samples, p).toFixed(0)).join(' / ');
    lines.push(`| 200 ${row.label} | ${String(row.set.length)} | ${(row.set.length / elapsedSeconds).toFixed(1)} | ${triple(ttfb)} | ${triple(total)} |`);
    const name = row.label.toLowerCase();
    report.figure(`${name}_requests`, row.set.length);
    report.figure(`${name}_ttfb_p50_ms`, Math.round(percentile(ttfb, 50)));
    report.figure(`${name}_ttfb_p99_ms`, Math.round(percentile(ttfb, 99)));
    report.figure(`${name}_total_p50_ms`, Math.round(percentile(total, 50)));
    report.figure(`${name}_total_p95_ms`, Math.round(percentile(total, 95)));
    report.figure(`${name}_total_p99_ms`, Math.round(percentile(total, 99)));
  }
  lines.push('', '| status | answers |', '|---|---:|');
  for (const [label, count] of [...statuses.entries()].sort((a, b) => b[1] - a[1])) lines.push(`| ${label} | ${String(count)} |`);
  process.stdout.write(`${lines.join('\n')}\n\n`);
  report.figure('requests', exchanges.length);
  report.figure('requests_per_second', Number((exchanges.length / elapsedSeconds).toFixed(1)));
  report.figure('ok_per_second', Number((ok.length / elapsedSeconds).toFixed(1)));
  report.figure('overload_answers', overload.length);
  report.figure('statuses', [...statuses.entries()].map(([label, count]) => `${label}: ${String(count)}`).join(', '));
}

/** HIT vs `GET /healthz` on the quiet stack after the run: one at a time, then 8 clients at once. */
async function checkHitCost(report: SuiteReport, stack: ReliabilityStack, key: LoadKey | undefined, quick: boolean): Promise<void> {
  if (key === undefined) throw new Error('no key for the HIT cost probe');
  const [text] = HIT_PHRASES;
  const hit = { ...requestOf({ route: 'tts', stream: false, voice: stack.voices[0] ?? 'narrator', format: 'wav', text }), secret: key.secret };
  const rows: HitCostRow[] = [];
  for (const [concurrency, rounds] of [[1, quick ? 200 : 300], [8, quick ? 40 : 60]] as const) {
    await measureHitCost(stack.gateway.url, hit, concurrency, 5);
    const row = await measureHitCost(stack.gateway.url, hit, concurrency, rounds);
    rows.push(row);
    const ratio = row.hitP50Ms / row.healthzP50Ms;
    report.figure(`hit_cost_c${String(concurrency)}_healthz_p50_ms`, Number(row.healthzP50Ms.toFixed(1)));
    report.figure(`hit_cost_c${String(concurrency)}_hit_p50_ms`, Number(row.hitP50Ms.toFixed(1)));
    report.figure(`hit_cost_c${String(concurrency)}_ratio`, Number(ratio.toFixed(2)));
    report.check(
      `a cached HIT costs at most ${String(HIT_COST_TARGET)}x GET /healthz (p50, concurrency ${String(concurrency)})`,
      row.errors === 0 && ratio <= HIT_COST_TARGET,
      `HIT p50 ${row.hitP50Ms.toFixed(1)} ms vs healthz p50 ${row.healthzP50Ms.toFixed(1)} ms = ${ratio.toFixed(2)}x (p95 ${row.hitP95Ms.toFixed(1)} vs ${row.healthzP95Ms.toFixed(1)} ms; ${String(row.samples)} pairs, ${String(row.errors)} errors)`,
    );
  }
  const lines = ['| HIT cost | concurrency | healthz p50 / p95 ms | HIT p50 / p95 ms | ratio (p50) |', '|---|---:|---:|---:|---:|'];
  for (const row of rows) {
    lines.push(`| POST /v1/tts HIT vs GET /healthz | ${String(row.concurrency)} | ${row.healthzP50Ms.toFixed(1)} / ${row.healthzP95Ms.toFixed(1)} | ${row.hitP50Ms.toFixed(1)} / ${row.hitP95Ms.toFixed(1)} | ${(row.hitP50Ms / row.healthzP50Ms).toFixed(2)} |`);
  }
  process.stdout.write(`${lines.join('\n')}\n\n`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
