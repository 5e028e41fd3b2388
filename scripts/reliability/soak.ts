/**
 * Suite `soak` (issue 14): steady mixed traffic against the local stack (the real gateway in front of two GPU
 * functions) for `--minutes` (default 30; `--quick` 45 s), then checks that nothing grew with it.
 *
 * Traffic, from three client loops and one side loop, all to 127.0.0.1:
 * - cache misses (new sentences), cache hits (a few fixed phrases per key), streamed answers read to the end, streams
 *   the client aborts after the first bytes, and OpenAI-route requests; three keys, both stack voices and the churn
 *   voices below;
 * - bad signatures straight at a GPU function: a forged MAC, a stale timestamp, and a correctly signed request sent
 *   twice (the replay must be refused);
 * - voice churn: a new voice every so often (a new prompt text, so a new version and new features) and the oldest
 *   deleted, so more distinct voices pass through each GPU function than its voice cache holds (VOICE_CACHE_ENTRIES
 *   is set small for this run).
 *
 * Measured: an idle baseline before the traffic (after priming requests and a pause longer than the keep-alive
 * timeout), samples every few seconds during it (RSS and open fds of each GPU function and of the gateway's workerd
 * process, and each GPU function's gauges on /metrics), and an idle end after a cool-down that lasts until the
 * signature window of the last requests has passed (their nonces may be forgotten only then).
 *
 * Checks:
 * - RSS growth after warm-up (the first 20 % of the traffic) < 5 %, for each GPU function and the gateway's workerd
 *   (the one running its code, not wrangler's proxy): the median of the first tenth of the post-warm-up samples (at
 *   least 3) against the median of the last tenth, so one GC more or less at either end does not decide it. Runs
 *   shorter than 10 minutes (--quick) are all warm-up: there a GPU function's RSS must stay < 1.5 x idle, and the
 *   gateway's is only reported (see reportGrowth);
 * - the voice cache and the voice definitions never hold more than their limits, though more voices than that were
 *   used (misses show the churn);
 * - idle end against idle baseline: open fds and active handles (`process.getActiveResourcesInfo()`) come back
 *   (within 2), and KV slots in use, queued segments, syntheses and inspections in flight and nonce-store entries are
 *   0: nothing accumulated;
 * - every answer was the one its kind expects (no 5xx, every bad signature refused).
 *
 *   node scripts/reliability/soak.ts [--quick] [--minutes N] [--verbose]
 * @module
 */
import { randomBytes } from 'node:crypto';
import { SIGNATURE_HEADERS, SIGNATURE_VERSION_PREFIX, signRequest, type CreatedApiKey } from '@gsv-edge/shared';
import { referenceClip } from '../../gpu-function/src/synthetic/tiny-bundle.ts';
import { progress, suiteMain, type SuiteReport } from './report.ts';
import { openFileDescriptors, SIGNING_SECRET, startReliabilityStack, type ReliabilityStack } from './stack.ts';

/** Small, so that the churn voices and the two stack voices cannot all stay in memory. */
const VOICE_CACHE_ENTRIES = 4;
/** Voice definitions each GPU function holds from the gateway; the churn passes more voices than this through it. */
const VOICE_DEFINITIONS_MAX = 4;
/** Churn voices alive at once; with the stack's two, twice the cache limit pass through each function. */
const CHURN_VOICES_ALIVE = 6;
const CLIENTS = 3;
const REQUEST_TIMEOUT_MS = 90_000;
/** Longer than Node's 5 s keep-alive timeout, so idle samples see no leftover connections. */
const IDLE_PAUSE_MS = 7000;
/** How much fds or active handles may differ between the idle samples (a lazily opened file, a timer in flight). */
const IDLE_SLACK = 2;
const RSS_GROWTH_LIMIT = 0.05;
/** Shorter runs are all warm-up (see reportGrowth). */
const GROWTH_CHECK_MINUTES = 10;

