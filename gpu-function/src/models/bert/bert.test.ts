import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeModel, ExternalDataFile } from '../../onnx/index.ts';
import { ModelSession } from '../../runtime/index.ts';
import { tensor, type HostTensor } from '../../tensor/index.ts';
import { bertComputedLayers, type BertDims } from './config.ts';
import { agreement } from './error-metrics.ts';
import { buildBertGraph, writeBertGraph } from './graph.ts';
import { BERT_IO_NAMES, bertIo } from './io.ts';
import { bertReference } from './reference.ts';
import { syntheticBertWeights } from './synthetic.ts';

const DIMS: BertDims = { vocabSize: 40, hidden: 16, layers: 4, heads: 4, intermediate: 32, maxPositions: 24, typeVocabSize: 2, layerNormEps: 1e-12 };
const weights = syntheticBertWeights(DIMS, 7);

/** Three segments of lengths 7, 4 and 1, right-padded with id 0. */
const SEGMENTS = [
  [1, 5, 9, 13, 17, 21, 2],
  [1, 30, 31, 2],
  [39],
];
const TOKENS = 7;

function padded(segments: readonly (readonly number[])[], tokens: number): { ids: HostTensor<'int64'>; mask: HostTensor<'int64'> } {
  const ids = new BigInt64Array(segments.length * tokens);
  const mask = new BigInt64Array(segments.length * tokens);
  segments.forEach((segment, b) => {
    segment.forEach((id, t) => {
      ids[b * tokens + t] = BigInt(id);
      mask[b * tokens + t] = 1n;
    });
  });
  return { ids: tensor('int64', [segments.length, tokens], ids), mask: tensor('int64', [segments.length, tokens], mask) };
}

async function session(precision: 'fp32' | 'fp16'): Promise<ModelSession> {
  return ModelSession.load(await encodeModel(buildBertGraph(weights, DIMS, precision)));
}

async function run(model: ModelSession, ids: HostTensor<'int64'>, mask: HostTensor<'int64'>): Promise<HostTensor> {
  const out = await model.run({ [BERT_IO_NAMES.inputIds]: ids, [BERT_IO_NAMES.attentionMask]: mask });
  const hidden = out[BERT_IO_NAMES.hidden];
  if (hidden === undefined) throw new Error('no hidden output');
  return hidden;
}

describe('BERT graph (hidden_states[-3])', () => {
  it('matches the float64 reference within 1e-5 relative in fp32, padded positions included', async () => {
    const { ids, mask } = padded(SEGMENTS, TOKENS);
    const hidden = await run(await session('fp32'), ids, mask);
    expect(hidden.dtype).toBe('float32');
    expect(hidden.shape).toEqual([3, TOKENS, DIMS.hidden]);
    const reference = await bertReference(weights, DIMS, ids, mask);
    const error = agreement(hidden, reference);
    expect(error.relative).toBeLessThan(1e-5);
  });

  it('gives each padded row the values of its segment run alone', async () => {
    const model = await session('fp32');
    const { ids, mask } = padded(SEGMENTS, TOKENS);
    const batched = (await run(model, ids, mask)).data as Float32Array;
    for (const [b, segment] of SEGMENTS.entries()) {
      const single = padded([segment], segment.length);
      const alone = (await run(model, single.ids, single.mask)).data as Float32Array;
      const rowStart = b * TOKENS * DIMS.hidden;
      const valid = tensor('float32', [alone.length], batched.slice(rowStart, rowStart + alone.length));
      expect(agreement(valid, tensor('float32', [alone.length], alone)).maxAbs).toBeLessThan(1e-5);
    }
  });

  it('depends on the mask: an unmasked pad token changes the valid positions', async () => {
    const model = await session('fp32');
    const { ids, mask } = padded([SEGMENTS[1] ?? []], TOKENS);
    const masked = await run(model, ids, mask);
    const unmasked = await run(model, ids, tensor('int64', mask.shape, mask.data.map(() => 1n)));
    expect(agreement(masked, unmasked, (i) => i < 4 * DIMS.hidden).maxAbs).toBeGreaterThan(1e-3);
  });

  it('stores only the layers hidden_states[-3] needs, under checkpoint names, with the io.ts interface', async () => {
    const graph = buildBertGraph(weights, DIMS, 'fp32');
    const names = graph.pendingWeights.map((w) => w.name);
    expect(names).toContain('embeddings.word_embeddings.weight');
    expect(names).toContain(`encoder.layer.${bertComputedLayers(DIMS) - 1}.output.LayerNorm.bias`);
    expect(names.some((name) => name.startsWith(`encoder.layer.${bertComputedLayers(DIMS)}.`))).toBe(false);
    const model = await ModelSession.load(await encodeModel(graph));
    const io = bertIo(DIMS);
    expect(model.inputNames).toEqual(io.inputs.map((spec) => spec.name));
    expect(model.outputNames).toEqual(io.outputs.map((spec) => spec.name));
  });

  it('runs in fp16 with float32 inputs and outputs, close to the reference', async () => {
    const { ids, mask } = padded(SEGMENTS, TOKENS);
    const hidden = await run(await session('fp16'), ids, mask);
    expect(hidden.dtype).toBe('float32');
    const error = agreement(hidden, await bertReference(weights, DIMS, ids, mask));
    expect(error.relative).toBeLessThan(2e-2);
  });

  it('writes bert.onnx with external weights that onnxruntime loads and runs like the in-memory graph', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-bert-'));
    try {
      const external = new ExternalDataFile(dir, 'weights.bin');
      const written = await writeBertGraph(dir, weights, DIMS, 'fp32', external);
      await external.close();
      expect(written.path).toBe(join(dir, 'bert.onnx'));
      expect(external.size).toBeGreaterThan(DIMS.vocabSize * DIMS.hidden * 4);
      const { ids, mask } = padded(SEGMENTS, TOKENS);
      const fromFile = await run(await ModelSession.load(written.path), ids, mask);
      const inMemory = await run(await session('fp32'), ids, mask);
      expect(agreement(fromFile, inMemory).maxAbs).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses dimensions it cannot build', () => {
    expect(() => buildBertGraph(weights, { ...DIMS, heads: 3 }, 'fp32')).toThrow(/heads \(3\) must divide hidden \(16\)/);
  });
});
