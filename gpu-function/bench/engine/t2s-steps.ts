/**
 * Bench scenario (issue 4b): time of one decode step at given KV-cache lengths and batch sizes, and the share of it
 * spent in JavaScript outside onnxruntime. Each (batch, length) runs the engine's loop (t2s-loop.ts) on sequences
 * whose caches are set to exactly `length` entries — pool lengths, sequence cache lengths, generated tokens and
 * positions all consistent — without running a prefill: the cache holds whatever the pool was allocated with,
 * which changes no timing. Each of `--rounds` rounds starts from `length`, runs `--warmup` untimed steps and times
 * `--steps`; the KV pool's capacity (a multiple of 128, as in the engine) stays fixed over a round, so no timed step
 * pays a resize. Figures are medians over every timed step (other work on a shared machine shows up as outliers).
 * Each point also reports the decode graph's input + output bytes per step and per token (`host_device_bytes`: what
 * the CUDA provider copies across PCIe for that step, counted by the runtime whatever the provider) and the bytes
 * that crossed under the provider in use, and the step's tokens/s (batch / step time). `ORT_EP` picks the provider.
 *
 *   npx node gpu-function/bench/engine/t2s-steps.ts --bundle DIR [--batches 1,16] [--lengths 150,500,1000]
 * @module
 */
import { parseArgs } from 'node:util';
import { DEFAULT_ENGINE_LIMITS } from '../../src/engine/index.ts';
import type { T2sSequence } from '../../src/engine/scheduler/index.ts';
import { emitResult, progress } from '../scenario-result.ts';
import { integerList, median, singleInteger } from './step-options.ts';
import { T2sLoop, type DecodeStepTiming } from './t2s-loop.ts';
import { openT2sGraphs } from './t2s-sessions.ts';
import { syntheticSequence } from './t2s-workload.ts';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    batches: { type: 'string', default: '1,16' },
    lengths: { type: 'string', default: '150,500,1000' },
    warmup: { type: 'string', default: '2' },
    steps: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '3' },
    phones: { type: 'string', default: '10' },
  },
});
if (values.bundle === undefined) throw new Error('--bundle is required');
const batches = integerList(values.batches, 'batches');
const lengths = integerList(values.lengths, 'lengths');
const warmup = singleInteger(values.warmup, 'warmup', 0);
const steps = singleInteger(values.steps, 'steps');
const phones = singleInteger(values.phones, 'phones');
const rounds = singleInteger(values.rounds, 'rounds');

const graphs = await openT2sGraphs(values.bundle, false);
const metrics: Record<string, number | null> = {};
for (const batch of batches) {
  for (const length of lengths) {
    const timed: DecodeStepTiming[] = [];
    let capacity = 0;
    // Rounds restart from `length`, so more steps can be timed than fit before the pool's next 128-column growth.
    for (let round = 0; round < rounds; round += 1) {
      const loop = await cachedBatch(batch, length);
      for (let step = 0; step < warmup + steps; step += 1) await loop.step();
      timed.push(...loop.decodeSteps.slice(warmup));
      capacity = loop.runner.pool.capacity;
      // On the resident route (webgpu) the round's pool stays on the device until disposed.
      loop.runner.dispose();
    }
    const key = `b${String(batch)}_l${String(length)}`;
    const wall = median(timed.map((step) => step.wallMs));
    const share = median(timed.map((step) => (step.wallMs - step.ortMs) / step.wallMs));
    metrics[`${key}_step_ms`] = wall;
    metrics[`${key}_step_mean_ms`] = timed.reduce((sum, step) => sum + step.wallMs, 0) / timed.length;
    metrics[`${key}_ort_ms`] = median(timed.map((step) => step.ortMs));
    metrics[`${key}_js_share`] = share;
    metrics[`${key}_mean_rows`] = timed.reduce((sum, step) => sum + step.rows, 0) / timed.length;
    metrics[`${key}_kv_capacity`] = capacity;
    // Bytes are the same every step of a round (fixed capacity); summed over the steps, divided by their tokens.
    const tokens = timed.reduce((sum, step) => sum + step.tokens, 0);
    const ioBytes = timed.reduce((sum, step) => sum + step.ioBytes, 0);
    metrics[`${key}_host_device_bytes_per_step`] = ioBytes / timed.length;
    metrics[`${key}_host_device_bytes_per_token`] = tokens > 0 ? ioBytes / tokens : null;
    metrics[`${key}_crossed_bytes_per_step`] = timed.reduce((sum, step) => sum + step.crossedBytes, 0) / timed.length;
    metrics[`${key}_tokens_per_s`] = (batch * 1000) / wall;
    metrics[`${key}_timed_steps`] = timed.length;
    progress(
      `batch ${String(batch)}, cache ${String(length)} (pool capacity ${String(capacity)}): median ${wall.toFixed(1)} ms/step over ${String(timed.length)} steps, ` +
        `${(share * 100).toFixed(1)} % outside onnxruntime, ${((ioBytes / timed.length) / 1e6).toFixed(1)} MB of decode inputs/outputs per step`,
    );
  }
}
await graphs.release();
emitResult({
  metrics,
  notes: [
    `${String(rounds)} round(s) of ${String(warmup)} warm-up + ${String(steps)} timed steps per point, medians; caches hold arbitrary values of real length`,
    `${graphs.decode.executionProvider} provider, ${graphs.precision} graphs; host_device_bytes = the decode graph's inputs + outputs (what the CUDA provider copies each step: the whole KV pool as past K/V)`,
  ],
});

/** Admits `batch` sequences whose caches hold `length` entries, standing in for their prefill. */
async function cachedBatch(batch: number, length: number): Promise<T2sLoop> {
  const loop = new T2sLoop(graphs, {
    maxRunning: Math.max(batch, DEFAULT_ENGINE_LIMITS.maxRunning),
    maxPrefillBatch: batch,
    maxPrefillTokens: Number.MAX_SAFE_INTEGER,
    maxCacheLength: DEFAULT_ENGINE_LIMITS.maxCacheLength,
  });
  for (let row = 0; row < batch; row += 1) loop.scheduler.add(cachedSequence(row, length, warmup + steps + 1));
  const admitted = loop.scheduler.schedule().prefill;
  if (admitted.length !== batch) throw new Error(`the scheduler admitted ${String(admitted.length)} of ${String(batch)} sequences`);
  loop.runner.pool.fit(length + warmup + steps + 1);
  for (const sequence of admitted) loop.runner.pool.lengths[sequence.slot] = sequence.cacheLength;
  // Let the previous round's pool be collected before timing starts.
  await new Promise<void>((resolve) => setImmediate(resolve));
  return loop;
}

/** A running sequence whose cache holds exactly `length` entries: phones + prompt tokens + fed tokens. */
function cachedSequence(row: number, length: number, stepsAhead: number): T2sSequence {
  const promptTokens = Math.max(1, Math.min(150, length - phones - 1));
  const fed = length - phones - promptTokens + 1; // tokens generated so far; all but the last are in the cache
  if (fed < 1) throw new Error(`--lengths: ${String(length)} is shorter than ${String(phones)} phones + 1 prompt token`);
  const sequence = syntheticSequence(row, { phones, promptTokens, tokens: fed + stepsAhead + 1 }, graphs.dims);
  for (let i = 0; i < fed; i += 1) sequence.generated.push((row * 7 + i * 13) % graphs.dims.eos);
  sequence.step = fed;
  sequence.cacheLength = length;
  return sequence;
}
