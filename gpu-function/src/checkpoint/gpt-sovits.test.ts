import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TensorSpec } from '../synthetic/init.ts';
import { sovitsArchitectureOf, sovitsDims, type SyntheticSovitsVersion } from '../synthetic/sovits-dims.ts';
import { sovitsHParams, sovitsSpecs, writeSyntheticSovits } from '../synthetic/sovits.ts';
import { specBytes, specTensors } from '../synthetic/state-dict.ts';
import { T2S_TINY, t2sConfig, t2sSpecs, writeSyntheticT2s } from '../synthetic/t2s.ts';
import type { HeaderTag } from './header.ts';
import { CheckpointError, detectSovitsVersion, readSovitsCheckpoint, readT2sCheckpoint, UnsupportedModelError } from './index.ts';
import { PickleInstance, PickleOrderedDict, type PickleWriteValue } from './pickle-writer.ts';
import { rejection, withTempDir } from './test-support.ts';
import { writeTorchCheckpoint } from './torch-writer.ts';

const SEED = 7;

async function writeT2s(file: string, specs: TensorSpec[], config: PickleWriteValue = t2sConfig(T2S_TINY)): Promise<void> {
  const weight = new PickleOrderedDict(specTensors(specs, 'float16', SEED, (name) => `model.${name}`));
  await writeTorchCheckpoint(file, new PickleOrderedDict([['weight', weight], ['config', config], ['info', 'GPT-e1']]));
}

async function writeSovits(file: string, specs: TensorSpec[], version: SyntheticSovitsVersion = 'v2', header: HeaderTag = 'PK', hparams: PickleWriteValue = sovitsHParams(sovitsDims(version, 'tiny'))): Promise<void> {
  const weight = new Map(specTensors(specs, 'float16', SEED));
  await writeTorchCheckpoint(file, new PickleOrderedDict([['weight', weight], ['config', hparams], ['info', '1epoch_1iteration']]), { header });
}

const without = (specs: TensorSpec[], name: string): TensorSpec[] => specs.filter((spec) => spec.name !== name);
const reshaped = (specs: TensorSpec[], name: string, shape: number[]): TensorSpec[] => specs.map((spec) => (spec.name === name ? { ...spec, shape } : spec));

async function failure(promise: Promise<unknown>, file: string, tensor?: string): Promise<string> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(CheckpointError);
  expect(error.message.startsWith(`${file}: ${tensor === undefined ? '' : `tensor '${tensor}': `}`), error.message).toBe(true);
  return error.message;
}

describe('GPT (T2S) checkpoints', () => {
  it('reads a synthetic .ckpt: architecture from shapes, weights without the model. prefix, values as written', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'gpt.ckpt');
      await writeSyntheticT2s(file, T2S_TINY, { seed: SEED });
      const t2s = await readT2sCheckpoint(file);
      expect(t2s.architecture).toEqual({
        embeddingDim: 32, hiddenDim: 32, heads: 2, headDim: 16, layers: 2, ffnDim: 128, phonemeVocabSize: 732, vocabSize: 1025, eos: 1024,
        bertDim: 64, layerNormEps: 1e-5, topK: 15, maxSec: 54,
      });
      expect(t2s.extraKeys).toEqual([]);
      expect(t2s.sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(t2s.config).toMatchObject({ model: { head: 2, n_layer: 2 }, inference: { top_k: 15 } });
      const spec = t2sSpecs(T2S_TINY).find((s) => s.name === 'h.layers.1.linear1.weight');
      const tensor = await t2s.weights.read('h.layers.1.linear1.weight');
      expect(tensor.dtype).toBe('float16');
      expect(new Uint8Array(tensor.data.buffer)).toEqual(specBytes(spec!, 'float16', SEED));
      await t2s.weights.close();
    });
  });

  it('names the file and tensor for a missing tensor, a wrong shape, a stray key or a contradicting config', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'bad.ckpt');
      const specs = t2sSpecs(T2S_TINY);
      await writeT2s(file, without(specs, 'h.layers.1.linear2.bias'));
      expect(await failure(readT2sCheckpoint(file), file, 'h.layers.1.linear2.bias')).toContain('is missing');
      await writeT2s(file, reshaped(specs, 'h.layers.0.norm1.weight', [31]));
      expect(await failure(readT2sCheckpoint(file), file, 'h.layers.0.norm1.weight')).toContain('has shape [31], expected [32]');
      await writeT2s(file, reshaped(specs, 'h.layers.0.self_attn.in_proj_weight', [95, 32]));
      expect(await failure(readT2sCheckpoint(file), file, 'h.layers.0.self_attn.in_proj_weight')).toContain('expected 3 x 32');
      await writeT2s(file, [...specs, { name: 'extra.scale', shape: [1], init: { kind: 'constant', value: 1 } }]);
      const withExtra = await readT2sCheckpoint(file);
      expect(withExtra.extraKeys).toEqual(['extra.scale']);
      await withExtra.weights.close();
      const config = t2sConfig(T2S_TINY) as { model: Record<string, PickleWriteValue> };
      await writeT2s(file, specs, { ...config, model: { ...config.model, head: 5 } });
      expect(await failure(readT2sCheckpoint(file), file)).toContain("config field 'model.head' is 5");
      await writeT2s(file, specs, { ...config, model: { ...config.model, n_layer: 3 } });
      expect(await failure(readT2sCheckpoint(file), file)).toContain("config field 'model.n_layer' is 3");
      const weight = new Map(specTensors(specs, 'float16', SEED, (name) => (name === 'bert_proj.bias' ? name : `model.${name}`)));
      await writeTorchCheckpoint(file, new PickleOrderedDict([['weight', weight], ['config', config], ['info', '']]));
      expect(await failure(readT2sCheckpoint(file), file, 'bert_proj.bias')).toContain("does not start with 'model.'");
    });
  });
});

