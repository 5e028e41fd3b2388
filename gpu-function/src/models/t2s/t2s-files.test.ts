import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ExternalDataFile, writeModel } from '../../onnx/index.ts';
import { onnx } from '../../onnx/proto.ts';
import { ModelSession } from '../../runtime/index.ts';
import { MemoryTensorStore, tensor } from '../../tensor/index.ts';
import { validateT2sDims, type T2sDims } from './config.ts';
import { buildT2sDecode } from './decode-graph.ts';
import { T2sGraphDriver } from './graph-driver.ts';
import { T2S_FILES, t2sDecodeIo, t2sPrefillIo } from './io.ts';
import { copyPrefillKv } from './kv-copy.ts';
import { buildT2sPrefill } from './prefill-graph.ts';
import { syntheticT2sWeights } from './synthetic-weights.ts';
import { t2sWeightShapes } from './weights.ts';
import { writeT2sGraphs } from './write.ts';

const DIMS: T2sDims = { layers: 2, hidden: 32, heads: 2, ffn: 128, phonemeVocab: 40, vocab: 65, eos: 64, bertDim: 1024 };
const weights = syntheticT2sWeights(DIMS, 7);

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'gsv-t2s-'));
  dirs.push(dir);
  return dir;
}
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('T2S graph files', () => {
  it('writes prefill and decode over one shared weight file, named as in the checkpoint, loadable with full optimization', async () => {
    const dir = await tempDir();
    const shared = new ExternalDataFile(dir, 't2s.weights');
    const written = await writeT2sGraphs(dir, weights, DIMS, 'fp32', shared);
    await shared.close();
    // The decode graph's weights are a subset of the prefill's: writing it added nothing to the shared file.
    const prefillOnly = new ExternalDataFile(await tempDir(), 'prefill.weights');
    await writeModel(buildT2sPrefill(weights, DIMS, 'fp32'), { dir: await tempDir(), fileName: 'p.onnx', externalData: prefillOnly });
    await prefillOnly.close();
    expect(shared.size).toBe(prefillOnly.size);
    expect((await readFile(join(dir, 't2s.weights'))).length).toBe(shared.size);

    const prefill = onnx.ModelProto.decode(await readFile(written.prefill.path));
    const initializers = prefill.graph?.initializer?.map((t) => t.name ?? '') ?? [];
    for (const name of t2sWeightShapes(DIMS).keys()) expect(initializers).toContain(name);
    const metadata = Object.fromEntries(prefill.metadataProps.map((p) => [p.key ?? '', p.value ?? '']));
    expect(metadata).toMatchObject({ 'gsv-edge.graph': 't2s-prefill', 'gsv-edge.precision': 'fp32' });
    expect(JSON.parse(String(metadata['gsv-edge.t2s.dims']))).toEqual(DIMS);

    for (const [file, io] of [
      [T2S_FILES.prefill, t2sPrefillIo(DIMS, 'fp32')],
      [T2S_FILES.decode, t2sDecodeIo(DIMS, 'fp32')],
    ] as const) {
      const session = await ModelSession.load(join(dir, file));
      expect(session.inputNames).toEqual(io.inputs.map((spec) => spec.name));
      expect(session.outputNames).toEqual(io.outputs.map((spec) => spec.name));
      await session.release();
    }
  });

  it('stores the fp16 variant at half the weight bytes', async () => {
    const sizes: number[] = [];
    for (const precision of ['fp32', 'fp16'] as const) {
      const dir = await tempDir();
      const shared = new ExternalDataFile(dir, 't2s.weights');
      await writeT2sGraphs(dir, weights, DIMS, precision, shared);
      await shared.close();
      sizes.push(shared.size);
    }
    expect(sizes[1]! / sizes[0]!).toBeGreaterThan(0.45);
    expect(sizes[1]! / sizes[0]!).toBeLessThan(0.55);
  });

  it('decode writes each row only at its own cache length and leaves the rest of the pool untouched', async () => {
    const driver = await T2sGraphDriver.load(weights, DIMS, { slots: 3, capacity: 12 });
    const sentinel = 0.375;
    for (const pool of [...driver.keys, ...driver.values]) (pool.data as Float32Array).fill(sentinel);
    driver.lengths.set([5, 0, 9]);
    driver.positions.set([2, 0, 4]);
    await driver.decode([3, 8, 1]);
    const d = DIMS.hidden / DIMS.heads;
    for (const pool of [...driver.keys, ...driver.values]) {
      const data = pool.data as Float32Array;
      for (let slot = 0; slot < 3; slot += 1) {
        for (let h = 0; h < DIMS.heads; h += 1) {
          for (let t = 0; t < 12; t += 1) {
            const column = data.subarray(((slot * DIMS.heads + h) * 12 + t) * d, ((slot * DIMS.heads + h) * 12 + t + 1) * d);
            const written = column.some((v) => v !== sentinel);
            expect(written, `slot ${slot} head ${h} column ${t}`).toBe(t === [5, 0, 9][slot]);
          }
        }
      }
    }
    expect(Array.from(driver.lengths)).toEqual([6, 1, 10]);
    await driver.release();
  });

  it('refuses weights and dims the graphs cannot use, naming what is wrong', () => {
    const missing = new MemoryTensorStore(weights.names().filter((n) => n !== 'h.layers.1.linear2.bias').map((n) => [n, weights.get(n)]));
    expect(() => buildT2sDecode(missing, DIMS, 'fp32')).toThrow(/h\.layers\.1\.linear2\.bias.*missing/);
    const misshapen = new MemoryTensorStore(weights.names().map((n) => [n, weights.get(n)]));
    misshapen.set('ar_predict_layer.weight', tensor('float32', [64, 32], new Float32Array(64 * 32)));
    expect(() => buildT2sPrefill(misshapen, DIMS, 'fp32')).toThrow(/ar_predict_layer\.weight.*\[64, 32\].*\[65, 32\]/);
    expect(() => validateT2sDims({ ...DIMS, heads: 8 })).toThrow(/head size 4.*multiple of 8/);
    expect(() => validateT2sDims({ ...DIMS, eos: 3 })).toThrow(/eos/);
  });

  it('refuses to copy a prefill row into a pool slot too small for it', () => {
    const present = tensor('float32', [1, 2, 10, 16], new Float32Array(320));
    const pool = tensor('float32', [2, 2, 8, 16], new Float32Array(512));
    expect(copyPrefillKv(present, 6, { row: 0, textLength: 4, promptLength: 3 }, pool, 1)).toBe(7);
    expect(() => copyPrefillKv(present, 6, { row: 0, textLength: 6, promptLength: 3 }, pool, 1)).toThrow(/no room.*capacity 8/);
  });
});
