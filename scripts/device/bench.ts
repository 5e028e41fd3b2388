/**
 * The device benchmark (issue 13), run by scripts/device/bench.sh once Node and the packages are in place: probes
 * which onnxruntime providers work on this machine, writes a synthetic GPT-SoVITS v2 set with the project's writer
 * (full size when a GPU provider works, the tests' tiny set otherwise) and compiles it, then runs the bench's own
 * scenario scripts on each working provider (GPU providers first, the CPU last) and prints one JSON object on stdout:
 * decode tokens/s at batch 1/4/16/64, host↔device bytes per token, GPT-SoVITS's own stage decoder on the same
 * provider, time to first audio, vocoder ms per audio second, the real-time factor of a 100-character Mandarin
 * request at 1 and 16 concurrent, and GPU memory from nvidia-smi when it exists. Progress goes to stderr.
 *
 * Every scenario runs in its own process (scripts/bench/child.ts) with `ORT_EP` naming the provider; a failure or a
 * timeout is recorded and the run goes on. A time budget (default 420 s of scenarios) keeps the whole script under
 * 8 minutes: a scenario that would start with less than `MIN_SCENARIO_SECONDS` left is skipped, and each one's time
 * limit is what is left.
 *
 *   node scripts/device/bench.ts --work DIR [--size auto|tiny|full] [--providers auto|cpu,webgpu,cuda]
 *     [--budget-seconds 420] [--out FILE]
 * @module
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { runScenario, type ScenarioRecord, type ScenarioSpec } from '../bench/child.ts';
import { describeMachine } from '../bench/machine.ts';

const DEVICE_BENCH_SCHEMA = 'gsv-edge-device-bench/1';
/** What one generated-token step is timed at. */
const BATCHES = [1, 4, 16, 64] as const;
const CACHE_LENGTHS = [150, 1000] as const;
/** The request of the end-to-end figures: 100 characters of Mandarin, split at punctuation as api_v2 does (cut5). */
const MANDARIN_100 =
  '今天天气很好，我们一起去公园散步。路边的树叶已经开始变黄，风吹过来的时候有一点凉。孩子们在草地上奔跑，老人们坐在长椅上聊天。我们走到湖边，看见几只白鹅在水面上慢慢地游来游去，远处的山也变得格外地清楚。';
/** Characters as a reader counts them (graphemes), for the labels. */
const MANDARIN_CHARACTERS = Array.from(new Intl.Segmenter('zh', { granularity: 'grapheme' }).segment(MANDARIN_100)).length;
const CONCURRENCY = [1, 16] as const;
/** A scenario that would start with less time left than this is skipped rather than started and killed. */
const MIN_SCENARIO_SECONDS = 20;
type Provider = 'cpu' | 'cuda' | 'webgpu';
const GPU_PROVIDERS: readonly Provider[] = ['cuda', 'webgpu'];
const ALL_PROVIDERS: readonly Provider[] = [...GPU_PROVIDERS, 'cpu'];

const { values } = parseArgs({
  options: {
    work: { type: 'string' },
    size: { type: 'string', default: 'auto' },
    providers: { type: 'string', default: 'auto' },
    'budget-seconds': { type: 'string', default: '420' },
    out: { type: 'string' },
  },
});
if (values.work === undefined) throw new Error('--work is required');
const work = values.work;
const budgetSeconds = Number(values['budget-seconds']);
if (!(budgetSeconds > 0)) throw new Error(`--budget-seconds must be positive, got ${values['budget-seconds']}`);
if (!['auto', 'tiny', 'full'].includes(values.size)) throw new Error(`--size must be auto, tiny or full, got ${values.size}`);
const asked: readonly Provider[] =
  values.providers === 'auto'
    ? ALL_PROVIDERS
    : values.providers.split(',').map((name) => {
        const provider = ALL_PROVIDERS.find((known) => known === name);
        if (provider === undefined) throw new Error(`--providers takes auto or a list of ${ALL_PROVIDERS.join(', ')}, got ${name}`);
        return provider;
      });

const startedAt = new Date();
const started = performance.now();
const elapsed = (): number => (performance.now() - started) / 1000;
const scenarios: (ScenarioRecord & { readonly provider: Provider | null; readonly gpu_memory_peak_mib: number | null })[] = [];
const gpu = await startGpuSampler();

await mkdir(work, { recursive: true });
log(`device bench in ${work}; budget ${String(budgetSeconds)} s of scenarios`);

