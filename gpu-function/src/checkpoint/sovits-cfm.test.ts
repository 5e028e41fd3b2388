/**
 * SoVITS v3/v4 files as GPT-SoVITS writes them (fixtures from its own save code: full models, LoRA files): version
 * detection, weight norm, LoRA merged into the base exactly as peft's merge_and_unload, and the errors a user meets.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { numel, readNpy, toFloat32 } from '../tensor/index.ts';
import { sovitsCfmArchitectureOf, sovitsCfmSpecs, v4VocoderSpecs, writeSyntheticSovitsCfm, writeSyntheticV4Vocoder } from '../synthetic/index.ts';
import { decideCfmVersion, readSovitsCfmCheckpoint } from './gpt-sovits-sovits-cfm.ts';
import { readV4Vocoder } from './vocoder-v4.ts';
import { readSovitsCheckpoint } from './index.ts';
import { ConfigReader } from './plain.ts';
import { HAVE_PARITY, PARITY_DIR, rejection, withTempDir } from './test-support.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'v3v4');
const ckpt = (name: string): string => join(FIXTURES, 'ckpt', name);

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) max = Math.max(max, Math.abs((a[i] ?? Number.NaN) - (b[i] ?? Number.NaN)));
  return max;
}

describe('SoVITS v3/v4 checkpoints', () => {
  it.each([
    ['v4', 's2Gv4_micro.pth'],
    ['v3', 's2Gv3_micro.pth'],
  ] as const)('reads a full %s model: version from its config, weight norm folded, training buffers dropped', async (version, file) => {
    const model = await readSovitsCfmCheckpoint(ckpt(file));
    try {
      expect(model).toMatchObject({ version, versionSource: 'config', header: 'PK', lora: null, info: '4epoch_96iteration' });
      const names = model.weights.names();
      expect(names).toContain('wns1.enc.cond_layer.weight');
      expect(names.some((name) => /weight_[gv]$|embed_avg|cluster_size|inited/.test(name))).toBe(false);
      expect(names.filter((name) => name.startsWith('cfm.estimator.transformer_blocks.1.'))).toHaveLength(14);
      expect((await model.weights.read('wns1.enc.cond_layer.weight')).dtype).toBe('float32');
      const a = model.architecture;
      expect([a.sslDim, a.hiddenChannels, a.ginChannels, a.mrte.hiddenChannels, a.refEncoder.inputBins, a.bridgeChannels]).toEqual([16, 16, 48, 48, 704, 24]);
      expect(a.wns1).toEqual({ hiddenChannels: 24, kernelSize: 5, layers: 3, dilationRate: 1 });
      expect(a.dit).toEqual({
        dim: 32, depth: 2, heads: 2, headDim: 16, ffDim: 64, melDim: 100, textDim: 24, textBlocks: 2, textBlockDim: 48, timeFreqDim: 256, convPosKernel: 31, convPosGroups: 16,
      });
    } finally {
      await model.weights.close();
    }
  });

  it('merges a v4 LoRA into its base as peft does: W + B·A, and the LoRA file\'s own ref_enc/bridge/wns1 replace the base\'s', async () => {
    const merged = await readSovitsCfmCheckpoint(ckpt('s2Gv4_lora_micro.pth'), { base: ckpt('s2Gv4_micro.pth') });
    const base = await readSovitsCfmCheckpoint(ckpt('s2Gv4_micro.pth'));
    try {
      expect(merged).toMatchObject({ version: 'v4', versionSource: 'header', header: '04' });
      expect(merged.lora).toMatchObject({ rank: 16, alpha: 16, base: ckpt('s2Gv4_micro.pth'), baseSha256: base.sha256 });
      for (const [layer, file] of [['to_q', 'merged_block0_attn_to_q_weight.npy'], ['to_out.0', 'merged_block0_attn_to_out_0_weight.npy']] as const) {
        const expected = await readNpy(join(FIXTURES, 'v4', 'lora', file));
        const actual = await merged.weights.read(`cfm.estimator.transformer_blocks.0.attn.${layer}.weight`);
        expect(actual.shape).toEqual(expected.shape);
        expect(maxAbsDiff(toFloat32(actual).data, toFloat32(expected).data), layer).toBeLessThan(1e-6);
      }
      const fromLora = toFloat32(await merged.weights.read('ref_enc.fc.fc.weight')).data;
      expect(maxAbsDiff(fromLora, toFloat32(await base.weights.read('ref_enc.fc.fc.weight')).data)).toBeGreaterThan(1e-3);
      // Untouched by the LoRA: exactly the base's.
      expect(toFloat32(await merged.weights.read('enc_p.proj.weight')).data).toEqual(toFloat32(await base.weights.read('enc_p.proj.weight')).data);
      expect(merged.weights.names().some((name) => name.includes('lora_') || name.includes('base_model'))).toBe(false);
    } finally {
      await Promise.all([merged.weights.close(), base.weights.close()]);
    }
  });

  it('refuses a LoRA without its base, with the wrong version of base, or with a LoRA as the base', async () => {
    expect((await rejection(readSovitsCfmCheckpoint(ckpt('s2Gv4_lora_micro.pth')))).message).toContain(
      "is a SoVITS v4 LoRA: it needs its base model (GPT-SoVITS's GPT_SoVITS/pretrained_models/gsv-v4-pretrained/s2Gv4.pth)",
    );
    expect((await rejection(readSovitsCfmCheckpoint(ckpt('s2Gv4_lora_micro.pth'), { base: ckpt('s2Gv3_micro.pth') }))).message).toContain(
      'is a SoVITS v3 model by its config',
    );
    expect((await rejection(readSovitsCfmCheckpoint(ckpt('s2Gv3_lora_micro.pth'), { base: ckpt('s2Gv3_lora_micro.pth') }))).message).toContain(
      'is itself a LoRA file, not a base model',
    );
  });

  it('takes the version from the header, the pretrained hash, the config, then the caller, and refuses a contradiction', async () => {
    const config = (version: string | undefined): ConfigReader => new ConfigReader('m.pth', version === undefined ? { model: {} } : { model: { version } }, 'hparams');
    const evidence = { file: 'm.pth', header: 'PK', tagged: undefined, requested: undefined, headMd5: '0'.repeat(32) } as const;
    expect(decideCfmVersion({ ...evidence, config: config('v4') })).toEqual({ version: 'v4', versionSource: 'config' });
    expect(decideCfmVersion({ ...evidence, config: config('v2'), headMd5: '4f26b9476d0c5033e04162c486074374' })).toEqual({ version: 'v4', versionSource: 'pretrained-hash' });
    expect(decideCfmVersion({ ...evidence, header: '02', tagged: 'v3', config: config('v4') })).toEqual({ version: 'v3', versionSource: 'header' });
    expect(decideCfmVersion({ ...evidence, config: config(undefined), requested: 'v4' })).toEqual({ version: 'v4', versionSource: 'option' });
    expect(() => decideCfmVersion({ ...evidence, config: config(undefined) })).toThrow(/does not say which .* pass the version \(--version v3 or v4\)/);
    expect(() => decideCfmVersion({ ...evidence, config: config('v3'), requested: 'v4' })).toThrow(/is a SoVITS v3 model by its config \(version "v3"\), but version v4 was asked for/);
    // The fixtures' own head bytes are not GPT-SoVITS's pretrained files.
    const head = createHash('md5').update((await readFile(ckpt('s2Gv4_micro.pth'))).subarray(0, 8192)).digest('hex');
    expect(decideCfmVersion({ ...evidence, config: config('v4'), headMd5: head }).versionSource).toBe('config');
  });

  it('keeps refusing v3/v4 files in the VITS reader, and refuses VITS files here', async () => {
    expect((await rejection(readSovitsCheckpoint(ckpt('s2Gv4_micro.pth')))).message).toContain('v4');
    if (!HAVE_PARITY) return;
    const v2 = join(PARITY_DIR, 'ckpt', 'sovits_v2_micro.pth');
    expect((await rejection(readSovitsCfmCheckpoint(v2))).message).toContain('has no cfm.* (DiT) weights');
  });

  it.each(['v4', 'v3'] as const)('reads a synthetic tiny %s model written as s2_train_v3.py saves it, with the architecture the writer meant', async (version) => {
    await withTempDir(async (dir) => {
      const file = join(dir, `${version}.pth`);
      await writeSyntheticSovitsCfm(file, { version, size: 'tiny' }, { seed: 3 });
      const model = await readSovitsCfmCheckpoint(file);
      try {
        expect(model).toMatchObject({ version, versionSource: 'config', lora: null });
        expect(model.architecture).toEqual(sovitsCfmArchitectureOf({ version, size: 'tiny' }));
      } finally {
        await model.weights.close();
      }
    });
  });

  it("lays the full-size model out as GPT-SoVITS's: 685 tensors and 384,394,985 values, the vocoder at 480× with 512 channels", () => {
    const specs = sovitsCfmSpecs({ version: 'v4', size: 'full' });
    expect(specs).toHaveLength(685);
    expect(specs.reduce((sum, spec) => sum + numel(spec.shape), 0)).toBe(384_394_985);
    const vocoder = v4VocoderSpecs('full');
    expect(vocoder.find((spec) => spec.name === 'conv_pre.weight')?.shape).toEqual([512, 100, 7]);
    expect(vocoder.find((spec) => spec.name === 'conv_post.weight')?.shape).toEqual([1, 16, 7]);
  });

  it("reads the v4 vocoder (GPT-SoVITS's vocoder.pth layout, and a synthetic one) and refuses other files given as it", async () => {
    const micro = await readV4Vocoder(ckpt('vocoder_v4_micro.pth'));
    expect(micro.architecture).toEqual({
      melChannels: 100, initialChannels: 32, upsampleRates: [10, 6, 2, 2, 2], upsampleKernels: [20, 12, 4, 4, 4], resblockKernels: [3, 7, 11],
      resblockDilations: [[1, 3, 5], [1, 3, 5], [1, 3, 5]], sampleRate: 48000,
    });
    await micro.weights.close();
    await withTempDir(async (dir) => {
      const file = join(dir, 'vocoder.pth');
      await writeSyntheticV4Vocoder(file, 'tiny', { seed: 2 });
      const synthetic = await readV4Vocoder(file);
      expect(synthetic.architecture).toEqual(micro.architecture);
      await synthetic.weights.close();
    });
    expect((await rejection(readV4Vocoder(ckpt('s2Gv4_micro.pth')))).message).toContain('is a GPT-SoVITS model checkpoint, not the v4 vocoder');
    expect((await rejection(readV4Vocoder(ckpt('bigvgan_v3_micro/bigvgan_generator.pt')))).message).toContain("holds a BigVGAN 'generator'");
  });
});