const WORDS = ['river', 'morning', 'quiet', 'window', 'bright', 'garden', 'paper', 'music', 'silver', 'travel', 'yellow', 'harbor', 'winter', 'simple', 'letter', 'forest', 'coffee', 'gentle', 'market', 'evening'];
const PHRASES = ['Welcome back.', 'Your order has shipped.', 'Please hold the line.', 'Thank you for calling.'];
const LONG_TEXT = Array.from({ length: 30 }, () => 'Keep talking.').join(' ');
const REFERENCE = Buffer.from(referenceClip()).toString('base64');

/** Gauges read from each GPU function's /metrics (summed over labels). */
const GAUGES = [
  'gsv_voice_feature_cache_entries',
  'gsv_voice_feature_cache_bytes',
  'gsv_voice_feature_cache_misses_total',
  'gsv_voice_definitions',
  'gsv_nonce_store_entries',
  'gsv_requests_in_flight',
  'gsv_engine_requests_in_flight',
  'gsv_inspections_in_flight',
  'gsv_queue_depth',
  'gsv_kv_pool_slots_in_use',
  'gsv_nodejs_active_resources_total',
  'gsv_nodejs_heap_size_used_bytes',
  'gsv_nodejs_external_memory_bytes',
  'gsv_engine_thread_heap_used_bytes',
  'gsv_engine_thread_external_memory_bytes',
] as const;
type GaugeName = (typeof GAUGES)[number];

/** Gauges that must be 0 once traffic has stopped and the signature window has passed. */
const DRAINED: readonly GaugeName[] = ['gsv_kv_pool_slots_in_use', 'gsv_queue_depth', 'gsv_requests_in_flight', 'gsv_engine_requests_in_flight', 'gsv_inspections_in_flight', 'gsv_nonce_store_entries'];

interface GpuSample {
  readonly rss: number;
  readonly fds: number;
  readonly gauges: Readonly<Record<GaugeName, number>>;
}

interface Sample {
  /** Milliseconds since the traffic started. */
  readonly at: number;
  readonly gpus: readonly GpuSample[];
  readonly gatewayRss: number;
  readonly gatewayFds: number;
}

type Kind = 'miss' | 'hit' | 'stream' | 'abort' | 'openai';
const KINDS: readonly (readonly [Kind, number])[] = [
  ['miss', 30],
  ['hit', 30],
  ['stream', 15],
  ['abort', 10],
  ['openai', 15],
];

interface Tally {
  readonly counts: Map<string, number>;
  readonly unexpected: string[];
  hits: number;
}

/** The traffic: client loops of synthesis requests, and the side loop of bad signatures and voice churn. */
class Traffic {
  readonly tally: Tally = { counts: new Map(), unexpected: [], hits: 0 };
  churnCreated = 0;
  readonly #stack: ReliabilityStack;
  readonly #keys: readonly CreatedApiKey[];
  readonly #churn: string[] = [];
  readonly #random = mulberry32(14);
  #sentences = 0;

  constructor(stack: ReliabilityStack, keys: readonly CreatedApiKey[]) {
    this.#stack = stack;
    this.#keys = keys;
  }

  async prime(): Promise<void> {
    for (const [kind] of KINDS) await this.#request(kind);
    await this.#badSignatures();
    await this.#churnVoice();
  }

  async clientLoop(client: number, stopAt: number): Promise<void> {
    for (let n = 0; Date.now() < stopAt && n < 100_000; n += 1) {
      await this.#request(this.#pickKind());
      // A short pause, so the two shared CPUs are loaded, not saturated to the point of timeouts.
      await sleep(50 + client * 25);
    }
  }

  async sideLoop(stopAt: number, churnEveryMs: number): Promise<void> {
    let nextChurn = Date.now() + churnEveryMs;
    for (let n = 0; Date.now() < stopAt && n < 100_000; n += 1) {
      await this.#badSignatures();
      if (Date.now() >= nextChurn) {
        await this.#churnVoice();
        nextChurn = Date.now() + churnEveryMs;
      }
      await sleep(Math.min(1000, Math.max(0, stopAt - Date.now())));
    }
  }