// 1. Which providers work here.
const providers: Record<Provider, { available: boolean; reason: string | null }> = { cpu: { available: false, reason: null }, cuda: { available: false, reason: null }, webgpu: { available: false, reason: null } };
for (const provider of ALL_PROVIDERS) {
  const record = await scenario(null, { id: `probe.${provider}`, label: `can onnxruntime-node run a graph on ${provider}?`, script: 'scripts/device/probe-provider.ts', args: ['--provider', provider], timeoutSeconds: 90 });
  const available = record.metrics['available'] === 1;
  providers[provider] = { available, reason: available ? null : (record.notes[0] ?? record.error ?? 'the probe failed') };
  log(available ? `${provider}: available` : (providers[provider].reason ?? ''));
}
const running = asked.filter((provider) => providers[provider].available);
const gpuRuns = running.some((provider) => GPU_PROVIDERS.includes(provider));
const size: 'tiny' | 'full' = values.size === 'auto' ? (gpuRuns ? 'full' : 'tiny') : values.size === 'full' ? 'full' : 'tiny';
// GPU providers get the fp16 graphs, as the engine picks them there; the CPU the fp32 ones.
const precisions = [...(running.includes('cpu') || !gpuRuns ? ['fp32'] : []), ...(gpuRuns ? ['fp16'] : [])];

// 2. The synthetic model set and its bundle.
const modelsDir = join(work, `models-${size}`);
const bundleDir = join(work, 'bundles', `device-${size}`);
const models = await scenario(null, { id: 'prepare.models', label: `write the ${size} synthetic v2 set`, script: 'gpu-function/bench/bundle/write-models.ts', args: ['--dir', modelsDir, '--size', size], timeoutSeconds: 300 });
const bundle =
  models.status === 'ok'
    ? await scenario(null, { id: 'prepare.bundle', label: `compile it (${precisions.join(' + ')})`, script: 'gpu-function/bench/bundle/build.ts', args: ['--models', modelsDir, '--out', bundleDir, '--precisions', precisions.join(',')], timeoutSeconds: 300 })
    : undefined;
const ready = bundle?.status === 'ok';

// 3. The scenarios, provider by provider.
const runs: Record<string, unknown> = {};
for (const provider of ready ? running : []) runs[provider] = await runProvider(provider);

await gpu?.stop();
const report = {
  schema: DEVICE_BENCH_SCHEMA,
  started_at: startedAt.toISOString(),
  finished_at: new Date().toISOString(),
  wall_seconds: elapsed(),
  machine: { ...describeMachine(), onnxruntime_node: onnxruntimeVersion(), gpu: gpu?.info() ?? null },
  providers,
  model: {
    size,
    parameters: models.metrics['parameters'] ?? null,
    write_seconds: models.metrics['seconds'] ?? null,
    build_seconds: bundle?.metrics['seconds'] ?? null,
    precisions,
    status: ready ? 'ok' : `not built: ${(bundle ?? models).error ?? 'unknown'}`,
  },
  runs,
  scenarios,
  notes: [
    size === 'tiny' ? 'tiny synthetic model (about 1 M parameters): these figures show the script works, not what a real model costs' : 'full-size synthetic GPT-SoVITS v2 (random weights cost the same compute as trained ones)',
    "decode steps are the engine's loop (gpu-function/bench/engine/t2s-steps.ts) at a fixed KV-cache length; host_device_bytes_per_token counts the decode graph's inputs + outputs (what the CUDA provider copies each step)",
    'official_decoder is GPT-SoVITS onnx_export.py stage decoder rebuilt by the project (fp32, batch 1, its own loop feeding both whole caches back each step), on the same provider',
    `realtime_factor: ${String(MANDARIN_CHARACTERS)}-character Mandarin request (cut5), each segment stopped at 2 semantic tokens per phone (random weights never end a segment; real speech takes about 2), the engine's default 16 KV slots`,
  ],
};
const json = `${JSON.stringify(report, null, 2)}\n`;
if (values.out !== undefined) await writeFile(values.out, json);
process.stdout.write(json);

