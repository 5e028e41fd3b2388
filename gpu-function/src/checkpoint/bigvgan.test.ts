/**
 * v3's BigVGAN folder as GPT-SoVITS loads it (the micro fixture written by BigVGAN's own `_save_pretrained`): config,
 * weight norm folded, every tensor checked against config.json both ways, and the folders a user may pass by mistake.
 */
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bigvganDimsFromWeights } from '../models/vocoder/bigvgan-config.ts';
import { BIGVGAN_FULL, BIGVGAN_TINY, bigvganSpecs, kaiserSincFilter, writeSyntheticBigvgan } from '../synthetic/bigvgan.ts';
import { specTensors } from '../synthetic/state-dict.ts';
import { numel, toFloat32 } from '../tensor/index.ts';
import { BIGVGAN_CONFIG_FILE, BIGVGAN_GENERATOR_FILE, bigvganArchitectureOf, bigvganExpectedShapes, readBigvgan, type BigvganConfig } from './bigvgan.ts';
import { PickleOrderedDict } from './pickle-writer.ts';
import { sha256File } from './sha256.ts';
import { rejection, withTempDir } from './test-support.ts';
import { writeTorchCheckpoint } from './torch-writer.ts';
import type { TensorSpec } from '../synthetic/init.ts';

const FIXTURE = join(import.meta.dirname, '..', '..', 'test', 'fixtures', 'v3v4', 'ckpt', 'bigvgan_v3_micro');

/** A BigVGAN folder from specs and a config, to break one thing at a time. */
async function writeFolder(dir: string, specs: readonly TensorSpec[], config: object): Promise<string> {
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, BIGVGAN_CONFIG_FILE), JSON.stringify(config));
  await writeTorchCheckpoint(join(dir, BIGVGAN_GENERATOR_FILE), new Map([['generator', new PickleOrderedDict(specTensors(specs, 'float32', 1))]]));
  return dir;
}