  #pickKind(): Kind {
    let roll = this.#random() * KINDS.reduce((sum, [, weight]) => sum + weight, 0);
    for (const [kind, weight] of KINDS) {
      roll -= weight;
      if (roll < 0) return kind;
    }
    return 'miss';
  }

  #pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.#random() * items.length)] as T;
  }

  #voice(): string {
    const roll = this.#random();
    if (roll < 0.35 || this.#churn.length === 0) return 'narrator';
    if (roll < 0.65) return 'reader';
    return this.#pick(this.#churn);
  }

  #sentence(): string {
    this.#sentences += 1;
    return `Line ${String(this.#sentences)}: ${Array.from({ length: 5 }, () => this.#pick(WORDS)).join(' ')}.`;
  }

  async #request(kind: Kind): Promise<void> {
    const key = this.#pick(this.#keys);
    const voice = kind === 'hit' ? this.#pick(['narrator', 'reader']) : this.#voice();
    const headers = { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' };
    const url = this.#stack.gateway.url;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort(new Error('soak request timed out'));
    }, REQUEST_TIMEOUT_MS);
    let label: string = kind;
    try {
      let response: Response;
      if (kind === 'openai') {
        const input = this.#random() < 0.5 ? this.#pick(PHRASES) : this.#sentence();
        response = await fetch(`${url}/v1/audio/speech`, { method: 'POST', headers, body: JSON.stringify({ model: 'gsv', voice, input, response_format: 'mp3' }), signal: controller.signal });
      } else {
        const text = kind === 'hit' ? this.#pick(PHRASES) : kind === 'abort' ? LONG_TEXT : this.#sentence();
        const stream = kind === 'stream' || kind === 'abort';
        const body = { text, voice, text_lang: 'en', format: stream ? 'pcm' : 'wav', stream, ...(kind === 'abort' ? { seed: -1 } : {}) };
        response = await fetch(`${url}/v1/tts`, { method: 'POST', headers, body: JSON.stringify(body), signal: controller.signal });
      }
      label = `${kind} ${String(response.status)}`;
      if (response.status !== 200) {
        const answer = await response.text();
        // A churn voice deleted while the request was on its way is the one refusal this traffic can meet.
        const deletedVoice = response.status === 404 && voice.startsWith('churn-') && !this.#churn.includes(voice);
        if (!deletedVoice) this.#unexpected(`${kind} (${voice}) answered ${String(response.status)}: ${answer.slice(0, 200)}`);
        return;
      }
      if (kind === 'hit' && response.headers.get('x-cache') === 'HIT') this.tally.hits += 1;
      if (kind === 'abort') {
        const reader = (response.body as ReadableStream<Uint8Array>).getReader();
        const first = await reader.read();
        if (first.done) this.#unexpected('an aborted stream ended before its first bytes');
        controller.abort(new Error('the soak client leaves mid-stream'));
        await reader.cancel().catch(() => undefined);
        return;
      }
      const bytes = await response.arrayBuffer();
      if (bytes.byteLength < 100) this.#unexpected(`${kind} answered only ${String(bytes.byteLength)} bytes`);
    } catch (error) {
      label = `${kind} error`;
      this.#unexpected(`${kind} (${voice}) failed: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      clearTimeout(timer);
      this.#count(label);
    }
  }

  /** A forged MAC, a stale timestamp and a replayed request, straight at one GPU function: each must be refused. */
  async #badSignatures(): Promise<void> {
    const gpu = this.#pick(this.#stack.gpus);
    const path = '/internal/v1/models';
    const expect = async (what: string, headers: Record<string, string>, status: number, code: string | null): Promise<void> => {
      const answer = await fetch(`${gpu.url}${path}`, { headers, signal: AbortSignal.timeout(10_000) }).catch((error: unknown) => error as Error);
      if (answer instanceof Error) {
        this.#unexpected(`${what} at ${gpu.name} failed: ${answer.message}`);
        this.#count(`${what} error`);
        return;
      }
      const body = (await answer.json().catch(() => null)) as { error?: { code?: string } } | null;
      this.#count(`${what} ${String(answer.status)}`);
      if (answer.status !== status || (code !== null && body?.error?.code !== code)) {
        this.#unexpected(`${what} at ${gpu.name} answered ${String(answer.status)} ${JSON.stringify(body).slice(0, 200)}`);
      }
    };
    const now = Math.floor(Date.now() / 1000);
    await expect(
      'forged signature',
      { [SIGNATURE_HEADERS.timestamp]: String(now), [SIGNATURE_HEADERS.nonce]: randomBytes(16).toString('hex'), [SIGNATURE_HEADERS.signature]: `${SIGNATURE_VERSION_PREFIX}${randomBytes(32).toString('hex')}` },
      401,
      'invalid_signature',
    );
    await expect('stale signature', await signRequest({ secret: SIGNING_SECRET, audience: gpu.url, method: 'GET', pathAndQuery: path, body: '', timestamp: now - 3600 }), 401, 'stale_request');
    const signed = await signRequest({ secret: SIGNING_SECRET, audience: gpu.url, method: 'GET', pathAndQuery: path, body: '' });
    await expect('signed', signed, 200, null);
    await expect('replayed signature', signed, 401, 'replayed_request');
  }

  /** Creates a voice with a new prompt text (a new version), and deletes the oldest past {@link CHURN_VOICES_ALIVE}. */
  async #churnVoice(): Promise<void> {
    this.churnCreated += 1;
    const id = `churn-${String(this.churnCreated)}`;
    const created = await fetch(`${this.#stack.gateway.url}/admin/voices`, {
      method: 'POST',
      headers: this.#stack.adminHeaders,
      body: JSON.stringify({ id, model: 'tiny', prompt_text: `This is how I sound, take ${String(this.churnCreated)}.`, prompt_lang: 'en', ref_audio: REFERENCE }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    }).catch((error: unknown) => error as Error);
    this.#count(`voice create ${created instanceof Error ? 'error' : String(created.status)}`);
    if (created instanceof Error || created.status !== 201) {
      this.#unexpected(`creating voice ${id}: ${created instanceof Error ? created.message : `${String(created.status)} ${(await created.text()).slice(0, 200)}`}`);
      return;
    }
    await created.arrayBuffer();
    this.#churn.push(id);
    while (this.#churn.length > CHURN_VOICES_ALIVE) {
      const oldest = this.#churn.shift() as string;
      const deleted = await fetch(`${this.#stack.gateway.url}/admin/voices/${oldest}`, { method: 'DELETE', headers: this.#stack.adminHeaders, signal: AbortSignal.timeout(30_000) }).catch(
        (error: unknown) => error as Error,
      );
      this.#count(`voice delete ${deleted instanceof Error ? 'error' : String(deleted.status)}`);
      if (deleted instanceof Error || deleted.status !== 200) this.#unexpected(`deleting voice ${oldest}: ${deleted instanceof Error ? deleted.message : String(deleted.status)}`);
      else await deleted.arrayBuffer();
    }
  }

  #count(label: string): void {
    this.tally.counts.set(label, (this.tally.counts.get(label) ?? 0) + 1);
  }

  #unexpected(text: string): void {
    if (this.tally.unexpected.length < 1000) this.tally.unexpected.push(text);
  }
}

