/**
 * Picks the next semantic token exactly as GPT-SoVITS's `sample()` does: repetition penalty over every previous
 * token (prompt included) → top-p → temperature → top-k (ties kept) → softmax → exponential race
 * (argmax of p / q, q ~ Exp(1)), which is an exact categorical draw. The exponential noise comes from Philox keyed
 * by the request's seed, so the draw depends only on (seed, segment, step, token id).
 * @module
 */
import { applyRepetitionPenalty, applyTemperature, applyTopK, applyTopP, argmax, softmax } from './logits-processors.ts';
import { philox4x32, uniformOpen } from './philox.ts';

export interface SamplingParams {
  readonly topK: number;
  readonly topP: number;
  readonly temperature: number;
  readonly repetitionPenalty: number;
}

/** Where a sequence's random stream is: one stream per (seed, segment), advanced by decode step. */
export interface NoiseKey {
  readonly seed: number;
  readonly segment: number;
  readonly step: number;
}

export interface SampleResult {
  readonly token: number;
  /** Argmax of the penalized logits: GPT-SoVITS also stops when this is EOS. */
  readonly argmaxToken: number;
  /** The distribution the token was drawn from (for tests and diagnostics). */
  readonly probs: Float32Array;
}

/** Exponential(1) noise for token `index` at `key`: a pure function of its arguments. */
export function exponentialNoise(key: NoiseKey, index: number): number {
  return -Math.log(uniformOpen(philox4x32([key.step >>> 0, index >>> 0, 0, 0], [key.seed >>> 0, key.segment >>> 0])));
}

/**
 * Samples from `logits` (one row, already cut to the allowed vocabulary: GPT-SoVITS drops the EOS column during
 * the first 11 steps). `logits` is modified in place by the repetition penalty, as in GPT-SoVITS.
 */
export function sampleToken(logits: Float32Array, previous: ArrayLike<number>, params: SamplingParams, noise: NoiseKey): SampleResult {
  applyRepetitionPenalty(logits, previous, params.repetitionPenalty);
  const argmaxToken = argmax(logits);
  const working = Float32Array.from(logits);
  applyTopP(working, params.topP);
  applyTemperature(working, params.temperature);
  applyTopK(working, params.topK);
  const probs = softmax(working);
  let token = argmaxToken;
  let best = -Infinity;
  for (let i = 0; i < probs.length; i += 1) {
    const p = probs[i] ?? 0;
    if (p <= 0) continue;
    const score = p / exponentialNoise(noise, i);
    if (score > best) {
      best = score;
      token = i;
    }
  }
  return { token, argmaxToken, probs };
}