describe('BigVGAN reader (v3 vocoder)', () => {
  it("reads GPT-SoVITS's folder: architecture from config.json, weight norm folded, every tensor accounted for", async () => {
    const bigvgan = await readBigvgan(FIXTURE);
    try {
      expect(bigvgan.architecture).toEqual({
        melChannels: 100,
        initialChannels: 64,
        upsampleRates: [4, 4, 2, 2, 2, 2],
        upsampleKernels: [8, 8, 4, 4, 4, 4],
        resblockKernels: [3, 7],
        resblockDilations: [
          [1, 3, 5],
          [1, 3, 5],
        ],
        activation: 'snakebeta',
        snakeLogscale: true,
        filterTaps: 12,
        tanhAtFinal: false,
        biasAtFinal: false,
        sampleRate: 24000,
      });
      // The compiler's own reading of the same shapes agrees.
      expect(bigvganDimsFromWeights(bigvgan.weights, bigvgan.config)).toEqual(bigvgan.architecture);
      const names = bigvgan.weights.names();
      expect(names.some((name) => /weight_[gv]$/.test(name))).toBe(false);
      expect(new Set(names)).toEqual(new Set(bigvganExpectedShapes(bigvgan.architecture).keys()));
      expect((await bigvgan.weights.read('ups.0.0.weight')).dtype).toBe('float32');
      expect(bigvgan.sha256).toEqual({
        [BIGVGAN_GENERATOR_FILE]: await sha256File(join(FIXTURE, BIGVGAN_GENERATOR_FILE)),
        [BIGVGAN_CONFIG_FILE]: await sha256File(join(FIXTURE, BIGVGAN_CONFIG_FILE)),
      });
      // The synthetic writer's Kaiser-sinc filter is BigVGAN's buffer.
      const stored = toFloat32(await bigvgan.weights.read('activation_post.upsample.filter')).data;
      const computed = kaiserSincFilter(12);
      for (let i = 0; i < 12; i += 1) expect(Math.abs((computed[i] ?? 0) - (stored[i] ?? 0))).toBeLessThan(1e-6);
    } finally {
      await bigvgan.weights.close();
    }
  });

  it('lays the full-size synthetic folder out as bigvgan_v2_24khz_100band_256x: 112.4 M parameters (its model card: 112M)', () => {
    const parameters = bigvganSpecs(BIGVGAN_FULL).filter((spec) => !/\.filter$|weight_g$/.test(spec.name));
    expect(parameters.reduce((sum, spec) => sum + numel(spec.shape), 0)).toBe(112_414_512);
  });

  it('reads a synthetic folder (tiny) with the architecture the writer meant', async () => {
    await withTempDir(async (dir) => {
      await writeSyntheticBigvgan(join(dir, 'bigvgan'), BIGVGAN_TINY, { seed: 4 });
      const bigvgan = await readBigvgan(join(dir, 'bigvgan'));
      try {
        expect(bigvgan.architecture).toEqual(bigvganArchitectureOf(BIGVGAN_TINY, 12));
      } finally {
        await bigvgan.weights.close();
      }
    });
  });

  it('refuses files and folders that are not BigVGAN, naming what is wrong', async () => {
    await withTempDir(async (dir) => {
      const generator = join(FIXTURE, BIGVGAN_GENERATOR_FILE);
      expect((await rejection(readBigvgan(generator))).message).toContain('is a file; BigVGAN is a folder holding bigvgan_generator.pt and config.json');
      expect((await rejection(readBigvgan(join(dir, 'absent')))).message).toContain('does not exist');
      const noConfig = join(dir, 'no-config');
      await mkdir(join(noConfig, 'snapshots'), { recursive: true });
      await copyFile(generator, join(noConfig, BIGVGAN_GENERATOR_FILE));
      expect((await rejection(readBigvgan(noConfig))).message).toMatch(/has no config\.json; .* \(a Hugging Face cache folder: pass its snapshots\/<revision> folder\)/);
      const v4 = join(dir, 'v4');
      await mkdir(v4);
      await copyFile(join(FIXTURE, BIGVGAN_CONFIG_FILE), join(v4, BIGVGAN_CONFIG_FILE));
      await copyFile(join(FIXTURE, '..', 'vocoder_v4_micro.pth'), join(v4, BIGVGAN_GENERATOR_FILE));
      expect((await rejection(readBigvgan(v4))).message).toContain('is a bare state dict (the v4 vocoder?)');
    });
  });

  it('checks config.json against the weights both ways: shapes, missing tensors, unexpected tensors', async () => {
    const config = JSON.parse(await readFile(join(FIXTURE, BIGVGAN_CONFIG_FILE), 'utf8')) as BigvganConfig;
    await withTempDir(async (dir) => {
      const wider = join(dir, 'wider');
      await mkdir(wider);
      await copyFile(join(FIXTURE, BIGVGAN_GENERATOR_FILE), join(wider, BIGVGAN_GENERATOR_FILE));
      await writeFile(join(wider, BIGVGAN_CONFIG_FILE), JSON.stringify({ ...config, upsample_initial_channel: 128 }));
      expect((await rejection(readBigvgan(wider))).message).toMatch(/tensor 'conv_pre\.weight': has shape \[64, 100, 7\], expected \[128, 100, 7\]/);

      const specs = bigvganSpecs(BIGVGAN_TINY);
      // Without use_bias_at_final, BigVGAN builds conv_post with a bias (h.get default True): the weights lack it.
      const { use_bias_at_final: _bias, ...biasDefault } = BIGVGAN_TINY;
      expect((await rejection(readBigvgan(await writeFolder(join(dir, 'bias'), specs, biasDefault)))).message).toMatch(/lacks 1 tensor\(s\) the config\.json architecture has: conv_post\.bias/);
      // Snake has no beta: SnakeBeta weights under a snake config are refused by name.
      const snake = await rejection(readBigvgan(await writeFolder(join(dir, 'snake'), specs, { ...BIGVGAN_TINY, activation: 'snake' })));
      expect(snake.message).toMatch(/has 73 tensor\(s\) the config\.json architecture does not: resblocks\.0\.activations\.0\.act\.beta, .* and 69 more/);
      const extra = [...specs, { name: 'conv_post.extra', shape: [1], init: { kind: 'constant', value: 0 } } as const];
      expect((await rejection(readBigvgan(await writeFolder(join(dir, 'extra'), extra, BIGVGAN_TINY)))).message).toContain('does not: conv_post.extra');
      const missing = specs.filter((spec) => spec.name !== 'activation_post.act.beta');
      expect((await rejection(readBigvgan(await writeFolder(join(dir, 'missing'), missing, BIGVGAN_TINY)))).message).toContain('has: activation_post.act.beta');
      expect((await rejection(readBigvgan(await writeFolder(join(dir, 'amp2'), specs, { ...BIGVGAN_TINY, resblock: '2' })))).message).toContain('resblock "2" is not supported');
    });
  });
});
