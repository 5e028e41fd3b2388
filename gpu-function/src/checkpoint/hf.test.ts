import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BERT_TIES, BERT_TINY, bertConfig, bertSpecs, writeSyntheticBert } from '../synthetic/bert.ts';
import { writeHfFolder } from '../synthetic/hf-folder.ts';
import { HUBERT_TINY, writeSyntheticHubert } from '../synthetic/hubert.ts';
import { specBytes } from '../synthetic/state-dict.ts';
import { toFloat64 } from '../tensor/index.ts';
import { CheckpointError, openHfFolder, openSafetensors, openTorchStateDict, readHfBert, readHfHubert } from './index.ts';
import { writeSafetensors } from './safetensors-writer.ts';
import { rejection, withTempDir } from './test-support.ts';

const SEED = 3;

describe('Hugging Face folders', () => {
  it('reads a BERT folder the same from pytorch_model.bin and model.safetensors', async () => {
    await withTempDir(async (dir) => {
      await writeSyntheticBert(join(dir, 'bin'), BERT_TINY, { seed: SEED });
      await writeSyntheticBert(join(dir, 'st'), BERT_TINY, { seed: SEED, format: 'safetensors' });
      const fromBin = await readHfBert(join(dir, 'bin'));
      const fromSafetensors = await readHfBert(join(dir, 'st'));
      expect(fromBin.architecture).toEqual({
        layers: 4, hiddenSize: 64, heads: 4, headDim: 16, intermediateSize: 256, vocabSize: 2048, maxPositions: 512, typeVocabSize: 2,
        layerNormEps: 1e-12, activation: 'gelu',
      });
      expect(fromSafetensors.architecture).toEqual(fromBin.architecture);
      expect(fromSafetensors.weights.names()).toEqual(fromBin.weights.names());
      for (const name of fromBin.weights.names()) {
        expect((await fromSafetensors.weights.read(name)).data, name).toEqual((await fromBin.weights.read(name)).data);
      }
      expect(fromBin.vocab).toHaveLength(2048);
      expect(fromBin.vocab.slice(0, 1).concat(fromBin.vocab.slice(100, 104))).toEqual(['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]']);
      expect(Object.keys(fromSafetensors.sha256).sort()).toEqual(['config.json', 'model.safetensors', 'vocab.txt']);
      // The masked-LM decoder shares the word-embedding storage in a .bin, as transformers saves tied weights.
      const raw = await openTorchStateDict(join(dir, 'bin', 'pytorch_model.bin'));
      expect((await raw.read('cls.predictions.decoder.weight')).data).toEqual((await raw.read('bert.embeddings.word_embeddings.weight')).data);
      await Promise.all([raw.close(), fromBin.weights.close(), fromSafetensors.weights.close()]);
    });
  });

  it('reads a HuBERT folder, folding the positional conv weight norm over dim 2', async () => {
    await withTempDir(async (dir) => {
      await writeSyntheticHubert(dir, HUBERT_TINY, { seed: SEED, format: 'safetensors', dtype: 'float16' });
      const hubert = await readHfHubert(dir);
      expect(hubert.architecture).toMatchObject({ hiddenSize: 64, layers: 2, heads: 4, intermediateSize: 256, positionalConv: { kernelSize: 128, groups: 16 } });
      expect(hubert.weights.info('feature_projection.projection.weight')).toEqual({ dtype: 'float16', shape: [64, 32] });
      const raw = await openSafetensors(join(dir, 'model.safetensors'));
      const g = toFloat64(await raw.read('encoder.pos_conv_embed.conv.weight_g')).data;
      const w = (await hubert.weights.read('encoder.pos_conv_embed.conv.weight')).data as Float32Array;
      for (const tap of [0, 77, 127]) {
        let norm = 0;
        for (let j = 0; j < 64 * 4; j += 1) norm += (w[j * 128 + tap] ?? 0) ** 2;
        expect(Math.sqrt(norm)).toBeCloseTo(g[tap] ?? 0, 3);
      }
      await Promise.all([raw.close(), hubert.weights.close()]);
    });
  });

  it('reads sharded weights through their index file', async () => {
    await withTempDir(async (dir) => {
      const specs = bertSpecs(BERT_TINY).filter((spec) => !BERT_TIES.has(spec.name));
      const half = Math.floor(specs.length / 2);
      const shards = [specs.slice(0, half), specs.slice(half)];
      const weightMap: Record<string, string> = {};
      for (const [i, shard] of shards.entries()) {
        const name = `model-0000${i + 1}-of-00002.safetensors`;
        await writeSafetensors(join(dir, name), shard.map((spec) => ({ name: spec.name, dtype: 'float32', shape: spec.shape, bytes: () => specBytes(spec, 'float32', SEED) })));
        for (const spec of shard) weightMap[spec.name] = name;
      }
      await writeFile(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }));
      await writeFile(join(dir, 'config.json'), JSON.stringify(bertConfig(BERT_TINY)));
      const folder = await openHfFolder(dir);
      expect(folder.weights.names()).toHaveLength(specs.length);
      expect(folder.files).toHaveLength(4);
      const last = specs.at(-1)!;
      expect(new Uint8Array((await folder.weights.read(last.name)).data.buffer)).toEqual(specBytes(last, 'float32', SEED));
      await folder.weights.close();
    });
  });

  it('names the folder, file and tensor when something is wrong', async () => {
    await withTempDir(async (dir) => {
      expect((await rejection(readHfBert(dir))).message).toBe(`${dir}: has no config.json; not a Hugging Face model folder`);
      await writeSyntheticBert(dir, BERT_TINY, { seed: SEED, format: 'safetensors' });
      const vocab = join(dir, 'vocab.txt');
      await writeFile(vocab, Array.from({ length: 3000 }, (_, i) => `t${i}`).join('\n'));
      expect((await rejection(readHfBert(dir))).message).toBe(`${vocab}: has 3000 tokens but the embedding has only 2048 rows`);
      await rm(vocab);
      expect((await rejection(readHfBert(dir))).message).toContain(`${vocab}: cannot read`);
      expect((await rejection(readHfHubert(dir))).message).toContain("model_type is 'bert', expected 'hubert'");
      const weights = join(dir, 'model.safetensors');
      const size = (await readFile(weights)).length;
      await truncate(weights, size - 1000);
      const truncated = await rejection(openSafetensors(weights));
      expect(truncated).toBeInstanceOf(CheckpointError);
      expect(truncated.message).toMatch(new RegExp(`^${weights.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: tensor '[^']+': data .* lies outside`));
      await writeFile(weights, Buffer.concat([Buffer.from([8, 0, 0, 0, 0, 0, 0, 0]), Buffer.from('{"a":1} ')]));
      expect((await rejection(openSafetensors(weights))).message).toContain(`${weights}: tensor 'a': has no header entry object`);
      await writeFile(weights, 'not safetensors at all');
      expect((await rejection(openSafetensors(weights))).message).toContain(`${weights}: declares a`);
    });
  });

  it('names the tensor whose shape does not match the config', async () => {
    await withTempDir(async (dir) => {
      const specs = bertSpecs(BERT_TINY).map((spec) => (spec.name === 'bert.encoder.layer.2.output.dense.weight' ? { ...spec, shape: [64, 255] } : spec));
      await writeHfFolder(dir, bertConfig(BERT_TINY), specs, BERT_TIES, { seed: SEED });
      await writeFile(join(dir, 'vocab.txt'), 'a\nb\n');
      const error = await rejection(readHfBert(dir));
      expect(error.message).toBe(`${join(dir, 'pytorch_model.bin')}: tensor 'encoder.layer.2.output.dense.weight': has shape [64, 255], expected [64, 256]`);
    });
  });
});
