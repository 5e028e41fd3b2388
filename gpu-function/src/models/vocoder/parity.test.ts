/**
 * The v4 vocoder graph against GPT-SoVITS's `Generator` output for the fixture mel (`v4/vocoder`), alone and inside a
 * padded batch, in fp32 and fp16.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LazyTensorStore } from '../../checkpoint/tensor-store.ts';
import { seededNormal } from '../../tensor/random.ts';
import { fixture, measured, numbers, openVocoderFixture } from '../cfm/testing/fixtures.ts';
import { maxAbsDiff, snrDb } from '../sovits/testing/compare.ts';
import { float32s, floats, int64s, ints, sessionFor } from '../sovits/testing/sessions.ts';
import type { HifiganVocoderDims } from './config.ts';
import { hifiganDimsFromWeights } from './dims-from-weights.ts';
import { buildHifiganVocoderGraph } from './graph/hifigan.ts';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

describe('v4 vocoder (HiFi-GAN, 480x) against GPT-SoVITS', () => {
  let weights: LazyTensorStore;
  let dims: HifiganVocoderDims;
  let mel: number[];
  let expected: number[];
  const frames = 40;

  beforeAll(async () => {
    weights = await openVocoderFixture();
    dims = hifiganDimsFromWeights(weights);
    mel = numbers(await fixture('v4', 'vocoder', 'mel_in.npy'));
    expected = numbers(await fixture('v4', 'vocoder', 'audio.npy'));
  });
  afterAll(async () => {
    await weights.close();
  });

  it('reads the widths from the state dict', () => {
    expect(dims).toEqual({
      melChannels: 100,
      initialChannels: 32,
      upsampleRates: [10, 6, 2, 2, 2],
      upsampleKernels: [20, 12, 4, 4, 4],
      resblockKernels: [3, 7, 11],
      resblockDilations: [[1, 3, 5], [1, 3, 5], [1, 3, 5]],
    });
  });

  it('gives the fixture audio in a padded batch (SNR >= 60 dB, abs <= 1e-4), the shorter row as alone', async () => {
    const session = await sessionFor(buildHifiganVocoderGraph({ weights, dims, precision: 'fp32' }));
    // Row 1: the first 25 frames of a different mel, padded with noise that must not leak into it.
    const normal = seededNormal(5);
    const other = mel.map((v) => v + 0.3 * normal());
    const short = 25;
    const batchMel = new Float32Array(2 * 100 * frames);
    batchMel.set(mel, 0);
    for (let c = 0; c < 100; c += 1) for (let t = 0; t < frames; t += 1) batchMel[100 * frames + c * frames + t] = t < short ? (other[c * frames + t] ?? 0) : 50 * normal();
    const out = await session.run({ mel: float32s(batchMel, [2, 100, frames]), mel_lengths: int64s([frames, short]) });
    const audio = floats(out['audio']);
    expect(ints(out['audio_lengths'])).toEqual([frames * 480, short * 480]);
    expect(measured('vocoder fp32 SNR dB', snrDb(audio.subarray(0, frames * 480), expected))).toBeGreaterThan(60);
    expect(measured('vocoder fp32 max abs', maxAbsDiff(audio.subarray(0, frames * 480), expected))).toBeLessThan(1e-4);
    const shortMel = Array.from({ length: 100 * short }, (_, i) => other[Math.floor(i / short) * frames + (i % short)] ?? 0);
    const alone = floats((await session.run({ mel: float32s(shortMel, [1, 100, short]), mel_lengths: int64s([short]) }))['audio']);
    expect(measured('vocoder padded row vs alone', maxAbsDiff(audio.subarray(frames * 480, frames * 480 + short * 480), alone))).toBeLessThan(1e-5);
    expect(audio.subarray(frames * 480 + short * 480).every((v) => v === 0)).toBe(true);
  });

  it('stays close in fp16 (SNR >= 30 dB)', async () => {
    const session = await sessionFor(buildHifiganVocoderGraph({ weights, dims, precision: 'fp16' }));
    const audio = floats((await session.run({ mel: float32s(mel, [1, 100, frames]), mel_lengths: int64s([frames]) }))['audio']);
    expect(measured('vocoder fp16 SNR dB', snrDb(audio, expected))).toBeGreaterThan(30);
  });
});
