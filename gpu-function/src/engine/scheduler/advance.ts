/**
 * One sequence's share of a decode step on the host: GPT-SoVITS's EOS rules around the sampler.
 * - During the first 11 steps the EOS column is cut off before sampling, so EOS cannot be drawn.
 * - The sequence stops when the sampled token or the argmax of the penalized logits is EOS; that step's sample is
 *   dropped, as GPT-SoVITS drops it (`y[:, :-1]`).
 * - At its last step (GPT-SoVITS: 1499) it stops regardless, keeping that many tokens.
 * @module
 */
import { sampleToken } from '../sampling/sampler.ts';
import { T2S_RULES, type T2sSequence } from './sequence.ts';

export type Advance = { readonly finished: false; readonly token: number } | { readonly finished: true };

export function advanceSequence(sequence: T2sSequence, logits: Float32Array, eos: number): Advance {
  const step = sequence.step;
  const allowed = step < T2S_RULES.minStepsBeforeEos ? logits.slice(0, eos) : logits.slice();
  const previous = new Int32Array(sequence.input.promptTokens.length + sequence.generated.length);
  previous.set(sequence.input.promptTokens);
  previous.set(sequence.generated, sequence.input.promptTokens.length);
  const { token, argmaxToken } = sampleToken(allowed, previous, sequence.sampling, {
    seed: sequence.seed,
    segment: sequence.segmentIndex,
    step,
  });
  if (token === eos || argmaxToken === eos || step >= sequence.lastStep) return { finished: true };
  sequence.generated.push(token);
  sequence.step = step + 1;
  return { finished: false, token };
}
