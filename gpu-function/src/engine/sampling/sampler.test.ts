import { describe, expect, it } from 'vitest';
import { readNpy } from '../../tensor/npy.ts';
import { parityAvailable, parityPath, paritySkipReason } from '../../tensor/parity.ts';
import { applyTopK } from './logits-processors.ts';
import { exponentialNoise, sampleToken, type SamplingParams } from './sampler.ts';

const CASES: readonly [string, SamplingParams][] = [
  ['c01_tts_defaults', { topK: 15, topP: 1, temperature: 1, repetitionPenalty: 1.35 }],
  ['c02_topk5_topp08_t07', { topK: 5, topP: 0.8, temperature: 0.7, repetitionPenalty: 1.35 }],
  ['c03_topk50_topp095_t13_norp', { topK: 50, topP: 0.95, temperature: 1.3, repetitionPenalty: 1 }],
  ['c04_eos_dropped_1024', { topK: 15, topP: 0.9, temperature: 1, repetitionPenalty: 1.35 }],
  ['c05_batch2', { topK: 10, topP: 0.7, temperature: 0.9, repetitionPenalty: 1.2 }],
  ['c06_topk1', { topK: 1, topP: 1, temperature: 1, repetitionPenalty: 1.35 }],
  ['c07_topk_gt_vocab_temp0', { topK: 2000, topP: 1, temperature: 0, repetitionPenalty: 1.35 }],
  ['c08_topp_tiny', { topK: 15, topP: 0.05, temperature: 1, repetitionPenalty: 1.35 }],
  ['c09_ties_at_topk', { topK: 15, topP: 1, temperature: 1, repetitionPenalty: 1.35 }],
  ['c10_flat_logits_high_temp', { topK: 100, topP: 0.99, temperature: 2, repetitionPenalty: 1.5 }],
];

const noise = { seed: 1234, segment: 0, step: 0 };

describe('GPT-SoVITS sampler', () => {
  describe.skipIf(!parityAvailable)('against the genuine sample() fixtures', () => {
    it.each(CASES)('%s: penalized logits and probabilities match', async (name, params) => {
      const logits = await readNpy(parityPath('sampler', `${name}_logits.npy`));
      const previous = await readNpy(parityPath('sampler', `${name}_prev.npy`));
      const penalised = await readNpy(parityPath('sampler', `${name}_penalised.npy`));
      const probs = await readNpy(parityPath('sampler', `${name}_probs.npy`));
      const [rows = 1, vocab = 0] = logits.shape;
      const prevLength = previous.data.length / rows;
      for (let row = 0; row < rows; row += 1) {
        const rowLogits = Float32Array.from((logits.data as Float32Array).subarray(row * vocab, (row + 1) * vocab));
        const rowPrevious = Array.from((previous.data as BigInt64Array).subarray(row * prevLength, (row + 1) * prevLength), Number);
        const result = sampleToken(rowLogits, rowPrevious, params, noise);
        const expectedPenalised = (penalised.data as Float32Array).subarray(row * vocab, (row + 1) * vocab);
        const expectedProbs = (probs.data as Float32Array).subarray(row * vocab, (row + 1) * vocab);
        let penaltyError = 0;
        let probError = 0;
        for (let i = 0; i < vocab; i += 1) {
          penaltyError = Math.max(penaltyError, Math.abs((rowLogits[i] ?? 0) - (expectedPenalised[i] ?? 0)));
          probError = Math.max(probError, Math.abs((result.probs[i] ?? 0) - (expectedProbs[i] ?? 0)));
          // Top-k / top-p membership must match exactly.
          expect(result.probs[i]! > 0, `${name} row ${String(row)} token ${String(i)} kept`).toBe(expectedProbs[i]! > 0);
        }
        expect(penaltyError).toBeLessThan(1e-6);
        expect(probError).toBeLessThan(1e-6);
        expect(result.probs[result.token]).toBeGreaterThan(0);
      }
    });
  });
  if (!parityAvailable) it.skip(paritySkipReason, () => undefined);

  it('keeps every logit tied with the k-th largest', () => {
    const logits = Float32Array.of(5, 4, 3, 3, 3, 1);
    const { probs } = sampleToken(logits, [], { topK: 3, topP: 1, temperature: 1, repetitionPenalty: 1 }, noise);
    expect(Array.from(probs, (p) => p > 0)).toEqual([true, true, true, true, true, false]);
  });

  it('top-k keeps exactly what sorting the row would keep, ties and -Infinity included', () => {
    let state = 7;
    const next = (): number => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let trial = 0; trial < 200; trial += 1) {
      const length = 1 + Math.floor(next() * 1200);
      // Few distinct values, so ties at the pivot are common; some rows start with -Infinity (EOS dropped, top-p).
      const row = Float32Array.from({ length }, () => (next() < 0.1 ? -Infinity : Math.round(next() * 40) / 4));
      const k = 1 + Math.floor(next() * 60);
      const pivot = Float32Array.from(row).sort().reverse()[Math.min(k, length) - 1] ?? -Infinity;
      const expected = Array.from(row, (value) => (k >= length || value >= pivot ? value : -Infinity));
      const actual = Float32Array.from(row);
      applyTopK(actual, k);
      expect(Array.from(actual), `trial ${String(trial)}, k ${String(k)}`).toEqual(expected);
    }
  });

  it('penalizes a repeated token once and respects sign', () => {
    const logits = Float32Array.of(2, -2, 1);
    sampleToken(logits, [0, 0, 1, 1], { topK: 3, topP: 1, temperature: 1, repetitionPenalty: 2 }, noise);
    expect(Array.from(logits)).toEqual([1, -4, 1]);
  });

  it('draws from the distribution: frequencies follow the probabilities', () => {
    const counts = [0, 0, 0];
    const base = Float32Array.of(Math.log(0.5), Math.log(0.3), Math.log(0.2));
    for (let step = 0; step < 6000; step += 1) {
      const { token } = sampleToken(Float32Array.from(base), [], { topK: 3, topP: 1, temperature: 1, repetitionPenalty: 1 }, { seed: 9, segment: 0, step });
      counts[token] = (counts[token] ?? 0) + 1;
    }
    expect(counts[0]! / 6000).toBeCloseTo(0.5, 1);
    expect(counts[1]! / 6000).toBeCloseTo(0.3, 1);
    expect(counts[2]! / 6000).toBeCloseTo(0.2, 1);
  });

  it('is a pure function of (seed, segment, step, token): the same seed gives the same token', () => {
    const logits = Float32Array.from({ length: 1025 }, (_, i) => Math.sin(i) * 3);
    const params = { topK: 15, topP: 1, temperature: 1, repetitionPenalty: 1.35 };
    const first = sampleToken(Float32Array.from(logits), [1, 2, 3], params, { seed: 77, segment: 2, step: 5 });
    const again = sampleToken(Float32Array.from(logits), [1, 2, 3], params, { seed: 77, segment: 2, step: 5 });
    expect(again.token).toBe(first.token);
    expect(exponentialNoise({ seed: 77, segment: 2, step: 5 }, 10)).toBe(exponentialNoise({ seed: 77, segment: 2, step: 5 }, 10));
    expect(exponentialNoise({ seed: 78, segment: 2, step: 5 }, 10)).not.toBe(exponentialNoise({ seed: 77, segment: 2, step: 5 }, 10));
  });
});