/** Every scenario on one provider, summarised into the figures the issue names. */
async function runProvider(provider: Provider): Promise<Record<string, unknown>> {
  const env = { ORT_EP: provider };
  const precision = provider === 'cpu' ? 'fp32' : 'fp16';
  const steps = await scenario(provider, {
    id: `${provider}.steps`,
    label: `decode step, batch ${BATCHES.join('/')}, cache ${CACHE_LENGTHS.join('/')}`,
    script: 'gpu-function/bench/engine/t2s-steps.ts',
    args: ['--bundle', bundleDir, '--batches', BATCHES.join(','), '--lengths', CACHE_LENGTHS.join(','), '--warmup', '2', '--steps', '6', '--rounds', '1'],
    timeoutSeconds: 240,
    env,
  });
  const official = await scenario(provider, {
    id: `${provider}.official`,
    label: "GPT-SoVITS's own stage decoder (rebuilt onnx_export.py graph), batch 1",
    script: 'gpu-function/bench/engine/official-steps.ts',
    args: ['--models', modelsDir, '--work', join(work, `official-${provider}`), '--lengths', CACHE_LENGTHS.join(','), '--warmup', '2', '--steps', '6', '--rounds', '1'],
    timeoutSeconds: 180,
    env,
  });
  const vocoder = await scenario(provider, {
    id: `${provider}.vocoder`,
    label: 'SoVITS decoder on 100-token (4 s) items, batch 1 and 8',
    script: 'gpu-function/bench/engine/vocoder-batch.ts',
    args: ['--bundle', bundleDir, '--batches', '1,8', '--tokens', '100', '--runs', '2'],
    timeoutSeconds: 180,
    env,
  });
  const firstAudio = await scenario(provider, {
    id: `${provider}.first-audio`,
    label: 'time to first audio, Mandarin, streamed in 16-token chunks (mode 3), 200 tokens',
    script: 'gpu-function/bench/engine/first-audio.ts',
    args: ['--bundle', bundleDir, '--data', join(work, `first-audio-${provider}`), '--mode', 'stream', '--tokens', '200'],
    timeoutSeconds: 180,
    env,
  });
  const realtime = new Map<number, ScenarioRecord>();
  for (const concurrency of CONCURRENCY) {
    realtime.set(
      concurrency,
      await scenario(provider, {
        id: `${provider}.rtf-c${String(concurrency)}`,
        label: `real-time factor, ${String(MANDARIN_CHARACTERS)}-character Mandarin request, ${String(concurrency)} concurrent`,
        script: 'gpu-function/bench/engine/realtime.ts',
        args: ['--bundle', bundleDir, '--data', join(work, `rtf-${provider}-${String(concurrency)}`), '--concurrency', String(concurrency), '--text', MANDARIN_100, '--lang', 'zh', '--split', 'cut5', '--tokens-per-phone', '2', '--tokens', '400', '--max-running', '16'],
        timeoutSeconds: 240,
        env,
      }),
    );
  }

  const byBatch = (metric: string): Record<string, Record<string, number | null>> =>
    Object.fromEntries(BATCHES.map((batch) => [`b${String(batch)}`, Object.fromEntries(CACHE_LENGTHS.map((length) => [`l${String(length)}`, steps.metrics[`b${String(batch)}_l${String(length)}_${metric}`] ?? null]))]));
  const officialMs = Object.fromEntries(CACHE_LENGTHS.map((length) => [`l${String(length)}`, official.metrics[`l${String(length)}_step_ms`] ?? null]));
  const speedup = Object.fromEntries(
    CACHE_LENGTHS.map((length) => {
      const ours = steps.metrics[`b1_l${String(length)}_step_ms`];
      const theirs = official.metrics[`l${String(length)}_step_ms`];
      return [`l${String(length)}`, typeof ours === 'number' && typeof theirs === 'number' && ours > 0 ? theirs / ours : null];
    }),
  );
  const audioPerItem = vocoder.metrics['audio_seconds_per_item'];
  const perAudioSecond = (batch: number): number | null => {
    const itemMs = vocoder.metrics[`b${String(batch)}_item_ms`];
    return typeof itemMs === 'number' && typeof audioPerItem === 'number' && audioPerItem > 0 ? itemMs / audioPerItem : null;
  };
  const rtf = (concurrency: number, metric: string): number | null => realtime.get(concurrency)?.metrics[metric] ?? null;
  const mine = scenarios.filter((record) => record.provider === provider);
  const peaks = mine.map((record) => record.gpu_memory_peak_mib).filter((value): value is number => value !== null);
  return {
    precision,
    decode_tokens_per_s: byBatch('tokens_per_s'),
    decode_step_ms: byBatch('step_ms'),
    host_device_bytes_per_token: byBatch('host_device_bytes_per_token'),
    crossed_bytes_per_step: byBatch('crossed_bytes_per_step'),
    official_decoder: { step_ms: officialMs, speedup_per_token_batch1: speedup, host_device_bytes_per_step: Object.fromEntries(CACHE_LENGTHS.map((length) => [`l${String(length)}`, official.metrics[`l${String(length)}_host_device_bytes_per_step`] ?? null])) },
    time_to_first_audio_ms: { stream_mode3: firstAudio.metrics['ttfa_ms'] ?? null, whole_segment_c1_mean: rtf(1, 'ttfa_ms_mean'), whole_segment_c16_mean: rtf(16, 'ttfa_ms_mean') },
    vocoder_ms_per_audio_second: { b1: perAudioSecond(1), b8: perAudioSecond(8) },
    realtime_factor_zh100: Object.fromEntries(CONCURRENCY.map((concurrency) => [`c${String(concurrency)}`, rtf(concurrency, 'realtime_factor')])),
    audio_seconds_zh100: Object.fromEntries(CONCURRENCY.map((concurrency) => [`c${String(concurrency)}`, rtf(concurrency, 'audio_seconds')])),
    gpu_memory_peak_mib: peaks.length === 0 ? null : Math.max(...peaks),
  };
}

