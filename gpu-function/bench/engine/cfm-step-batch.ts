/**
 * Bench scenario (issue 12): one Euler step of a built v3/v4 bundle's `cfm-step` graph (the DiT) at each of
 * `--batches`, every row `--frames` long with a `--prompt`-frame prompt, as the engine batches the rows of different
 * requests into one call. Each batch size gets one untimed warm-up run, then `--runs` timed ones; the figure is their
 * median. Also the per-row cost at each batch against batch 1 (ms at B / B / ms at 1): below 1 means batching rows
 * is cheaper per row than running them one by one. Inputs are random (timing does not depend on the values), and
 * `text_embed` is random rather than `cfm-text`'s output, which costs nothing per step.
 *
 *   npx node gpu-function/bench/engine/cfm-step-batch.ts --bundle DIR [--batches 1,8] [--frames 900] [--prompt 500] [--runs 2]
 * @module
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { graphPath } from '../../src/models/bundle/layout.ts';
import { readBundleManifest, type BundlePrecision } from '../../src/models/bundle/manifest.ts';
import { DEFAULT_RUNTIME_CONFIG, ModelSession } from '../../src/runtime/index.ts';
import { Prng } from '../../src/synthetic/prng.ts';
import { tensor } from '../../src/tensor/tensor.ts';
import { emitResult, progress } from '../scenario-result.ts';
import { integerList, median, singleInteger } from './step-options.ts';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    batches: { type: 'string', default: '1,8' },
    frames: { type: 'string', default: '900' },
    prompt: { type: 'string', default: '500' },
    runs: { type: 'string', default: '2' },
    precision: { type: 'string', default: 'fp32' },
  },
});
if (values.bundle === undefined) throw new Error('--bundle is required');
const batches = integerList(values.batches, 'batches');
const frames = singleInteger(values.frames, 'frames');
const promptFrames = singleInteger(values.prompt, 'prompt', 0);
const runs = singleInteger(values.runs, 'runs');
if (promptFrames >= frames) throw new Error(`--prompt (${String(promptFrames)}) must leave frames to generate in --frames (${String(frames)})`);
const precision: BundlePrecision = values.precision === 'fp16' ? 'fp16' : 'fp32';

const manifest = await readBundleManifest(values.bundle);
if (manifest.cfm === null) throw new Error(`${values.bundle} is a ${manifest.gpt_sovits_version} bundle: it has no CFM (v3/v4 only)`);
if (!manifest.precisions.includes(precision)) throw new Error(`${values.bundle} has no ${precision} graphs (it has ${manifest.precisions.join(', ')})`);
const { melDim, textDim } = manifest.cfm.dims.dit;

let started = performance.now();
const step = await ModelSession.load(join(values.bundle, graphPath(precision, 'cfm-step')), DEFAULT_RUNTIME_CONFIG);
const loadSeconds = (performance.now() - started) / 1000;
progress(`${manifest.gpt_sovits_version} cfm-step (${precision}) loaded in ${loadSeconds.toFixed(1)} s; N = ${String(frames)} frames, prompt ${String(promptFrames)}`);

const prng = new Prng(5);
const random = (n: number, scale: number): Float32Array => {
  const out = new Float32Array(n);
  prng.fillNormal(out, 0, scale);
  return out;
};
const metrics: Record<string, number> = { frames, prompt_frames: promptFrames, runs, load_seconds: loadSeconds };
for (const batch of batches) {
  const rows = (value: number): Float32Array => new Float32Array(batch).fill(value);
  const feeds = {
    x: tensor('float32', [batch, melDim, frames], random(batch * melDim * frames, 1)),
    cond: tensor('float32', [batch, melDim, frames], random(batch * melDim * frames, 0.5)),
    text_embed: tensor('float32', [batch, frames, textDim], random(batch * frames * textDim, 1)),
    x_lens: tensor('int64', [batch], new BigInt64Array(batch).fill(BigInt(frames))),
    prompt_lens: tensor('int64', [batch], new BigInt64Array(batch).fill(BigInt(promptFrames))),
    // Mid-trajectory time of an 8-step schedule; the step's cost does not depend on it.
    t: tensor('float32', [batch], rows(0.25)),
    d: tensor('float32', [batch], rows(1 / 8)),
  };
  const timings: number[] = [];
  for (let run = 0; run <= runs; run += 1) {
    started = performance.now();
    const out = await step.run(feeds);
    const ms = performance.now() - started;
    const next = out['x_next'];
    if (next?.dtype !== 'float32' || !(next.data as Float32Array).every((v) => Number.isFinite(v))) throw new Error(`cfm-step at batch ${String(batch)} gave no finite x_next`);
    progress(`batch ${String(batch)}, ${run === 0 ? 'warm-up' : `run ${String(run)}`}: ${ms.toFixed(0)} ms`);
    if (run > 0) timings.push(ms);
  }
  metrics[`b${String(batch)}_step_ms`] = median(timings);
}
await step.release();

const single = metrics['b1_step_ms'];
for (const batch of batches) {
  const ms = metrics[`b${String(batch)}_step_ms`];
  if (batch > 1 && single !== undefined && ms !== undefined) metrics[`b${String(batch)}_per_row_ratio`] = ms / batch / single;
}
emitResult({
  metrics,
  notes: [`${manifest.gpt_sovits_version} ${precision} cfm-step at N = ${String(frames)} frames (prompt ${String(promptFrames)}), batches ${batches.join(', ')}; median of ${String(runs)} run(s) after a warm-up`],
});
