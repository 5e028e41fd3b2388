/**
 * Synthetic T2S requests for the benchmarks: what a request looks like to the scheduler once the text frontend and
 * the voice have done their part (phone ids with BERT rows, the voice's prompt tokens), filled from a seeded PRNG.
 * Random weights rarely emit EOS, so `lastStep` caps every sequence at a fixed number of generated tokens.
 * @module
 */
import { SAMPLING_DEFAULTS } from '@gsv-edge/shared';
import type { T2sDims } from '../../src/models/t2s/config.ts';
import type { T2sSequence } from '../../src/engine/scheduler/index.ts';
import { Prng } from '../../src/synthetic/index.ts';

export interface WorkloadShape {
  /** Phones of text (prompt text + target text) fed to the prefill. */
  readonly phones: number;
  /** Semantic tokens of the voice's reference audio. */
  readonly promptTokens: number;
  /** Tokens to generate before the sequence is stopped (GPT-SoVITS stops at 1499). */
  readonly tokens: number;
}

/** GPT-SoVITS's default sampling (top_k 15, top_p 1, temperature 1, repetition penalty 1.35). */
export const DEFAULT_SAMPLING = {
  topK: SAMPLING_DEFAULTS.top_k,
  topP: SAMPLING_DEFAULTS.top_p,
  temperature: SAMPLING_DEFAULTS.temperature,
  repetitionPenalty: SAMPLING_DEFAULTS.repetition_penalty,
} as const;

/** Request `index` of a workload: one segment, its own seed, arriving in index order. */
export function syntheticSequence(index: number, shape: WorkloadShape, dims: T2sDims): T2sSequence {
  const prng = new Prng(1000 + index);
  const phoneIds = Int32Array.from({ length: shape.phones }, () => 1 + Math.floor(prng.uniform() * (dims.phonemeVocab - 1)));
  const bert = Float32Array.from({ length: shape.phones * dims.bertDim }, () => prng.uniform() - 0.5); // [phones, bertDim]
  const promptTokens = Int32Array.from({ length: shape.promptTokens }, () => Math.floor(prng.uniform() * dims.eos));
  return {
    id: index,
    requestId: `bench-${String(index)}`,
    segmentIndex: 0,
    arrival: index,
    input: { phoneIds, bert, promptTokens },
    sampling: DEFAULT_SAMPLING,
    seed: index + 1,
    lastStep: shape.tokens,
    status: 'waiting',
    generated: [],
    step: 0,
    slot: -1,
    cacheLength: 0,
  };
}
