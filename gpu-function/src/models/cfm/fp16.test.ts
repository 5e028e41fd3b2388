/**
 * The fp16 variants of the v4 graphs (fp16 weights and compute, float32 where rounding matters: see each builder)
 * against GPT-SoVITS's fp32 outputs. Run here on onnxruntime's CPU provider, which casts around the fp16 kernels it
 * lacks; the bounds say how close fp16 stays, not bit-exactness.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LazyTensorStore } from '../../checkpoint/tensor-store.ts';
import { tensor, type HostTensor } from '../../tensor/tensor.ts';
import { maxAbsDiff, relativeError } from '../sovits/testing/compare.ts';
import { float32s, floats, int64s, sessionFor } from '../sovits/testing/sessions.ts';
import type { CfmDims } from './config.ts';
import { cfmDimsFromWeights } from './dims-from-weights.ts';
import { buildCfmEncpGraph, buildCfmRefEncoderGraph, buildCfmStepGraph, buildCfmTextGraph } from './graph/build-graphs.ts';
import { fixture, measured, numbers, openSovitsFixture } from './testing/fixtures.ts';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

describe('SoVITS v4 graphs in fp16 (micro model, CPU)', () => {
  let weights: LazyTensorStore;
  let dims: CfmDims;
  const options = (): { weights: LazyTensorStore; dims: CfmDims; precision: 'fp16' } => ({ weights, dims, precision: 'fp16' });

  beforeAll(async () => {
    weights = await openSovitsFixture('v4');
    dims = cfmDimsFromWeights(weights, 'v4');
  });
  afterAll(async () => {
    await weights.close();
  });

  it('computes ge and the prompt features close to GPT-SoVITS (relative error <= 1e-2)', async () => {
    const wav = await fixture('inputs', 'ref_wav_32k.npy');
    const refEncoder = await sessionFor(buildCfmRefEncoderGraph(options()));
    const ge = (await refEncoder.run({ ref_audio: wav, ref_lengths: int64s([wav.shape[1] ?? 0]) }))['ge'];
    expect(measured('fp16 ge (rel)', relativeError(floats(ge), numbers(await fixture('v4', 'ge.npy'))))).toBeLessThan(1e-2);
    const encp = await sessionFor(buildCfmEncpGraph(options()));
    const codes = numbers(await fixture('v4', 'prompt_codes.npy'));
    const phones = numbers(await fixture('inputs', 'prompt_phones.npy'));
    const out = await encp.run({
      codes: int64s(codes, [1, codes.length]),
      code_lengths: int64s([codes.length]),
      phones: int64s(phones, [1, phones.length]),
      phone_lengths: int64s([phones.length]),
      ge: await fixture('v4', 'ge.npy'),
      speed: tensor('float64', [1], Float64Array.of(1)),
    });
    expect(measured('fp16 fea_ref (rel)', relativeError(floats(out['fea']), numbers(await fixture('v4', 'fea_ref.npy'))))).toBeLessThan(1e-2);
  });

  it('runs the 8 Euler steps close to GPT-SoVITS (v_step1 and the final state within 1e-2 of their range)', async () => {
    const T = 90;
    const promptFrames = 50;
    const text = await sessionFor(buildCfmTextGraph(options()));
    const textEmbed = (await text.run({ mu: await fixture('v4', 'cfm', 'mu.npy'), lengths: int64s([T]) }))['text_embed']!;
    expect(measured('fp16 text_embed (rel)', relativeError(floats(textEmbed), numbers(await fixture('v4', 'cfm', 'dit_step1_text_embed.npy'))))).toBeLessThan(1e-2);
    const step = await sessionFor(buildCfmStepGraph({ ...options(), intermediates: true }));
    const prompt = numbers(await fixture('v4', 'cfm', 'prompt.npy'));
    const cond = Array.from({ length: 100 * T }, (_, i) => (i % T < promptFrames ? (prompt[Math.floor(i / T) * promptFrames + (i % T)] ?? 0) : 0));
    let x: HostTensor = await fixture('v4', 'cfm', 'noise.npy');
    for (let j = 0; j < 8; j += 1) {
      const out = await step.run({
        x,
        cond: float32s(cond, [1, 100, T]),
        text_embed: textEmbed,
        x_lens: int64s([T]),
        prompt_lens: int64s([promptFrames]),
        t: float32s([j / 8], [1]),
        d: float32s([1 / 8], [1]),
      });
      if (j === 0) expect(measured('fp16 v_step1 (rel)', relativeError(floats(out['v']), numbers(await fixture('v4', 'cfm', 'v_step1.npy'))))).toBeLessThan(1e-2);
      x = out['x_next']!;
    }
    const expected = numbers(await fixture('v4', 'cfm', 'x_after_steps_1_2_8.npy')).slice(2 * 100 * T);
    expect(measured('fp16 x after 8 steps (rel)', relativeError(floats(x), expected))).toBeLessThan(1e-2);
    expect(measured('fp16 x after 8 steps (abs)', maxAbsDiff(floats(x), expected))).toBeLessThan(5e-2);
  });
});
