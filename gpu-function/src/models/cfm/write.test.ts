import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LazyTensorStore } from '../../checkpoint/tensor-store.ts';
import { ExternalDataFile } from '../../onnx/external-data.ts';
import { ModelSession } from '../../runtime/session.ts';
import {
  VOCODER_IO,
  bigvganDimsFromWeights,
  buildBigvganVocoderGraph,
  buildHifiganVocoderGraph,
  hifiganDimsFromWeights,
  writeBigvganVocoder,
  writeHifiganVocoder,
  type BigvganConfigJson,
} from '../vocoder/index.ts';
import type { CfmDims } from './config.ts';
import { cfmDimsFromWeights } from './dims-from-weights.ts';
import { buildCfmEncpGraph, buildCfmExtractGraph, buildCfmRefEncoderGraph, buildCfmStepGraph, buildCfmTextGraph } from './graph/build-graphs.ts';
import { CFM_ENCP_IO, CFM_MEL_IO, CFM_STEP_IO, CFM_TEXT_IO, SOVITS_EXTRACT_IO, SOVITS_REF_ENCODER_IO } from './io.ts';
import { openBigvganFixture, openSovitsFixture, openVocoderFixture } from './testing/fixtures.ts';
import { writeCfmGraphs } from './write.ts';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

/** Tensors of a v3/v4 file that inference never reads. */
const UNUSED = [
  /^enc_p\.proj\./, // the VITS prior's projection: decode_encp computes m_p/logs_p and drops them
  /^linear_mel\./, // training only (the CFM loss target)
  /^quantizer\.vq\.layers\.0\._codebook\.(inited|cluster_size|embed_avg)$/, // k-means training buffers
];

describe('v3/v4 graph files', () => {
  let weights: LazyTensorStore;
  let dims: CfmDims;
  const dirs: string[] = [];

  beforeAll(async () => {
    weights = await openSovitsFixture('v4');
    dims = cfmDimsFromWeights(weights, 'v4');
  });
  afterAll(async () => {
    await weights.close();
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('name every initializer after its checkpoint tensor and use every inference tensor', () => {
    const options = { weights, dims, precision: 'fp32' as const };
    const graphs = [buildCfmExtractGraph(options), buildCfmRefEncoderGraph(options), buildCfmEncpGraph(options), buildCfmTextGraph(options), buildCfmStepGraph(options)];
    const used = new Set(graphs.flatMap((g) => g.pendingWeights.map((w) => w.name)));
    const inference = weights.names().filter((name) => !UNUSED.some((pattern) => pattern.test(name)));
    expect([...used].sort()).toEqual([...inference].sort());
  });

  it('writes the graphs and the vocoder in fp32 and fp16 over one shared weight file, loadable with full optimization', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-cfm-'));
    dirs.push(dir);
    const vocoderWeights = await openVocoderFixture();
    const vocoderDims = hifiganDimsFromWeights(vocoderWeights);
    const ios = [SOVITS_EXTRACT_IO, SOVITS_REF_ENCODER_IO, CFM_MEL_IO, CFM_ENCP_IO, CFM_TEXT_IO, CFM_STEP_IO, VOCODER_IO];
    const bytes: Record<string, number> = {};
    for (const precision of ['fp32', 'fp16'] as const) {
      const sub = join(dir, precision);
      await mkdir(sub);
      const externalData = new ExternalDataFile(sub, 'sovits.weights');
      await writeCfmGraphs({ dir: sub, weights, dims, precision, externalData });
      await writeHifiganVocoder({ dir: sub, weights: vocoderWeights, dims: vocoderDims, precision, externalData });
      await externalData.close();
      bytes[precision] = (await stat(externalData.path)).size;
      expect((await readdir(sub)).sort()).toEqual([...ios.map((io) => io.file), 'sovits.weights'].sort());
      for (const io of ios) {
        const session = await ModelSession.load(join(sub, io.file));
        expect(session.inputNames, io.file).toEqual(io.inputs.map((spec) => spec.name));
        expect(session.outputNames, io.file).toEqual(io.outputs.map((spec) => spec.name));
        await session.release();
      }
    }
    await vocoderWeights.close();
    expect(bytes['fp16']).toBeLessThan(0.6 * (bytes['fp32'] ?? 0));
  });

  it('use every tensor of both vocoders, and write v3\'s BigVGAN in fp32 and fp16, loadable', async () => {
    const hifigan = await openVocoderFixture();
    const hifiganUsed = buildHifiganVocoderGraph({ weights: hifigan, dims: hifiganDimsFromWeights(hifigan), precision: 'fp32' }).pendingWeights.map((w) => w.name);
    expect(hifiganUsed.sort()).toEqual([...hifigan.names()].sort());
    await hifigan.close();
    const { weights: bigvgan, config } = await openBigvganFixture();
    const dimsV3 = bigvganDimsFromWeights(bigvgan, config as BigvganConfigJson);
    const bigvganUsed = buildBigvganVocoderGraph({ weights: bigvgan, dims: dimsV3, precision: 'fp32' }).pendingWeights.map((w) => w.name);
    expect(bigvganUsed.sort()).toEqual([...bigvgan.names()].sort());
    const dir = await mkdtemp(join(tmpdir(), 'gsv-bigvgan-'));
    dirs.push(dir);
    for (const precision of ['fp32', 'fp16'] as const) {
      const sub = join(dir, precision);
      await mkdir(sub);
      const written = await writeBigvganVocoder({ dir: sub, weights: bigvgan, dims: dimsV3, precision });
      const session = await ModelSession.load(written.path);
      expect(session.outputNames).toEqual(VOCODER_IO.outputs.map((spec) => spec.name));
      await session.release();
    }
    await bigvgan.close();
  });
});
