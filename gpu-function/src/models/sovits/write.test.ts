import { mkdir, mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { ExternalDataFile } from '../../onnx/external-data.ts';
import { ModelSession } from '../../runtime/session.ts';
import { tensor } from '../../tensor/tensor.ts';
import { buildDecoderGraph, buildExtractGraph, buildRefEncoderGraph } from './graph/build-graphs.ts';
import { SOVITS_DECODER_IO, SOVITS_EXTRACT_IO, SOVITS_REF_ENCODER_IO } from './io.ts';
import { snrDb } from './testing/compare.ts';
import { seededNormal } from '../../tensor/random.ts';
import { floats, int64s } from './testing/sessions.ts';
import { TINY_SOVITS_DIMS, syntheticSovitsWeights } from './testing/synthetic-weights.ts';
import { writeSovitsGraphs } from './write.ts';

// Building and loading onnxruntime sessions takes seconds on a busy CI machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const dims = TINY_SOVITS_DIMS;
const weights = syntheticSovitsWeights(dims, 13);
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('SoVITS graph files', () => {
  it('name every initializer after its checkpoint tensor and use every inference tensor', () => {
    const options = { weights, dims, precision: 'fp32' as const };
    const used = new Set([buildExtractGraph(options), buildRefEncoderGraph(options), buildDecoderGraph(options)].flatMap((g) => g.pendingWeights.map((w) => w.name)));
    expect([...used].sort()).toEqual([...weights.names()].sort());
  });

  it('writes the three graphs in fp32 and fp16 over one shared weight file each, loadable with full optimization', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-sovits-'));
    dirs.push(dir);
    const normal = seededNormal(21);
    const frames = 8;
    const feeds = {
      codes: int64s([1, 5, 9, 2], [1, 4]),
      code_lengths: int64s([4]),
      phones: int64s([3, 4, 5], [1, 3]),
      phone_lengths: int64s([3]),
      ge: tensor('float32', [1, dims.gin, 1], Float32Array.from({ length: dims.gin }, () => normal())),
      noise: tensor('float32', [1, dims.inter, frames], Float32Array.from({ length: dims.inter * frames }, () => normal())),
      noise_scale: tensor('float32', [], Float32Array.of(0.5)),
      speed: tensor('float64', [1], Float64Array.of(1)),
    };
    const reference = { ref_audio: tensor('float32', [1, 9000], Float32Array.from({ length: 9000 }, (_, i) => 0.4 * Math.sin(i / 7) + 0.05 * normal())), ref_lengths: int64s([9000]) };
    const audio: Record<string, Float32Array> = {};
    const ge: Record<string, Float32Array> = {};
    const weightBytes: Record<string, number> = {};
    for (const precision of ['fp32', 'fp16'] as const) {
      const sub = join(dir, precision);
      await mkdir(sub);
      const externalData = new ExternalDataFile(sub, 'sovits.weights');
      const written = await writeSovitsGraphs({ dir: sub, weights, dims, precision, externalData });
      await externalData.close();
      weightBytes[precision] = (await stat(externalData.path)).size;
      expect(written.decoder.path).toBe(join(sub, SOVITS_DECODER_IO.file));
      expect((await readdir(sub)).sort()).toEqual([SOVITS_DECODER_IO.file, SOVITS_EXTRACT_IO.file, SOVITS_REF_ENCODER_IO.file, 'sovits.weights'].sort());
      for (const io of [SOVITS_EXTRACT_IO, SOVITS_REF_ENCODER_IO, SOVITS_DECODER_IO]) {
        const session = await ModelSession.load(join(sub, io.file));
        expect(session.inputNames).toEqual(io.inputs.map((spec) => spec.name));
        expect(session.outputNames).toEqual(io.outputs.map((spec) => spec.name));
        if (io === SOVITS_DECODER_IO) audio[precision] = floats((await session.run(feeds))['audio']);
        if (io === SOVITS_REF_ENCODER_IO) ge[precision] = floats((await session.run(reference))['ge']);
        await session.release();
      }
    }
    expect(weightBytes['fp16']).toBeLessThan(0.6 * (weightBytes['fp32'] ?? 0));
    // fp16 weights and activations (run here on the CPU provider, which casts around fp16 kernels it lacks).
    expect(snrDb(audio['fp16'] ?? [], audio['fp32'] ?? [])).toBeGreaterThan(35);
    expect(snrDb(ge['fp16'] ?? [], ge['fp32'] ?? [])).toBeGreaterThan(35);
  });
});
