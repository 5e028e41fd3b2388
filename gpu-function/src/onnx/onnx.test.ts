import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelSession } from '../runtime/session.ts';
import { MemoryTensorStore } from '../tensor/memory-store.ts';
import { tensor } from '../tensor/tensor.ts';
import { ExternalDataFile } from './external-data.ts';
import { GraphBuilder } from './graph-builder.ts';
import { Ops } from './ops.ts';
import { encodeModel, writeModel } from './writer.ts';

const weights = new MemoryTensorStore([
  ['proj.weight', tensor('float32', [3, 2], Float32Array.of(1, 2, 3, 4, 5, 6))],
  ['proj.bias', tensor('float32', [3], Float32Array.of(0.5, -0.5, 0))],
  ['norm.weight', tensor('float16', [3], Uint16Array.of(0x3c00, 0x4000, 0x3c00))], // 1, 2, 1
  ['norm.bias', tensor('float32', [3], Float32Array.of(0, 0, 1))],
]);

function buildLinearNorm(precision: 'fp32' | 'fp16' = 'fp32'): GraphBuilder {
  const g = new GraphBuilder({ name: 'linear-norm', weights, precision });
  const op = new Ops(g);
  const x = g.input('x', 'float32', ['batch', 2]);
  const h = op.linear(x, g.weight('proj.weight'), g.weight('proj.bias')); // [batch, 3]
  const y = op.layerNorm(h, g.weight('norm.weight'), g.weight('norm.bias'), 1e-5);
  g.output(y, 'y', ['batch', 3]);
  return g;
}

/** The same computation in float64. */
function expected(x: readonly number[]): number[] {
  const h = [0, 1, 2].map((row) => (x[0] ?? 0) * (2 * row + 1) + (x[1] ?? 0) * (2 * row + 2) + [0.5, -0.5, 0][row]!);
  const mean = h.reduce((a, b) => a + b, 0) / 3;
  const variance = h.reduce((a, b) => a + (b - mean) ** 2, 0) / 3;
  return h.map((v, i) => ((v - mean) / Math.sqrt(variance + 1e-5)) * [1, 2, 1][i]! + [0, 0, 1][i]!);
}

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('ONNX graph builder', () => {
  it('builds a graph onnxruntime runs, with checkpoint names as initializer names', async () => {
    const session = await ModelSession.load(await encodeModel(buildLinearNorm()));
    const out = await session.run({ x: tensor('float32', [2, 2], Float32Array.of(1, 2, -1, 0.5)) });
    const y = out['y']!;
    expect(y.shape).toEqual([2, 3]);
    const rows = [expected([1, 2]), expected([-1, 0.5])].flat();
    Array.from(y.data as Float32Array).forEach((value, i) => {
      expect(value).toBeCloseTo(rows[i]!, 5);
    });
  });

  it('writes weights to a shared external file that several models reference once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gsv-onnx-'));
    dirs.push(dir);
    const shared = new ExternalDataFile(dir, 'shared.weights');
    await writeModel(buildLinearNorm(), { dir, fileName: 'a.onnx', externalData: shared, inlineBelowBytes: 0 });
    const sizeAfterFirst = shared.size;
    await writeModel(buildLinearNorm(), { dir, fileName: 'b.onnx', externalData: shared, inlineBelowBytes: 0 });
    await shared.close();
    expect(shared.size).toBe(sizeAfterFirst);
    expect((await readFile(join(dir, 'shared.weights'))).length).toBe(sizeAfterFirst);
    const session = await ModelSession.load(join(dir, 'b.onnx'));
    const out = await session.run({ x: tensor('float32', [1, 2], Float32Array.of(1, 2)) });
    Array.from(out['y']!.data as Float32Array).forEach((value, i) => {
      expect(value).toBeCloseTo(expected([1, 2])[i]!, 5);
    });
  });

  it('refuses a weight the checkpoint lacks, naming it', () => {
    const g = new GraphBuilder({ name: 'broken', weights });
    expect(() => g.weight('missing.weight')).toThrow(/missing\.weight/);
  });

  it('stores fp16 variants at half the size', async () => {
    const fp32 = await encodeModel(buildLinearNorm('fp32'));
    const fp16 = await encodeModel(buildLinearNorm('fp16'));
    expect(fp16.length).toBeLessThan(fp32.length);
  });
});
