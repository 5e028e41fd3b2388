/**
 * One T2S sequence: a text segment of a request being turned into semantic tokens. Plain data: the scheduler and
 * the decode loop mutate it; only the runner touches tensors.
 * @module
 */
import type { SamplingParams } from '../sampling/sampler.ts';

/** GPT-SoVITS's decode rules (AR/models/t2s_model.py). */
export const T2S_RULES = {
  /** EOS may not be sampled before this many steps (≈ 0.44 s of audio). */
  minStepsBeforeEos: 11,
  /** Step index at which decoding stops without EOS: at most 1499 tokens per segment. */
  lastStep: 1499,
} as const;

export type SequenceStatus = 'waiting' | 'running' | 'finished' | 'cancelled' | 'failed';

export interface SequenceInput {
  /** Prompt phones followed by the segment's phones, as ids in the bundle's symbol table. */
  readonly phoneIds: Int32Array;
  /** BERT features per phone, phone-major `[phones, 1024]`, prompt rows first. */
  readonly bert: Float32Array;
  /** Semantic tokens of the voice's reference (empty in reference-free mode). */
  readonly promptTokens: Int32Array;
}

export interface T2sSequence {
  readonly id: number;
  readonly requestId: string;
  /** Position of the segment in its request; also selects the segment's random stream. */
  readonly segmentIndex: number;
  readonly input: SequenceInput;
  readonly sampling: SamplingParams;
  readonly seed: number;
  /** Step at which decoding stops without EOS: GPT-SoVITS's 1499, or lower where the operator caps segment length. */
  readonly lastStep: number;
  /** Whether `lastStep` is the runaway guard's (from the segment's phone count), not the general cap. */
  readonly runawayGuard?: boolean;
  /** Arrival order of the request, for FIFO fairness. */
  readonly arrival: number;
  status: SequenceStatus;
  /** Tokens generated so far (EOS never included). */
  readonly generated: number[];
  /** Decode steps taken, counting the prefill as step 0. */
  step: number;
  /** KV pool slot while running. */
  slot: number;
  /** Tokens in this sequence's KV cache (prompt text + prompt audio + fed tokens). */
  cacheLength: number;
}

/** Room a sequence may need in the KV cache: its prompt plus the longest possible generation. */
export function worstCaseCacheLength(input: SequenceInput, lastStep: number = T2S_RULES.lastStep): number {
  return input.phoneIds.length + input.promptTokens.length + lastStep + 1;
}