/** Runs one scenario within the budget (skipped when too little is left) and records it. */
async function scenario(provider: Provider | null, spec: Omit<ScenarioSpec, 'suite'>): Promise<ScenarioRecord> {
  const left = budgetSeconds - elapsed();
  const full: ScenarioSpec = { ...spec, suite: 'device', timeoutSeconds: Math.max(1, Math.min(spec.timeoutSeconds, Math.floor(left))) };
  if (left < MIN_SCENARIO_SECONDS) {
    log(`⏭ ${spec.id} skipped: ${left.toFixed(0)} s of the budget left`);
    const skipped: ScenarioRecord = { id: spec.id, suite: 'device', label: spec.label, command: ['node', spec.script, ...spec.args], status: 'skipped', exit_code: null, signal: null, wall_seconds: null, peak_rss_bytes: null, error: `skipped: ${left.toFixed(0)} s of the ${String(budgetSeconds)} s budget left`, notes: [], metrics: {} };
    scenarios.push({ ...skipped, provider, gpu_memory_peak_mib: null });
    return skipped;
  }
  log(`▶ ${spec.id}: ${spec.label}${provider === null ? '' : ` [${provider}]`}`);
  const from = performance.now();
  const record = await runScenario(full, work);
  const peak = gpu?.peakSince(from) ?? null;
  scenarios.push({ ...record, provider, gpu_memory_peak_mib: peak });
  log(record.status === 'ok' ? `✔ ${spec.id} in ${(record.wall_seconds ?? 0).toFixed(1)} s` : `✘ ${spec.id}: ${(record.error ?? '').split('\n')[0] ?? ''}`);
  return record;
}

interface GpuSampler {
  info(): { name: string; driver: string; memory_total_mib: number | null; memory_used_idle_mib: number | null; memory_used_peak_mib: number | null } | null;
  /** Highest memory.used (MiB) sampled since `from` (performance.now()). */
  peakSince(from: number): number | null;
  stop(): Promise<void>;
}

/** Samples nvidia-smi every 250 ms while the bench runs; undefined where nvidia-smi is absent. */
async function startGpuSampler(): Promise<GpuSampler | undefined> {
  // The GPU the providers use: ORT_DEVICE_ID's, 0 by default.
  const device = process.env['ORT_DEVICE_ID'] ?? '0';
  const child = spawn('nvidia-smi', ['-i', device, '--query-gpu=name,driver_version,memory.total,memory.used', '--format=csv,noheader,nounits', '-lms', '250'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const samples: { at: number; used: number }[] = [];
  let header: { name: string; driver: string; total: number } | undefined;
  let partial = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      const [name, driver, total, used] = line.split(',').map((field) => field.trim());
      if (name === undefined || used === undefined || used === '' || !Number.isFinite(Number(used))) continue;
      header ??= { name, driver: driver ?? '', total: Number(total) };
      samples.push({ at: performance.now(), used: Number(used) });
    }
  });
  const exists = await new Promise<boolean>((resolve) => {
    child.once('spawn', () => {
      resolve(true);
    });
    child.once('error', () => {
      resolve(false);
    });
  });
  if (!exists) return undefined;
  const closed = new Promise<void>((resolve) => {
    child.once('close', () => {
      resolve();
    });
  });
  return {
    info: () =>
      header === undefined
        ? null
        : {
            name: header.name,
            driver: header.driver,
            memory_total_mib: Number.isFinite(header.total) ? header.total : null,
            memory_used_idle_mib: samples[0]?.used ?? null,
            memory_used_peak_mib: samples.length === 0 ? null : Math.max(...samples.map((sample) => sample.used)),
          },
    peakSince: (from) => {
      const seen = samples.filter((sample) => sample.at >= from).map((sample) => sample.used);
      return seen.length === 0 ? null : Math.max(...seen);
    },
    stop: async () => {
      child.kill('SIGTERM');
      await closed;
    },
  };
}

/** The installed onnxruntime-node's version, read from its package.json (importing it would load the native runtime). */
function onnxruntimeVersion(): string | null {
  try {
    const entry = createRequire(import.meta.url).resolve('onnxruntime-node');
    return (JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version?: string }).version ?? null;
  } catch {
    return null;
  }
}

function log(message: string): void {
  process.stderr.write(`[device-bench ${elapsed().toFixed(0).padStart(4)} s] ${message}\n`);
}
