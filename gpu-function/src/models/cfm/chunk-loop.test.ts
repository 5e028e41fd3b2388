/**
 * A host-side loop over `cfm-text`, `cfm-step` and the vocoder that does what TTS.py's `using_vocoder_synthesis` does
 * with two chunks (fixture `two_chunk`: micro T_ref / T_chunk, 4 steps): chunk 0 is prompted by the reference mel's
 * last T_ref frames, chunk 1 by chunk 0's generated frames; the generated frames are denormalised, concatenated and
 * vocoded. The engine's chunk loop will do the same with batches; this shows the graphs compose to GPT-SoVITS's audio.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LazyTensorStore } from '../../checkpoint/tensor-store.ts';
import type { GraphBuilder } from '../../onnx/graph-builder.ts';
import type { ModelSession } from '../../runtime/session.ts';
import type { HostTensor } from '../../tensor/tensor.ts';
import { bigvganDimsFromWeights, type BigvganConfigJson } from '../vocoder/bigvgan-config.ts';
import { hifiganDimsFromWeights } from '../vocoder/dims-from-weights.ts';
import { buildBigvganVocoderGraph } from '../vocoder/graph/bigvgan.ts';
import { buildHifiganVocoderGraph } from '../vocoder/graph/hifigan.ts';
import { relativeError, snrDb } from '../sovits/testing/compare.ts';
import { float32s, floats, int64s, sessionFor } from '../sovits/testing/sessions.ts';
import { denormSpec, type CfmVersion } from './config.ts';
import { cfmDimsFromWeights } from './dims-from-weights.ts';
import { buildCfmStepGraph, buildCfmTextGraph } from './graph/build-graphs.ts';
import { fixture, measured, numbers, openBigvganFixture, openSovitsFixture, openVocoderFixture } from './testing/fixtures.ts';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const MEL = 100;
const STEPS = 4;

/** Columns `[start, end)` of a row-major `[C, width]` array. */
function columns(data: ArrayLike<number>, width: number, start: number, end: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < MEL; c += 1) for (let t = start; t < end; t += 1) out.push(data[c * width + t] ?? 0);
  return out;
}

describe.each<{ version: CfmVersion; melFrames: number; tRef: number; hop: number }>([
  { version: 'v4', melFrames: 50, tRef: 40, hop: 480 },
  { version: 'v3', melFrames: 46, tRef: 36, hop: 256 },
])('SoVITS $version two-chunk synthesis through the graphs', ({ version, melFrames, tRef, hop }) => {
  let weights: LazyTensorStore;
  let vocoderWeights: LazyTensorStore;
  let text: ModelSession;
  let step: ModelSession;
  let vocoder: ModelSession;

  beforeAll(async () => {
    weights = await openSovitsFixture(version);
    const dims = cfmDimsFromWeights(weights, version);
    text = await sessionFor(buildCfmTextGraph({ weights, dims, precision: 'fp32' }));
    step = await sessionFor(buildCfmStepGraph({ weights, dims, precision: 'fp32' }));
    let graph: GraphBuilder;
    if (version === 'v4') {
      vocoderWeights = await openVocoderFixture();
      graph = buildHifiganVocoderGraph({ weights: vocoderWeights, dims: hifiganDimsFromWeights(vocoderWeights), precision: 'fp32' });
    } else {
      const opened = await openBigvganFixture();
      vocoderWeights = opened.weights;
      graph = buildBigvganVocoderGraph({ weights: vocoderWeights, dims: bigvganDimsFromWeights(vocoderWeights, opened.config as BigvganConfigJson), precision: 'fp32' });
    }
    vocoder = await sessionFor(graph);
  });
  afterAll(async () => {
    await weights.close();
    await vocoderWeights.close();
  });

  /** CFM.inference for one chunk: `n` = prompt + new frames, 4 Euler steps from the recorded noise. */
  async function inference(mu: HostTensor, noise: HostTensor, prompt: readonly number[], promptFrames: number): Promise<Float32Array> {
    const n = mu.shape[1] ?? 0;
    const embedded = await text.run({ mu, lengths: int64s([n]) });
    const cond = new Float32Array(MEL * n);
    for (let c = 0; c < MEL; c += 1) for (let t = 0; t < promptFrames; t += 1) cond[c * n + t] = prompt[c * promptFrames + t] ?? 0;
    let x = noise;
    for (let j = 0; j < STEPS; j += 1) {
      const out = await step.run({
        x,
        cond: float32s(cond, [1, MEL, n]),
        text_embed: embedded['text_embed']!,
        x_lens: int64s([n]),
        prompt_lens: int64s([promptFrames]),
        t: float32s([j / STEPS], [1]),
        d: float32s([1 / STEPS], [1]),
      });
      x = out['x_next']!;
    }
    return floats(x);
  }

  it('reproduces both chunks (<= 1e-4 of range) and the audio (SNR >= 60 dB)', async () => {
    const mel = numbers(await fixture(version, 'mel_ref_norm.npy'));
    const prompt0 = columns(mel, melFrames, melFrames - tRef, melFrames);
    const mu0 = await fixture(version, 'two_chunk', 'chunk0_mu.npy');
    const out0 = await inference(mu0, await fixture(version, 'two_chunk', 'chunk0_noise.npy'), prompt0, tRef);
    const n0 = mu0.shape[1] ?? 0;
    expect(measured(`${version} two_chunk chunk 0 (rel)`, relativeError(out0, numbers(await fixture(version, 'two_chunk', 'chunk0_cfm_out.npy'))))).toBeLessThan(1e-4);
    const generated0 = columns(out0, n0, tRef, n0);
    const chunk0Frames = n0 - tRef;
    const mu1 = await fixture(version, 'two_chunk', 'chunk1_mu.npy');
    const out1 = await inference(mu1, await fixture(version, 'two_chunk', 'chunk1_noise.npy'), generated0, chunk0Frames);
    const n1 = mu1.shape[1] ?? 0;
    expect(measured(`${version} two_chunk chunk 1 (rel)`, relativeError(out1, numbers(await fixture(version, 'two_chunk', 'chunk1_cfm_out.npy'))))).toBeLessThan(1e-4);
    const generated1 = columns(out1, n1, chunk0Frames, n1);
    const frames = chunk0Frames + (n1 - chunk0Frames);
    const vocoderMel = new Float32Array(MEL * frames);
    for (let c = 0; c < MEL; c += 1) {
      for (let t = 0; t < chunk0Frames; t += 1) vocoderMel[c * frames + t] = denormSpec(generated0[c * chunk0Frames + t] ?? 0);
      for (let t = chunk0Frames; t < frames; t += 1) vocoderMel[c * frames + t] = denormSpec(generated1[c * (n1 - chunk0Frames) + t - chunk0Frames] ?? 0);
    }
    const audio = floats((await vocoder.run({ mel: float32s(vocoderMel, [1, MEL, frames]), mel_lengths: int64s([frames]) }))['audio']);
    const expected = numbers(await fixture(version, 'two_chunk', 'audio.npy'));
    expect(audio.length).toBe(frames * hop);
    expect(measured(`${version} two_chunk audio SNR dB`, snrDb(audio, expected))).toBeGreaterThan(60);
  });
});
