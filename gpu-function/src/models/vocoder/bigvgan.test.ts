/**
 * The v3 vocoder graph (BigVGAN v2, 256x) against GPT-SoVITS's BigVGAN output for the fixture mel (`v3/vocoder`),
 * alone and inside a padded batch, in fp32 and fp16.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LazyTensorStore } from '../../checkpoint/tensor-store.ts';
import { seededNormal } from '../../tensor/random.ts';
import { fixture, measured, numbers, openBigvganFixture } from '../cfm/testing/fixtures.ts';
import { maxAbsDiff, snrDb } from '../sovits/testing/compare.ts';
import { float32s, floats, int64s, ints, sessionFor } from '../sovits/testing/sessions.ts';
import { bigvganDimsFromWeights, type BigvganConfigJson, type BigvganDims } from './bigvgan-config.ts';
import { buildBigvganVocoderGraph } from './graph/bigvgan.ts';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

describe('v3 vocoder (BigVGAN v2, 256x) against GPT-SoVITS', () => {
  let weights: LazyTensorStore;
  let dims: BigvganDims;
  let mel: number[];
  let expected: number[];
  const frames = 37;
  const hop = 256;

  beforeAll(async () => {
    const opened = await openBigvganFixture();
    weights = opened.weights;
    dims = bigvganDimsFromWeights(weights, opened.config as BigvganConfigJson);
    mel = numbers(await fixture('v3', 'vocoder', 'mel_in.npy'));
    expected = numbers(await fixture('v3', 'vocoder', 'audio.npy'));
  });
  afterAll(async () => {
    await weights.close();
  });

  it('reads the widths from the state dict and config.json', () => {
    expect(dims).toEqual({
      melChannels: 100,
      initialChannels: 64,
      upsampleRates: [4, 4, 2, 2, 2, 2],
      upsampleKernels: [8, 8, 4, 4, 4, 4],
      resblockKernels: [3, 7],
      resblockDilations: [[1, 3, 5], [1, 3, 5]],
      activation: 'snakebeta',
      snakeLogscale: true,
      filterTaps: 12,
      tanhAtFinal: false,
      biasAtFinal: false,
      sampleRate: 24000,
    });
  });

  it('gives the fixture audio in a padded batch (SNR >= 60 dB, abs <= 2e-4), the shorter row as alone', async () => {
    const session = await sessionFor(buildBigvganVocoderGraph({ weights, dims, precision: 'fp32' }));
    const normal = seededNormal(8);
    const other = mel.map((v) => v + 0.3 * normal());
    const short = 23;
    const batchMel = new Float32Array(2 * 100 * frames);
    batchMel.set(mel, 0);
    for (let c = 0; c < 100; c += 1) for (let t = 0; t < frames; t += 1) batchMel[100 * frames + c * frames + t] = t < short ? (other[c * frames + t] ?? 0) : 40 * normal();
    const out = await session.run({ mel: float32s(batchMel, [2, 100, frames]), mel_lengths: int64s([frames, short]) });
    const audio = floats(out['audio']);
    expect(ints(out['audio_lengths'])).toEqual([frames * hop, short * hop]);
    expect(measured('bigvgan fp32 SNR dB', snrDb(audio.subarray(0, frames * hop), expected))).toBeGreaterThan(60);
    expect(measured('bigvgan fp32 max abs', maxAbsDiff(audio.subarray(0, frames * hop), expected))).toBeLessThan(2e-4);
    const shortMel = Array.from({ length: 100 * short }, (_, i) => other[Math.floor(i / short) * frames + (i % short)] ?? 0);
    const alone = floats((await session.run({ mel: float32s(shortMel, [1, 100, short]), mel_lengths: int64s([short]) }))['audio']);
    // Float rounding only: the difference does not change with the padding's content, is spread evenly over the row,
    // and is 0 when the batch is at most 30 frames wide (onnxruntime's kernels block wider tensors differently).
    expect(measured('bigvgan padded row vs alone', maxAbsDiff(audio.subarray(frames * hop, (frames + short) * hop), alone))).toBeLessThan(5e-5);
    expect(audio.subarray((frames + short) * hop).every((v) => v === 0)).toBe(true);
  });

  it('stays close in fp16 (SNR >= 30 dB)', async () => {
    const session = await sessionFor(buildBigvganVocoderGraph({ weights, dims, precision: 'fp16' }));
    const audio = floats((await session.run({ mel: float32s(mel, [1, 100, frames]), mel_lengths: int64s([frames]) }))['audio']);
    expect(measured('bigvgan fp16 SNR dB', snrDb(audio, expected))).toBeGreaterThan(30);
  });
});
