import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readHfBert, readHfHubert, readSovitsCheckpoint, readT2sCheckpoint, sha256File } from '../checkpoint/index.ts';
import { withTempDir } from '../checkpoint/test-support.ts';
import {
  BERT_FULL,
  BERT_TIES,
  HUBERT_FULL,
  T2S_FULL_V2,
  bertSpecs,
  countParameters,
  fillTensor,
  hubertSpecs,
  Prng,
  sovitsDims,
  sovitsSpecs,
  t2sSpecs,
  writeSyntheticModelSet,
  type TensorSpec,
} from './index.ts';

const spec = (specs: TensorSpec[], name: string): TensorSpec => {
  const found = specs.find((s) => s.name === name);
  if (found === undefined) throw new Error(`no spec ${name}`);
  return found;
};

function moments(values: Float32Array): { mean: number; std: number } {
  let sum = 0;
  let squares = 0;
  for (const v of values) {
    sum += v;
    squares += v * v;
  }
  const mean = sum / values.length;
  return { mean, std: Math.sqrt(squares / values.length - mean * mean) };
}

describe('synthetic model sets', () => {
  it('writes a tiny set every reader accepts, with widths that fit together', async () => {
    await withTempDir(async (dir) => {
      const set = await writeSyntheticModelSet(dir, { size: 'tiny', seed: 11 });
      const [t2s, sovits, bert, hubert] = await Promise.all([readT2sCheckpoint(set.gpt), readSovitsCheckpoint(set.sovits), readHfBert(set.bert!), readHfHubert(set.hubert!)]);
      expect(t2s.architecture.bertDim).toBe(bert.architecture.hiddenSize);
      expect(sovits.architecture.sslDim).toBe(hubert.architecture.hiddenSize);
      expect(sovits.architecture.quantizer.codebookSize).toBe(t2s.architecture.vocabSize - 1);
      expect(sovits.version).toBe('v2');
      expect(set.parameters.gpt + set.parameters.sovits + set.parameters.bert + set.parameters.hubert).toBeLessThan(2_000_000);
      await Promise.all([t2s.weights.close(), sovits.weights.close(), bert.weights.close(), hubert.weights.close()]);
    });
  });

  it('is reproducible: the same seed gives byte-identical files, another seed different ones', async () => {
    await withTempDir(async (dir) => {
      const hashes = async (seed: number, name: string): Promise<string[]> => {
        const set = await writeSyntheticModelSet(join(dir, name), { size: 'tiny', seed, bert: false, hubert: false });
        return Promise.all([sha256File(set.gpt), sha256File(set.sovits)]);
      };
      const first = await hashes(5, 'a');
      expect(await hashes(5, 'b')).toEqual(first);
      const other = await hashes(6, 'c');
      expect(other[0]).not.toBe(first[0]);
      expect(other[1]).not.toBe(first[1]);
    });
  });

  it('has the real full-size layouts: tensor and parameter counts of GPT-SoVITS v2, BERT-large and HuBERT-base', () => {
    const t2s = t2sSpecs(T2S_FULL_V2);
    expect([t2s.length, countParameters(t2s)]).toEqual([295, 77_606_402]);
    const sovits = sovitsSpecs(sovitsDims('v2', 'full'));
    // 42.39 M with the codebook's training buffers, as gpt-sovits.md 2.2 counts them.
    expect(countParameters(sovits)).toBe(42_389_633);
    expect(countParameters(sovitsSpecs(sovitsDims('v2Pro', 'full'))) / 1e6).toBeCloseTo(67.4, 1);
    expect(countParameters(sovitsSpecs(sovitsDims('v2ProPlus', 'full'))) / 1e6).toBeCloseTo(86.3, 1);
    expect(spec(sovits, 'enc_p.text_embedding.weight').shape).toEqual([732, 192]);
    expect(spec(sovitsSpecs(sovitsDims('v1', 'full')), 'enc_p.text_embedding.weight').shape).toEqual([322, 192]);
    expect(spec(sovits, 'dec.ups.0.weight_v').shape).toEqual([512, 256, 16]);
    const bert = bertSpecs(BERT_FULL).filter((s) => !BERT_TIES.has(s.name));
    expect(countParameters(bert)).toBe(325_545_608);
    expect(spec(bert, 'bert.embeddings.word_embeddings.weight').shape).toEqual([21128, 1024]);
    const hubert = hubertSpecs(HUBERT_FULL);
    expect(countParameters(hubert)).toBe(94_371_712);
    expect(spec(hubert, 'encoder.pos_conv_embed.conv.weight_v').shape).toEqual([768, 48, 128]);
  });

  it('fills weights so forward passes stay sane: N(0, 1/fan_in) layers, norm gains near 1, g != ||v||', () => {
    const t2s = t2sSpecs(T2S_FULL_V2);
    const linear = moments(fillTensor(spec(t2s, 'h.layers.3.linear2.weight'), 1));
    expect(Math.abs(linear.mean)).toBeLessThan(0.001);
    expect(linear.std * Math.sqrt(2048)).toBeCloseTo(1, 1);
    expect(moments(fillTensor(spec(t2s, 'h.layers.3.norm1.weight'), 1)).mean).toBeCloseTo(1, 1);
    const sovits = sovitsSpecs(sovitsDims('v2', 'tiny'));
    const g = fillTensor(spec(sovits, 'dec.resblocks.2.convs1.1.weight_g'), 1);
    const v = fillTensor(spec(sovits, 'dec.resblocks.2.convs1.1.weight_v'), 1);
    const slab = v.length / g.length;
    for (let row = 0; row < g.length; row += 1) {
      let norm = 0;
      for (let i = 0; i < slab; i += 1) norm += (v[row * slab + i] ?? 0) ** 2;
      // The folded weight's slab norm is g, i.e. elements ~ g / sqrt(fan_in): g in [0.5, 1.5] keeps them ~N(0, 1/fan_in).
      expect(g[row]).toBeGreaterThanOrEqual(0.5);
      expect(g[row]).toBeLessThanOrEqual(1.5);
      expect(Math.abs(Math.sqrt(norm) - (g[row] ?? 0))).toBeGreaterThan(1);
    }
  });

  it('draws reproducible, unit-variance normals', () => {
    const a = new Float32Array(200_000);
    const b = new Float32Array(200_000);
    new Prng(42).fillNormal(a, 0, 1);
    new Prng(42).fillNormal(b, 0, 1);
    expect(a).toEqual(b);
    const { mean, std } = moments(a);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(std).toBeCloseTo(1, 2);
  });
});
