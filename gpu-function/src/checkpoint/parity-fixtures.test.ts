import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { toFloat64 } from '../tensor/index.ts';
import {
  detectSovitsVersion,
  openTorchCheckpoint,
  openTorchStateDict,
  PyDict,
  readHfBert,
  readHfHubert,
  readSovitsCheckpoint,
  readT2sCheckpoint,
} from './index.ts';
import { HAVE_PARITY, PARITY_DIR, PARITY_SKIP_NOTE, rejection, sums } from './test-support.ts';

interface IndexEntry { dtype: string; shape: number[]; sum: number; sum_abs: number }
interface Manifest {
  checkpoints: Record<string, { file: string; header: string; sha256: string; num_tensors: number; info: string; model_version?: string }>;
  micro_architecture: { t2s: { embedding_dim: number; hidden_dim: number; head: number; n_layer: number } };
}

const ckptDir = join(PARITY_DIR, 'ckpt');
if (!HAVE_PARITY) console.warn(PARITY_SKIP_NOTE);
const manifest = (): Manifest => JSON.parse(readFileSync(join(PARITY_DIR, 'manifest.json'), 'utf8')) as Manifest;
const fixtureFiles = (): string[] => readdirSync(ckptDir).filter((name) => /\.(ckpt|pth)$/.test(name));