async function sample(stack: ReliabilityStack, at: number): Promise<Sample> {
  const gpus = await Promise.all(
    stack.gpus.map(async (gpu, index): Promise<GpuSample> => {
      const pid = stack.gpuPid(index);
      const [rss, fds, gauges] = await Promise.all([stack.gpuRss(index), openFileDescriptors(pid), readGauges(gpu.url)]);
      return { rss, fds, gauges };
    }),
  );
  const gatewayPid = await stack.gatewayPid();
  const [gatewayRss, gatewayFds] = await Promise.all([stack.gatewayRss(), openFileDescriptors(gatewayPid)]);
  return { at, gpus, gatewayRss, gatewayFds };
}

/** Each gauge of {@link GAUGES}, summed over its labels, from Prometheus text. */
async function readGauges(url: string): Promise<Record<GaugeName, number>> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const values = Object.fromEntries(GAUGES.map((name) => [name, 0])) as Record<GaugeName, number>;
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line)?.[0] as GaugeName | undefined;
    if (name === undefined || !(GAUGES as readonly string[]).includes(name)) continue;
    values[name] += Number(line.slice(line.lastIndexOf(' ') + 1));
    seen.add(name);
  }
  const missing = GAUGES.filter((name) => !seen.has(name));
  if (missing.length > 0) throw new Error(`${url}/metrics lacks ${missing.join(', ')}`);
  return values;
}