describe('SoVITS checkpoints', () => {
  it.each(['v1', 'v2'] as const)('reads a synthetic %s .pth into the architecture it was written with', async (version) => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'sovits.pth');
      const dims = sovitsDims(version, 'tiny');
      await writeSyntheticSovits(file, dims, { seed: SEED });
      const sovits = await readSovitsCheckpoint(file);
      expect(sovits.version).toBe(version);
      expect(sovits.architecture).toEqual(sovitsArchitectureOf(dims));
      expect(sovits.extraKeys).toEqual([]);
      expect(sovits.hparams).toMatchObject({ version, model: { version, gin_channels: 64 }, data: { sampling_rate: 32000 } });
      expect(sovits.weights.names()).not.toContain('quantizer.vq.layers.0._codebook.embed_avg');
      expect(sovits.weights.info('dec.ups.1.weight')).toEqual({ dtype: 'float32', shape: [16, 8, 16] });
      await sovits.weights.close();
    });
  });

  it("accepts the legacy '00'/'01' header tags and, like TTS.py, lets the symbol table decide v1 or v2", async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'tagged.pth');
      for (const [header, version] of [['00', 'v2'], ['01', 'v1']] as const) {
        await writeSovits(file, sovitsSpecs(sovitsDims(version, 'tiny')), version, header);
        const sovits = await readSovitsCheckpoint(file);
        expect([sovits.header, sovits.version]).toEqual([header, version]);
        await sovits.weights.close();
      }
    });
  });

  it('reads v2Pro/v2ProPlus by header or, when re-saved as PK, by their speaker-embedding weights', async () => {
    await withTempDir(async (dir) => {
      for (const version of ['v2Pro', 'v2ProPlus'] as const) {
        const dims = sovitsDims(version, 'tiny');
        const file = join(dir, `${version}.pth`);
        await writeSyntheticSovits(file, dims, { seed: SEED });
        const tagged = await readSovitsCheckpoint(file);
        expect(tagged.version).toBe(version);
        expect(tagged.architecture).toEqual(sovitsArchitectureOf(dims));
        expect(tagged.architecture.speakerFusion).toEqual({ embeddingDim: 1280 });
        await tagged.weights.close();
        const resaved = join(dir, `${version}-pk.pth`);
        await writeSovits(resaved, sovitsSpecs(dims), version, 'PK', sovitsHParams({ ...dims, version: 'v2' }));
        const detected = await readSovitsCheckpoint(resaved);
        expect(detected.version).toBe(version);
        await detected.weights.close();
        expect(await detectSovitsVersion(resaved)).toMatchObject({ version, header: 'PK', supported: true });
      }
    });
  });

  it('names the tensor when a v2Pro file lacks or misshapes its speaker-fusion layers', async () => {
    await withTempDir(async (dir) => {
      const dims = sovitsDims('v2Pro', 'tiny');
      const file = join(dir, 'pro.pth');
      const specs = sovitsSpecs(dims);
      await writeSovits(file, specs.filter((spec) => spec.name !== 'prelu.weight'), 'v2Pro', '05');
      expect(await failure(readSovitsCheckpoint(file), file, 'prelu.weight')).toContain('prelu.weight');
      const narrow = specs.map((spec) => (spec.name === 'ge_to512.weight' ? { ...spec, shape: [dims.mrteHidden - 1, dims.ginChannels] } : spec));
      await writeSovits(file, narrow, 'v2Pro', '05');
      expect(await failure(readSovitsCheckpoint(file), file, 'ge_to512.weight')).toContain('MRTE width');
      // A v2Pro header on plain v2 weights: the fusion layers are missing.
      await writeSovits(file, sovitsSpecs(sovitsDims('v2', 'tiny')), 'v2', '05');
      expect(await failure(readSovitsCheckpoint(file), file, 'sv_emb.weight')).toContain('sv_emb.weight');
    });
  });

  it('refuses v3/v4 and their LoRA files, saying what they need', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'v3.pth');
      const specs = sovitsSpecs(sovitsDims('v2', 'tiny'));
      const cases: [HeaderTag, string, string][] = [['03', 'v3-lora', 's2Gv3 base model'], ['04', 'v4-lora', 's2Gv4 base model'], ['02', 'v3', 'BigVGAN']];
      for (const [header, version, needs] of cases) {
        await writeSovits(file, specs, 'v2', header);
        const error = await rejection(readSovitsCheckpoint(file));
        expect(error).toBeInstanceOf(UnsupportedModelError);
        expect(error).toMatchObject({ version });
        expect(error.message).toContain(needs);
      }
      const cfm: TensorSpec = { name: 'cfm.estimator.proj.weight', shape: [4, 4], init: { kind: 'normal', mean: 0, std: 1 } };
      await writeSovits(file, [...specs, cfm]);
      expect((await rejection(readSovitsCheckpoint(file))).message).toContain('CFM (DiT) mel decoder and the BigVGAN');
      const v4 = new PickleInstance('utils', 'HParams', { model: new PickleInstance('utils', 'HParams', { version: 'v4' }) });
      await writeSovits(file, [...specs, cfm], 'v2', 'PK', v4);
      expect((await rejection(readSovitsCheckpoint(file))).message).toContain("v4 vocoder (vocoder.pth)");
    });
  });

  it('names the file and tensor for an unknown symbol table, an unpaired weight norm, missing or misshapen tensors', async () => {
    await withTempDir(async (dir) => {
      const file = join(dir, 'bad.pth');
      const specs = sovitsSpecs(sovitsDims('v2', 'tiny'));
      await writeSovits(file, reshaped(specs, 'enc_p.text_embedding.weight', [500, 16]));
      expect(await failure(readSovitsCheckpoint(file), file, 'enc_p.text_embedding.weight')).toContain('version is unknown');
      await writeSovits(file, without(specs, 'flow.flows.4.enc.in_layers.2.weight_v'));
      expect(await failure(readSovitsCheckpoint(file), file, 'flow.flows.4.enc.in_layers.2.weight_g')).toContain('has no matching weight_v');
      await writeSovits(file, without(specs, 'ref_enc.slf_attn.fc.bias'));
      expect(await failure(readSovitsCheckpoint(file), file, 'ref_enc.slf_attn.fc.bias')).toContain('is missing');
      await writeSovits(file, reshaped(specs, 'enc_p.encoder2.ffn_layers.0.conv_2.weight', [16, 64, 5]));
      expect(await failure(readSovitsCheckpoint(file), file, 'enc_p.encoder2.ffn_layers.0.conv_2.weight')).toContain('expected [16, 64, 3]');
      await writeSovits(file, reshaped(specs, 'ref_enc.spectral.0.fc.weight', [32, 1025]));
      expect(await failure(readSovitsCheckpoint(file), file, 'ref_enc.spectral.0.fc.weight')).toContain('a v2 model takes 704');
      await writeSovits(file, reshaped(reshaped(specs, 'enc_p.mrte.c_pre.weight', [48, 16, 1]), 'enc_p.mrte.c_pre.bias', [48]));
      expect(await failure(readSovitsCheckpoint(file), file, 'enc_p.mrte.c_pre.weight')).toContain('differs from gin_channels 64');
    });
  });
});