describe.skipIf(!HAVE_PARITY)(`genuine GPT-SoVITS checkpoints${HAVE_PARITY ? '' : ` (${PARITY_SKIP_NOTE})`}`, () => {
  it('reads every tensor of every fixture checkpoint exactly as its index records it', async () => {
    const files = fixtureFiles();
    expect(files.length).toBe(5);
    for (const name of files) {
      const file = join(ckptDir, name);
      const index = (JSON.parse(readFileSync(file.replace(/\.(ckpt|pth)$/, '.index.json'), 'utf8')) as { tensors: Record<string, IndexEntry> }).tensors;
      const checkpoint = await openTorchCheckpoint(file);
      const weight = (checkpoint.root as PyDict).get('weight');
      expect(weight, name).toBeInstanceOf(PyDict);
      const store = checkpoint.stateDict(weight as PyDict);
      expect(store.names(), name).toEqual(Object.keys(index));
      for (const [tensorName, expected] of Object.entries(index)) {
        const tensor = await store.read(tensorName);
        expect([tensor.dtype, tensor.shape], `${name} ${tensorName}`).toEqual([expected.dtype, expected.shape]);
        const { sum, sumAbs } = sums(tensor);
        const tolerance = 1e-9 * (expected.sum_abs + 1);
        expect(Math.abs(sum - expected.sum), `${name} ${tensorName} sum`).toBeLessThanOrEqual(tolerance);
        expect(Math.abs(sumAbs - expected.sum_abs), `${name} ${tensorName} sum|x|`).toBeLessThanOrEqual(tolerance);
      }
      await store.close();
    }
  });

  it('keeps the header bytes GPT-SoVITS wrote and finds the record folder whatever it is called', async () => {
    for (const entry of Object.values(manifest().checkpoints)) {
      const checkpoint = await openTorchCheckpoint(join(PARITY_DIR, entry.file));
      expect(checkpoint.header, entry.file).toBe(entry.header);
      expect(checkpoint.folder, entry.file).toMatch(entry.header === 'PK' ? /^\d+\.\d+\/$/ : /^archive\/$/);
      await checkpoint.close();
    }
  });

  it('reads the GPT checkpoint: architecture from shapes, config, info and sha256', async () => {
    const entry = manifest().checkpoints.t2s!;
    const t2s = await readT2sCheckpoint(join(PARITY_DIR, entry.file));
    const micro = manifest().micro_architecture.t2s;
    expect(t2s.architecture).toEqual({
      embeddingDim: micro.embedding_dim, hiddenDim: micro.hidden_dim, heads: micro.head, headDim: micro.hidden_dim / micro.head,
      layers: micro.n_layer, ffnDim: 4 * micro.hidden_dim, phonemeVocabSize: 732, vocabSize: 1025, eos: 1024, bertDim: 1024,
      layerNormEps: 1e-5, topK: 15, maxSec: 54,
    });
    expect(t2s.extraKeys).toEqual([]);
    expect(t2s.info).toBe(entry.info);
    expect(t2s.sha256).toBe(entry.sha256);
    expect(t2s.weights.names()).toContain('h.layers.1.self_attn.in_proj_weight');
    const alpha = await t2s.weights.read('ar_text_position.alpha');
    expect(toFloat64(alpha).data[0]).toBe(1.7001953125);
    await t2s.weights.close();
  });

  it('reads the v1, v2, v2Pro and v2ProPlus SoVITS checkpoints with the version, widths and hparams GPT-SoVITS uses', async () => {
    for (const version of ['v1', 'v2', 'v2Pro', 'v2ProPlus'] as const) {
      const pro = version === 'v2Pro' || version === 'v2ProPlus';
      const entry = manifest().checkpoints[version]!;
      const sovits = await readSovitsCheckpoint(join(PARITY_DIR, entry.file));
      const a = sovits.architecture;
      expect(sovits.version).toBe(version);
      expect(sovits.sha256).toBe(entry.sha256);
      expect(sovits.extraKeys).toEqual([]);
      expect(a.symbols).toBe(version === 'v1' ? 322 : 732);
      expect(a.refEncoder).toEqual({ inputBins: version === 'v1' ? 1025 : 704, hiddenChannels: 32, heads: 2, kernelSize: 5 });
      expect([a.interChannels, a.hiddenChannels, a.filterChannels, a.nHeads, a.ginChannels, a.mrte.hiddenChannels]).toEqual([32, 16, 64, 2, pro ? 16 : 64, 64]);
      expect(a.speakerFusion).toEqual(pro ? { embeddingDim: 20480 } : null);
      expect(a.encoder).toEqual({ sslLayers: 1, textLayers: 2, encoder2Layers: 1, window: 4 });
      expect(a.decoder.upsampleChannels).toEqual(version === 'v2ProPlus' ? [24, 12, 6, 3, 1] : [16, 8, 4, 2, 1]);
      expect(a.decoder.upsampleKernelSizes[0]).toBe(version === 'v2ProPlus' ? 20 : 16);
      expect(sovits.header).toBe(pro ? (version === 'v2Pro' ? '05' : '06') : 'PK');
      expect(await detectSovitsVersion(join(PARITY_DIR, entry.file))).toMatchObject({ version, supported: true });
      expect(a.quantizer).toEqual({ layers: 1, codebookSize: 1024, codebookDim: 768 });
      expect(sovits.hparams.version).toBe(version);
      const names = sovits.weights.names();
      expect(names.some((name) => /weight_[gv]$|cluster_size|inited/.test(name))).toBe(false);
      await sovits.weights.close();
    }
  });

  it('folds weight norm so each slab of the weight has the norm weight_g stores, with g != ||v||', async () => {
    const file = join(PARITY_DIR, manifest().checkpoints.v2!.file);
    const raw = await openTorchCheckpoint(file);
    const store = raw.stateDict((raw.root as PyDict).get('weight') as PyDict);
    const sovits = await readSovitsCheckpoint(file);
    for (const layer of ['dec.ups.0', 'dec.resblocks.4.convs2.1', 'flow.flows.2.enc.cond_layer']) {
      const g = toFloat64(await store.read(`${layer}.weight_g`)).data;
      const v = toFloat64(await store.read(`${layer}.weight_v`)).data;
      const w = await sovits.weights.read(`${layer}.weight`);
      expect(w.dtype).toBe('float32');
      const rows = g.length;
      const slab = w.data.length / rows;
      for (let row = 0; row < rows; row += 1) {
        let wNorm = 0;
        let vNorm = 0;
        for (let i = 0; i < slab; i += 1) {
          wNorm += ((w.data as Float32Array)[row * slab + i] ?? 0) ** 2;
          vNorm += (v[row * slab + i] ?? 0) ** 2;
        }
        expect(Math.sqrt(wNorm)).toBeCloseTo(Math.abs(g[row] ?? 0), 4);
        expect(Math.abs(Math.sqrt(vNorm) - Math.abs(g[row] ?? 0))).toBeGreaterThan(1e-3);
      }
    }
    await Promise.all([store.close(), sovits.weights.close()]);
  });

  it('tells a GPT file from a SoVITS file in both directions', async () => {
    const gpt = join(PARITY_DIR, manifest().checkpoints.t2s!.file);
    const sovits = join(PARITY_DIR, manifest().checkpoints.v2!.file);
    const pro = join(PARITY_DIR, manifest().checkpoints.v2Pro!.file);
    const asSovits = (await rejection(readSovitsCheckpoint(gpt))).message;
    expect(asSovits.startsWith(`${gpt}: `)).toBe(true);
    expect(asSovits).toContain('GPT .ckpt file, not a SoVITS .pth');
    const asGpt = (await rejection(readT2sCheckpoint(sovits))).message;
    expect(asGpt.startsWith(`${sovits}: `)).toBe(true);
    expect(asGpt).toContain('SoVITS .pth file, not a GPT .ckpt');
    expect((await rejection(readT2sCheckpoint(pro))).message).toContain("version tag '05'");
  });

  it('reads the micro BERT (BertForMaskedLM) folder, its tied decoder storage and vocab', async () => {
    const dir = join(PARITY_DIR, 'hf', 'bert_micro');
    const bert = await readHfBert(dir);
    expect(bert.architecture).toEqual({
      layers: 4, hiddenSize: 32, heads: 4, headDim: 8, intermediateSize: 128, vocabSize: 392, maxPositions: 512, typeVocabSize: 2,
      layerNormEps: 1e-12, activation: 'gelu',
    });
    expect(bert.vocab.slice(100, 104)).toEqual(['[UNK]', '[CLS]', '[SEP]', '[MASK]']);
    expect(bert.ignoredKeys.every((key) => key.startsWith('cls.'))).toBe(true);
    expect(Object.keys(bert.sha256).sort()).toEqual(['config.json', 'pytorch_model.bin', 'vocab.txt']);
    expect(bert.weights.names()).toHaveLength(5 + 16 * 4);
    const raw = await openTorchStateDict(join(dir, 'pytorch_model.bin'));
    const decoder = await raw.read('cls.predictions.decoder.weight');
    expect(decoder.data).toEqual((await bert.weights.read('embeddings.word_embeddings.weight')).data);
    await Promise.all([raw.close(), bert.weights.close()]);
  });

  it('reads the micro HuBERT folder and folds its positional conv weight norm over dim 2', async () => {
    const dir = join(PARITY_DIR, 'hf', 'hubert_micro');
    const hubert = await readHfHubert(dir);
    expect(hubert.architecture.featureExtractor).toEqual({
      channels: [32, 32, 32, 32, 32, 32, 32], kernels: [10, 3, 3, 3, 3, 2, 2], strides: [5, 2, 2, 2, 2, 2, 2], norm: 'group', bias: false, activation: 'gelu',
    });
    expect(hubert.architecture).toMatchObject({ hiddenSize: 32, layers: 2, heads: 4, intermediateSize: 128, layerNormEps: 1e-5, positionalConv: { kernelSize: 128, groups: 16 } });
    expect(hubert.ignoredKeys).toEqual(['masked_spec_embed']);
    const raw = await openTorchStateDict(join(dir, 'pytorch_model.bin'));
    const g = toFloat64(await raw.read('encoder.pos_conv_embed.conv.weight_g')).data;
    const w = await hubert.weights.read('encoder.pos_conv_embed.conv.weight');
    expect(w.shape).toEqual([32, 2, 128]);
    for (let tap = 0; tap < 128; tap += 1) {
      let norm = 0;
      for (let j = 0; j < 64; j += 1) norm += ((w.data as Float32Array)[j * 128 + tap] ?? 0) ** 2;
      expect(Math.sqrt(norm)).toBeCloseTo(Math.abs(g[tap] ?? 0), 4);
    }
    await Promise.all([raw.close(), hubert.weights.close()]);
  });
});
