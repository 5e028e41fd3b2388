/**
 * Bench scenario (issue 13): the SoVITS decoder (`sovits-decoder`, what VocoderRunner calls) at each of `--batches`,
 * every item `--tokens` semantic tokens long with its own seed, through the runner itself (feeds, padding, noise,
 * splitting: what the engine pays per call). Each batch size gets one untimed warm-up call, then `--runs` timed ones;
 * the figure is their median, and the per-item cost at each batch against batch 1 (ms at B / B / ms at 1): below 1
 * means batching is cheaper per item than one item at a time. A batch size may be listed more than once
 * (`1,4,1,4`): the passes are interleaved so that a drifting machine hits each size alike, and the median is over
 * every timed run of that size. This is the measurement behind the vocoder's default
 * batch size per execution provider (vocoder/batch-plan.ts).
 *
 *   npx node gpu-function/bench/engine/vocoder-batch.ts --bundle DIR [--batches 1,2,4,8] [--tokens 100] [--runs 3]
 * @module
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { graphPath } from '../../src/models/bundle/layout.ts';
import { readBundleManifest } from '../../src/models/bundle/manifest.ts';
import { runtimeConfigFromEnv, ModelSession } from '../../src/runtime/index.ts';
import { Prng } from '../../src/synthetic/prng.ts';
import { VocoderRunner, type VocoderItem } from '../../src/engine/vocoder/index.ts';
import { emitResult, progress } from '../scenario-result.ts';
import { integerList, median, singleInteger } from './step-options.ts';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    batches: { type: 'string', default: '1,2,4,8' },
    tokens: { type: 'string', default: '100' },
    phones: { type: 'string', default: '40' },
    runs: { type: 'string', default: '3' },
  },
});
if (values.bundle === undefined) throw new Error('--bundle is required');
const batches = integerList(values.batches, 'batches');
const tokens = singleInteger(values.tokens, 'tokens');
const phones = singleInteger(values.phones, 'phones');
const runs = singleInteger(values.runs, 'runs');

const manifest = await readBundleManifest(values.bundle);
const sovits = manifest.sovits;
if (sovits === null) throw new Error(`${values.bundle} is a ${manifest.gpt_sovits_version} bundle: it has no SoVITS decoder`);
// The provider and threads come from ORT_EP / ORT_THREADS, as the GPU function's own; fp32 on CPU.
const runtime = runtimeConfigFromEnv(process.env);
const precision = runtime.executionProvider === 'cpu' || !manifest.precisions.includes('fp16') ? 'fp32' : 'fp16';
let started = performance.now();
const session = await ModelSession.load(join(values.bundle, graphPath(precision, 'sovits-decoder')), runtime);
const loadSeconds = (performance.now() - started) / 1000;
const { inter, gin, codebookSize, symbols } = sovits.dims;
progress(`${manifest.gpt_sovits_version} sovits-decoder (${precision}, ${runtime.executionProvider}) loaded in ${loadSeconds.toFixed(1)} s; ${String(tokens)} tokens per item`);

const prng = new Prng(13);
const integers = (n: number, limit: number): Int32Array => Int32Array.from({ length: n }, () => Math.floor(prng.uniform() * limit));
const geValues = new Float32Array(gin);
prng.fillNormal(geValues, 0, 1);
const item = (seed: number): VocoderItem => ({
  requestId: `bench-${String(seed)}`,
  segmentIndex: 0,
  tokens: integers(tokens, codebookSize),
  phoneIds: integers(phones, symbols),
  ge: geValues,
  speed: 1,
  seed,
  noiseScale: 0.5,
});

const metrics: Record<string, number> = { tokens, audio_seconds_per_item: (tokens * 1280) / 32000, runs, load_seconds: loadSeconds };
const timingsOf = new Map<number, number[]>();
for (const batch of batches) {
  // One call per batch: no length bucketing can split equal-length items.
  const runner = new VocoderRunner(session, { inter, gin, codebookSize, symbols }, { maxItems: batch, maxFrames: Number.MAX_SAFE_INTEGER, maxLengthRatio: 1 });
  const items = Array.from({ length: batch }, (_, i) => item(i + 1));
  const timings = timingsOf.get(batch) ?? [];
  timingsOf.set(batch, timings);
  for (let run = 0; run <= runs; run += 1) {
    started = performance.now();
    const results = await runner.decode(items);
    const ms = performance.now() - started;
    const failed = results.find((result) => result.status === 'rejected');
    if (failed?.status === 'rejected') throw failed.reason;
    progress(`batch ${String(batch)}, ${run === 0 ? 'warm-up' : `run ${String(run)}`}: ${ms.toFixed(0)} ms (${(ms / batch).toFixed(0)} ms per item)`);
    if (run > 0) timings.push(ms);
  }
  metrics[`b${String(batch)}_call_ms`] = median(timings);
  metrics[`b${String(batch)}_item_ms`] = median(timings) / batch;
}
await session.release();

const single = metrics['b1_item_ms'];
for (const batch of timingsOf.keys()) {
  const perItem = metrics[`b${String(batch)}_item_ms`];
  if (batch > 1 && single !== undefined && perItem !== undefined) metrics[`b${String(batch)}_per_item_ratio`] = perItem / single;
}
emitResult({
  metrics,
  notes: [`${manifest.gpt_sovits_version} ${precision} sovits-decoder on ${runtime.executionProvider}, ${String(tokens)}-token items, batches ${batches.join(', ')}; median of ${String(runs)} run(s) after a warm-up`],
});
