import { describe, expect, it } from 'vitest';
import { readSovitsCfmCheckpoint } from '../../checkpoint/gpt-sovits-sovits-cfm.ts';
import { ConfigReader } from '../../checkpoint/plain.ts';
import { deriveSovitsCfmArchitecture } from '../../checkpoint/sovits-cfm-architecture.ts';
import { readV4Vocoder } from '../../checkpoint/vocoder-v4.ts';
import { hifiganDimsFromArchitecture } from '../vocoder/from-checkpoint.ts';
import { hifiganDimsFromWeights } from '../vocoder/dims-from-weights.ts';
import { denormSpec, normSpec, type DitDims } from './config.ts';
import { cfmDimsFromWeights, ditParameterCount } from './dims-from-weights.ts';
import { cfmDimsFromArchitecture } from './from-checkpoint.ts';
import { cfmFeatureFrames } from './io.ts';
import { hzToMel, melToHz, slaneyMelFilters } from './mel-filters.ts';
import { fixture, fixturePath, numbers } from './testing/fixtures.ts';

/** GPT-SoVITS's real DiT (`DiT(dim=1024, depth=22, heads=16, ff_mult=2, text_dim=512, conv_layers=4)`). */
const REAL_DIT: DitDims = {
  dim: 1024, depth: 22, heads: 16, dimHead: 64, ffDim: 2048, melDim: 100, textDim: 512,
  convLayers: 4, convInner: 1024, convKernel: 7, freqEmbedDim: 256, posConvKernel: 31, posConvGroups: 16,
};

describe('v3/v4 dims', () => {
  it.each(['v4', 'v3'] as const)('agree between the tensor shapes and the %s checkpoint reader\'s architecture', async (version) => {
    const checkpoint = await readSovitsCfmCheckpoint(fixturePath('ckpt', `s2G${version}_micro.pth`));
    try {
      expect(checkpoint.version).toBe(version);
      const architecture = deriveSovitsCfmArchitecture(checkpoint.weights, new ConfigReader(checkpoint.file, checkpoint.hparams, 'hparams'), version);
      expect(cfmDimsFromArchitecture(architecture)).toEqual(cfmDimsFromWeights(checkpoint.weights, version));
    } finally {
      await checkpoint.weights.close();
    }
  });

  it('agree for the v4 vocoder', async () => {
    const vocoder = await readV4Vocoder(fixturePath('ckpt', 'vocoder_v4_micro.pth'));
    try {
      expect(hifiganDimsFromArchitecture(vocoder.architecture)).toEqual(hifiganDimsFromWeights(vocoder.weights));
    } finally {
      await vocoder.weights.close();
    }
  });

  it("count GPT-SoVITS's real DiT at 337,106,020 parameters (manifest: micro.dit.real_num_params)", () => {
    const count = ditParameterCount(REAL_DIT);
    expect(count.total).toBe(337_106_020);
    expect(count.text + count.step).toBe(count.total);
  });

  it('give decode_encp\'s frame counts (fixture: 56 / 40 / 34 frames v4, 52 / 37 / 31 v3) and wns1\'s mask', () => {
    expect([cfmFeatureFrames('v4', 14, 1), cfmFeatureFrames('v4', 10, 1), cfmFeatureFrames('v4', 10, 1.25)]).toEqual([
      { frames: 56, masked: 56 },
      { frames: 40, masked: 40 },
      { frames: 34, masked: 33 },
    ]);
    expect([cfmFeatureFrames('v3', 14, 1), cfmFeatureFrames('v3', 10, 1), cfmFeatureFrames('v3', 10, 1.25)]).toEqual([
      { frames: 52, masked: 52 },
      { frames: 37, masked: 37 },
      { frames: 31, masked: 31 },
    ]);
  });

  it("reproduce TTS.py's norm_spec and denorm_spec exactly in float32", async () => {
    const mel = numbers(await fixture('v4', 'mel_ref.npy'));
    expect(mel.map(normSpec)).toEqual(numbers(await fixture('v4', 'mel_ref_norm.npy')));
    // The vocoder's input: denorm_spec of CFM.inference's output past the 50 prompt frames.
    const out = numbers(await fixture('v4', 'cfm', 'x_after_steps_1_2_8.npy')).slice(2 * 100 * 90);
    const generated = out.filter((_, i) => i % 90 >= 50);
    expect(generated.map(denormSpec)).toEqual(numbers(await fixture('v4', 'vocoder', 'mel_in.npy')));
  });

  it('build the Slaney mel filterbank (librosa.filters.mel) with its known values', () => {
    expect(hzToMel(1000)).toBeCloseTo(15, 12);
    expect(melToHz(hzToMel(5000))).toBeCloseTo(5000, 9);
    const filters = slaneyMelFilters({ sampleRate: 32000, nFft: 1280, mels: 100, fmin: 0 });
    expect(filters.length).toBe(100 * 641);
    // Every band is a triangle with area-normalised height 2 / (f[i+2] - f[i]); all bins are covered except DC and Nyquist.
    const bandSums = Array.from({ length: 100 }, (_, i) => filters.subarray(i * 641, (i + 1) * 641).reduce((a, b) => a + b, 0));
    expect(bandSums.every((s) => s > 0)).toBe(true);
    expect(filters[0]).toBe(0);
  });
});
