/**
 * Bench scenario (issue 4a, 4d): aggregate T2S tokens/s through the engine's scheduler, runner and sampler. Requests
 * are submitted in waves of `--concurrency` (all at once, then the next wave when the previous finished), so
 * `--requests 16 --concurrency 16` runs 16 concurrent requests and `--requests 16 --concurrency 1` runs the same 16
 * one after another. Limits are the engine's defaults (16 KV slots, prefill passes of 8).
 *
 *   npx node gpu-function/bench/engine/t2s-throughput.ts --bundle DIR --requests 16 --concurrency 16 [--whole-bundle]
 *
 * `--whole-bundle` loads every graph of the bundle as the engine's worker does, so the process's peak RSS is that of
 * a worker serving these requests (minus vocoder activations).
 * @module
 */
import { parseArgs } from 'node:util';
import { DEFAULT_ENGINE_LIMITS } from '../../src/engine/index.ts';
import { emitResult, progress } from '../scenario-result.ts';
import { T2sLoop } from './t2s-loop.ts';
import { openT2sGraphs } from './t2s-sessions.ts';
import { syntheticSequence, type WorkloadShape } from './t2s-workload.ts';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    requests: { type: 'string', default: '16' },
    concurrency: { type: 'string', default: '16' },
    tokens: { type: 'string', default: '200' },
    phones: { type: 'string', default: '10' },
    'prompt-tokens': { type: 'string', default: '150' },
    'whole-bundle': { type: 'boolean', default: false },
  },
});
if (values.bundle === undefined) throw new Error('--bundle is required');
const requests = positive('requests');
const concurrency = positive('concurrency');
const shape: WorkloadShape = { phones: positive('phones'), promptTokens: positive('prompt-tokens'), tokens: positive('tokens') };

const loadStarted = performance.now();
const graphs = await openT2sGraphs(values.bundle, values['whole-bundle']);
const loadSeconds = (performance.now() - loadStarted) / 1000;
const limits = {
  maxRunning: DEFAULT_ENGINE_LIMITS.maxRunning,
  maxPrefillBatch: DEFAULT_ENGINE_LIMITS.maxPrefillBatch,
  maxPrefillTokens: DEFAULT_ENGINE_LIMITS.maxPrefillTokens,
  maxCacheLength: DEFAULT_ENGINE_LIMITS.maxCacheLength,
};
progress(`loaded ${values['whole-bundle'] ? 'the whole bundle' : 'the T2S graphs'} (${graphs.precision}) in ${loadSeconds.toFixed(1)} s`);

// Warm-up outside the figures: the first runs of a session allocate its arena and pick kernels.
const warm = new T2sLoop(graphs, limits);
warm.scheduler.add(syntheticSequence(-1, { ...shape, tokens: 4 }, graphs.dims));
await warm.runUntilIdle();
// On the resident route (webgpu) a runner holds a pool on the device until disposed.
warm.runner.dispose();

const loop = new T2sLoop(graphs, limits);
const sequences = Array.from({ length: requests }, (_, index) => syntheticSequence(index, shape, graphs.dims));
const started = performance.now();
for (let first = 0; first < requests; first += concurrency) {
  for (const sequence of sequences.slice(first, first + concurrency)) loop.scheduler.add(sequence);
  await loop.runUntilIdle();
}
const wallMs = performance.now() - started;
loop.runner.dispose();

const generated = sequences.reduce((sum, sequence) => sum + sequence.generated.length, 0);
const decodeMs = loop.decodeSteps.reduce((sum, step) => sum + step.wallMs, 0);
const decodeOrtMs = loop.decodeSteps.reduce((sum, step) => sum + step.ortMs, 0);
const decodeTokens = loop.decodeSteps.reduce((sum, step) => sum + step.tokens, 0);
const decodeRows = loop.decodeSteps.reduce((sum, step) => sum + step.rows, 0);
const prefillMs = loop.prefills.reduce((sum, pass) => sum + pass.wallMs, 0);
const stoppedEarly = sequences.filter((sequence) => sequence.generated.length < shape.tokens).length;
progress(
  `${String(requests)} request(s), ${String(concurrency)} at a time: ${String(generated)} tokens in ${(wallMs / 1000).toFixed(1)} s ` +
    `(decode ${(decodeMs / 1000).toFixed(1)} s over ${String(loop.decodeSteps.length)} steps, prefill ${(prefillMs / 1000).toFixed(1)} s)`,
);
await graphs.release();
emitResult({
  metrics: {
    requests,
    concurrency,
    tokens_per_request: shape.tokens,
    tokens_generated: generated,
    decode_tokens: decodeTokens,
    decode_steps: loop.decodeSteps.length,
    mean_decode_batch: decodeRows / Math.max(1, loop.decodeSteps.length),
    decode_seconds: decodeMs / 1000,
    prefill_seconds: prefillMs / 1000,
    wall_seconds: wallMs / 1000,
    decode_tokens_per_s: decodeTokens / (decodeMs / 1000),
    t2s_tokens_per_s: generated / (wallMs / 1000),
    decode_js_share: (decodeMs - decodeOrtMs) / decodeMs,
    stopped_early: stoppedEarly,
    load_seconds: loadSeconds,
  },
  notes: [
    `each request: ${String(shape.phones)} phones + ${String(shape.promptTokens)} prompt tokens, capped at ${String(shape.tokens)} generated tokens` +
      (stoppedEarly > 0 ? `; ${String(stoppedEarly)} stopped early at EOS` : ''),
  ],
});

function positive(name: 'requests' | 'concurrency' | 'tokens' | 'phones' | 'prompt-tokens'): number {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer, got ${values[name]}`);
  return value;
}