/** Waits until every GPU function is idle and has forgotten every nonce (bounded by the window plus a margin). */
async function coolDown(stack: ReliabilityStack, windowSeconds: number): Promise<number> {
  const started = Date.now();
  const deadline = started + (windowSeconds + 30) * 1000;
  await sleep(IDLE_PAUSE_MS);
  while (Date.now() < deadline) {
    const gauges = await Promise.all(stack.gpus.map(async (gpu) => readGauges(gpu.url)));
    if (gauges.every((values) => DRAINED.every((name) => values[name] === 0))) break;
    await sleep(2000);
  }
  return Date.now() - started;
}

function reportTraffic(report: SuiteReport, tally: Tally): void {
  const counts = [...tally.counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  const total = counts.reduce((sum, [, count]) => sum + count, 0);
  report.figure('requests', total);
  for (const [label, count] of counts) report.figure(`requests: ${label}`, count);
  report.figure('cache hits', tally.hits);
  for (const text of tally.unexpected.slice(0, 10)) report.note(`unexpected: ${text}`);
  report.check('every answer is the one its kind expects', tally.unexpected.length === 0, `${String(tally.unexpected.length)} unexpected of ${String(total)}: ${counts.map(([label, count]) => `${label} ×${String(count)}`).join(', ')}`);
  const replays = counts.filter(([label]) => label.startsWith('replayed signature')).reduce((sum, [, count]) => sum + count, 0);
  report.check('the traffic had every kind, with cache hits and refused replays', KINDS.every(([kind]) => (tally.counts.get(`${kind} 200`) ?? 0) > 0) && tally.hits > 0 && replays > 0, `${String(tally.hits)} cache hits, ${String(replays)} replays sent`);
}

/** Median of the first and of the last tenth (at least 3 samples) of the post-warm-up samples. */
function windows(values: readonly number[]): { first: number; last: number; max: number } {
  const size = Math.max(3, Math.floor(values.length / 10));
  return { first: median(values.slice(0, size)), last: median(values.slice(-size)), max: Math.max(...values) };
}

/**
 * RSS growth after warm-up < 5 % in runs of at least {@link GROWTH_CHECK_MINUTES}. A shorter run (--quick) is all
 * warm-up: a GPU function's RSS climbs for its first minutes (onnxruntime's CPU arena and the allocator's heaps
 * growing to the largest shapes yet seen, then flat), so there it only has to stay under 1.5 times its idle baseline,
 * which a leak of every answer's audio or every request's state would still break; the gateway's is reported.
 */
function reportGrowth(report: SuiteReport, measured: readonly Sample[], baseline: Sample, strict: boolean): void {
  const first = measured[0];
  if (!report.check('enough samples after warm-up', first !== undefined && measured.length >= 6, `${String(measured.length)} samples`) || first === undefined) return;
  const series: [string, readonly number[]][] = [
    ...first.gpus.map((_, index): [string, number[]] => [`gpu-${String(index)}`, measured.map((entry) => entry.gpus[index]?.rss ?? Number.NaN)]),
    ['gateway', measured.map((entry) => entry.gatewayRss)],
  ];
  for (const [name, values] of series) {
    const { first: start, last, max } = windows(values);
    const growth = (last - start) / start;
    report.figure(`${name} RSS after warm-up (MiB)`, round(start / 2 ** 20));
    report.figure(`${name} RSS at the end (MiB)`, round(last / 2 ** 20));
    report.figure(`${name} RSS max (MiB)`, round(max / 2 ** 20));
    report.figure(`${name} RSS growth %`, round(growth * 100));
    const detail = `${mib(start)} -> ${mib(last)} (${(growth * 100).toFixed(1)} %, max ${mib(max)}; medians of the first and last ${String(Math.max(3, Math.floor(values.length / 10)))} samples)`;
    if (strict) {
      report.check(`${name}: RSS grows < 5 % after warm-up`, growth < RSS_GROWTH_LIMIT, detail);
      continue;
    }
    if (name === 'gateway') {
      // wrangler dev's workerd (the gateway with miniflare's emulated D1, KV, R2, Cache and Durable Objects) climbs
      // from about 185 to 300 MiB over its first minute of traffic: no bound a short run could check means anything.
      report.note(`gateway (workerd) RSS in a short run, not checked: idle ${mib(baseline.gatewayRss)}, ${detail}`);
      continue;
    }
    const idle = baseline.gpus[Number(name.slice('gpu-'.length))]?.rss ?? Number.NaN;
    report.check(`${name}: RSS stays under 1.5 x its idle baseline (a short run is all warm-up; growth is checked from ${String(GROWTH_CHECK_MINUTES)} minutes)`, max < 1.5 * idle, `idle ${mib(idle)}, ${detail}`);
  }
}

function reportVoices(report: SuiteReport, samples: readonly Sample[], churnCreated: number): void {
  if (samples.length === 0) return;
  const gpus = samples[0]?.gpus.length ?? 0;
  for (let index = 0; index < gpus; index += 1) {
    const entries = samples.map((entry) => entry.gpus[index]?.gauges.gsv_voice_feature_cache_entries ?? Number.NaN);
    const misses = samples.map((entry) => entry.gpus[index]?.gauges.gsv_voice_feature_cache_misses_total ?? 0);
    const most = Math.max(...entries);
    const computed = (misses.at(-1) ?? 0) - (misses[0] ?? 0);
    report.figure(`gpu-${String(index)} voice cache entries max`, most);
    report.check(
      `gpu-${String(index)}: the voice cache holds at most VOICE_CACHE_ENTRIES while voices churn`,
      most <= VOICE_CACHE_ENTRIES && churnCreated + 2 > VOICE_CACHE_ENTRIES,
      `at most ${String(most)} of ${String(VOICE_CACHE_ENTRIES)} held; ${String(churnCreated + 2)} voices used, ${String(computed)} feature computations during the traffic`,
    );
    const definitions = Math.max(...samples.map((entry) => entry.gpus[index]?.gauges.gsv_voice_definitions ?? Number.NaN));
    report.figure(`gpu-${String(index)} voice definitions max`, definitions);
    report.check(
      `gpu-${String(index)}: voice definitions stay within VOICE_DEFINITIONS_MAX while voices churn`,
      definitions <= VOICE_DEFINITIONS_MAX && churnCreated + 2 > VOICE_DEFINITIONS_MAX,
      `at most ${String(definitions)} of ${String(VOICE_DEFINITIONS_MAX)} held; ${String(churnCreated + 2)} voices created`,
    );
  }
}

function reportIdle(report: SuiteReport, baseline: Sample, end: Sample, cooledMs: number): void {
  report.figure('cool-down (s)', Math.round(cooledMs / 1000));
  baseline.gpus.forEach((before, index) => {
    const after = end.gpus[index];
    if (after === undefined) return;
    const name = `gpu-${String(index)}`;
    report.check(`${name}: open fds come back when traffic stops`, after.fds <= before.fds + IDLE_SLACK, `${String(before.fds)} idle before, ${String(after.fds)} idle after`);
    const [handlesBefore, handlesAfter] = [before.gauges.gsv_nodejs_active_resources_total, after.gauges.gsv_nodejs_active_resources_total];
    report.check(`${name}: active handles and timers come back when traffic stops`, handlesAfter <= handlesBefore + IDLE_SLACK, `${String(handlesBefore)} idle before, ${String(handlesAfter)} idle after`);
    const held = DRAINED.filter((gauge) => after.gauges[gauge] !== 0);
    report.check(
      `${name}: KV slots, queues, requests in flight and nonces drain to 0`,
      held.length === 0,
      DRAINED.map((gauge) => `${gauge.replace(/^gsv_/, '')} ${String(after.gauges[gauge])}`).join(', '),
    );
  });
  report.check('gateway (workerd): open fds come back when traffic stops', end.gatewayFds <= baseline.gatewayFds + IDLE_SLACK, `${String(baseline.gatewayFds)} idle before, ${String(end.gatewayFds)} idle after`);
}

function printTable(stack: ReliabilityStack, baseline: Sample, measured: readonly Sample[], end: Sample): void {
  if (measured.length === 0) return;
  const rows: string[] = ['| series | idle before | after warm-up | end of traffic | max | idle after |', '|---|---|---|---|---|---|'];
  const row = (name: string, read: (entry: Sample) => number, format: (value: number) => string) => {
    const { first, last, max } = windows(measured.map(read));
    rows.push(`| ${name} | ${format(read(baseline))} | ${format(first)} | ${format(last)} | ${format(max)} | ${format(read(end))} |`);
  };
  const count = (value: number) => String(Math.round(value));
  stack.gpus.forEach((gpu, index) => {
    const at = (entry: Sample) => entry.gpus[index] as GpuSample;
    row(`${gpu.name} RSS`, (entry) => at(entry).rss, mib);
    row(`${gpu.name} HTTP thread heap used`, (entry) => at(entry).gauges.gsv_nodejs_heap_size_used_bytes, mib);
    row(`${gpu.name} HTTP thread external memory`, (entry) => at(entry).gauges.gsv_nodejs_external_memory_bytes, mib);
    row(`${gpu.name} engine thread heap used`, (entry) => at(entry).gauges.gsv_engine_thread_heap_used_bytes, mib);
    row(`${gpu.name} engine thread external memory`, (entry) => at(entry).gauges.gsv_engine_thread_external_memory_bytes, mib);
    row(`${gpu.name} open fds`, (entry) => at(entry).fds, count);
    for (const gauge of GAUGES) {
      if ((gauge.startsWith('gsv_nodejs_') && gauge !== 'gsv_nodejs_active_resources_total') || gauge.startsWith('gsv_engine_thread_')) continue;
      if (gauge === 'gsv_voice_feature_cache_misses_total') continue;
      row(`${gpu.name} ${gauge.replace(/^gsv_/, '')}`, (entry) => at(entry).gauges[gauge], gauge.endsWith('_bytes') ? kib : count);
    }
  });
  row('gateway RSS (workerd)', (entry) => entry.gatewayRss, mib);
  row('gateway open fds (workerd)', (entry) => entry.gatewayFds, count);
  process.stdout.write(`\n${rows.join('\n')}\n(after warm-up / end of traffic: medians of the first / last tenth of the samples after warm-up, at least 3)\n\n`);
}

function describe(entry: Sample | undefined): string {
  if (entry === undefined) return '';
  const gpus = entry.gpus.map((gpu, index) => `gpu-${String(index)} ${mib(gpu.rss)} fds ${String(gpu.fds)} voices ${String(gpu.gauges.gsv_voice_feature_cache_entries)} nonces ${String(gpu.gauges.gsv_nonce_store_entries)}`);
  return `${gpus.join('; ')}; gateway ${mib(entry.gatewayRss)}`;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A small seeded generator, so every run sends the same mix. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

await suiteMain('soak', async (report, { quick, verbose, minutes }) => {
  const trafficMs = (minutes ?? (quick ? 0.75 : 30)) * 60_000;
  const warmUpMs = trafficMs * 0.2;
  const sampleEveryMs = trafficMs <= 5 * 60_000 ? 2000 : 5000;
  // The quick run shortens the GPU functions' signature window, so their nonces can expire within its cool-down.
  const windowSeconds = quick ? 20 : 300;
  const churnEveryMs = quick ? 5000 : 20_000;
  report.note(
    `traffic ${String(trafficMs / 1000)} s (warm-up ${String(warmUpMs / 1000)} s), ${String(CLIENTS)} clients + bad signatures + a new voice every ${String(churnEveryMs / 1000)} s; ` +
      `VOICE_CACHE_ENTRIES=${String(VOICE_CACHE_ENTRIES)}, VOICE_DEFINITIONS_MAX=${String(VOICE_DEFINITIONS_MAX)}, SIGNATURE_WINDOW_SECONDS=${String(windowSeconds)}; samples every ${String(sampleEveryMs / 1000)} s`,
  );

  // wrangler dev's local observability collector (X_LOCAL_OBSERVABILITY, on by default) keeps a trace of every request
  // in the gateway's workerd process for its explorer UI, about 3 MiB of heap a minute under this traffic: dev tooling
  // that never runs on Cloudflare, and would be all this suite measured of the gateway. wrangler reads it from its
  // environment, which the stack inherits.
  process.env.X_LOCAL_OBSERVABILITY = 'false';
  // SOAK_GATEWAY_VARS (JSON: {"PHRASE_CACHE_MAX_BYTES": "0"}) changes the gateway's settings, to find what the
  // workerd growth follows.
  const gatewayVars = process.env.SOAK_GATEWAY_VARS === undefined ? {} : (JSON.parse(process.env.SOAK_GATEWAY_VARS) as Record<string, string>);
  const stack = await startReliabilityStack({
    gpuFunctions: 2,
    gpuEnv: { VOICE_CACHE_ENTRIES: String(VOICE_CACHE_ENTRIES), VOICE_DEFINITIONS_MAX: String(VOICE_DEFINITIONS_MAX), SIGNATURE_WINDOW_SECONDS: String(windowSeconds) },
    gatewayVars,
    verbose,
  });
  // `timeout` ends a run with SIGTERM: the GPU functions and wrangler run in process groups of their own and would
  // outlive this script.
  const stopOnSignal = (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping the stack`);
    void stack.stop().finally(() => process.exit(1));
  };
  process.once('SIGTERM', stopOnSignal);
  process.once('SIGINT', stopOnSignal);
  try {
    const keys = await Promise.all([0, 1, 2].map(async (i) => stack.createKey(`soak-${String(i)}`)));
    const traffic = new Traffic(stack, keys);
    progress('priming every kind of request, then an idle pause for the baseline');
    await traffic.prime();
    await sleep(IDLE_PAUSE_MS);
    const baseline = await sample(stack, 0);

    const samples: Sample[] = [];
    const started = Date.now();
    const stopAt = started + trafficMs;
    const sampler = (async () => {
      for (let n = 0; Date.now() < stopAt && n < 100_000; n += 1) {
        samples.push(await sample(stack, Date.now() - started));
        if (n % Math.max(1, Math.round(60_000 / sampleEveryMs)) === 0) progress(`${String(Math.round((Date.now() - started) / 1000))} s: ${describe(samples.at(-1))}`);
        await sleep(Math.max(0, Math.min(sampleEveryMs, stopAt - Date.now())));
      }
    })();
    await Promise.all([...Array.from({ length: CLIENTS }, async (_, client) => traffic.clientLoop(client, stopAt)), traffic.sideLoop(stopAt, churnEveryMs), sampler]);
    progress(`traffic over after ${String(Math.round((Date.now() - started) / 1000))} s; cooling down until the signature window has passed`);

    const cooled = await coolDown(stack, windowSeconds);
    const idleEnd = await sample(stack, Date.now() - started);

    reportTraffic(report, traffic.tally);
    reportGrowth(report, samples.filter((entry) => entry.at >= warmUpMs), baseline, trafficMs >= GROWTH_CHECK_MINUTES * 60_000);
    reportVoices(report, samples, traffic.churnCreated);
    reportIdle(report, baseline, idleEnd, cooled);
    printTable(stack, baseline, samples.filter((entry) => entry.at >= warmUpMs), idleEnd);
  } finally {
    process.off('SIGTERM', stopOnSignal);
    process.off('SIGINT', stopOnSignal);
    await stack.stop();
  }
});
