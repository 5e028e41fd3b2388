import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeModel } from '../../onnx/index.ts';
import { ModelSession } from '../../runtime/index.ts';
import { readNpy, tensor, type HostTensor } from '../../tensor/index.ts';
import { agreement } from '../bert/error-metrics.ts';
import { readSvCheckpoint, type SvCheckpoint } from './checkpoint.ts';
import { computeSvEmbedding } from './embedding.ts';
import { buildSvGraph } from './graph.ts';
import { SV_IO_NAMES } from './io.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../../test/fixtures/sv');
const fixture = (name: string): string => join(fixtures, name);

interface Manifest {
  readonly checkpoint: { readonly constructor: { readonly m_channels: number; readonly num_blocks: readonly number[] }; readonly embedding_dim: number };
  readonly noise: { readonly embedding: Readonly<Record<string, { readonly fp32_vs_fp64_model_maxabs: number; readonly absmax: number }>> };
}
const manifest = JSON.parse(readFileSync(fixture('manifest.json'), 'utf8')) as Manifest;

/** The bound: max abs difference ≤ 1e-4 of the embedding's largest magnitude. */
const RELATIVE_TOLERANCE = 1e-4;

let sv: SvCheckpoint;
let session: ModelSession;

beforeAll(async () => {
  sv = await readSvCheckpoint(fixture('sv_micro.ckpt'));
  session = await ModelSession.load(await encodeModel(buildSvGraph(sv.weights, { dims: sv.dims })));
});

afterAll(async () => {
  await session.release();
  await sv.weights.close();
});

async function embed(...fbanks: HostTensor[]): Promise<HostTensor> {
  const [frames = 0, bins = 0] = fbanks[0]?.shape ?? [];
  const data = new Float32Array(fbanks.length * frames * bins);
  fbanks.forEach((fbank, b) => {
    data.set(fbank.data as Float32Array, b * frames * bins);
  });
  const out = await session.run({ [SV_IO_NAMES.fbank]: tensor('float32', [fbanks.length, frames, bins], data) });
  return out[SV_IO_NAMES.embedding]!;
}

describe('ERes2NetV2 forward3 conformance with GPT-SoVITS (test/fixtures/sv, micro checkpoint)', () => {
  it('derives the micro model from tensor shapes', () => {
    const { m_channels: m, num_blocks: blocks } = manifest.checkpoint.constructor;
    expect(sv.dims.stemChannels).toBe(m);
    expect(sv.dims.layers.map((layer) => layer.length)).toEqual(blocks);
    expect(sv.dims.expansion).toBe(4);
    expect(sv.dims.layers.map((layer) => [layer[0]!.width, layer[0]!.scale, layer[0]!.fused])).toEqual([[2, 4, false], [4, 4, false], [9, 4, true], [18, 4, true]]);
    expect(sv.dims.embeddingDim).toBe(manifest.checkpoint.embedding_dim);
  });

  it.each([
    ['a', 'batch 1, 318 frames'],
    ['b', 'batch 1, 168 frames'],
  ])('reproduces embedding_%s (%s)', async (name) => {
    const expected = await readNpy(fixture(`embedding_${name}.npy`));
    const actual = await embed(await readNpy(fixture(`fbank_${name}.npy`)));
    expect(actual.shape).toEqual(expected.shape);
    const { relative, maxAbs } = agreement(actual, expected);
    expect(relative).toBeLessThan(RELATIVE_TOLERANCE);
    // Different accumulation order and the BatchNorm folding give fp32 noise of the size float64 measures, not more.
    expect(maxAbs).toBeLessThan(4 * (manifest.noise.embedding[name]?.fp32_vs_fp64_model_maxabs ?? 0));
  });

  it('reproduces the batch-2 embedding, each row equal to its own batch-1 run', async () => {
    const expected = await readNpy(fixture('embedding_ac.npy'));
    const [a, c] = await Promise.all([readNpy(fixture('fbank_a.npy')), readNpy(fixture('fbank_c.npy'))]);
    const actual = await embed(a, c);
    expect(actual.shape).toEqual([2, manifest.checkpoint.embedding_dim]);
    expect(agreement(actual, expected).relative).toBeLessThan(RELATIVE_TOLERANCE);
    const rowA = await embed(a);
    const width = manifest.checkpoint.embedding_dim;
    expect(agreement(tensor('float32', [1, width], (actual.data as Float32Array).slice(0, width)), rowA).relative).toBeLessThan(1e-6);
  });

  it('computes the embedding from the waveform (TypeScript fbank + graph) within the fp32 noise of the pipeline', async () => {
    const wave = (await readNpy(fixture('wave_a.npy'))).data as Float32Array;
    const expected = await readNpy(fixture('embedding_a.npy'));
    const embedding = await computeSvEmbedding(session, wave);
    expect(embedding.length).toBe(manifest.checkpoint.embedding_dim);
    expect(agreement(tensor('float32', expected.shape, embedding), expected).relative).toBeLessThan(RELATIVE_TOLERANCE);
  });
});
