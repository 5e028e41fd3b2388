import { describe, expect, it, vi } from 'vitest';
import { tensor } from '../../tensor/tensor.ts';
import { buildExtractGraph } from './graph/build-graphs.ts';
import { extract64, mat, Weights64 } from './reference/decode64.ts';
import { columns } from './testing/compare.ts';
import { seededNormal } from '../../tensor/random.ts';
import { int64s, ints, sessionFor } from './testing/sessions.ts';
import { TINY_SOVITS_DIMS, syntheticSovitsWeights } from './testing/synthetic-weights.ts';

// Building and loading onnxruntime sessions takes seconds on a busy CI machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const dims = TINY_SOVITS_DIMS;
const weights = syntheticSovitsWeights(dims, 5);

describe('sovits-extract graph (tiny random model)', () => {
  it('picks the codebook rows the float64 extract_latent picks, per item of a padded batch', async () => {
    const normal = seededNormal(3);
    const lengths = [23, 16];
    const width = 23;
    const ssl = Float64Array.from({ length: lengths.length * dims.sslDim * width }, () => normal());
    const session = await sessionFor(buildExtractGraph({ weights, dims, precision: 'fp32' }));
    const out = await session.run({ ssl: tensor('float32', [2, dims.sslDim, width], Float32Array.from(ssl)), ssl_lengths: int64s(lengths) });
    const tokens = Math.floor(width / 2);
    expect(out['codes']?.shape).toEqual([2, tokens]);
    expect(ints(out['code_lengths'])).toEqual([11, 8]);
    const codes = ints(out['codes']);
    const w64 = await Weights64.load(weights);
    lengths.forEach((length, row) => {
      const item = columns(ssl.subarray(row * dims.sslDim * width, (row + 1) * dims.sslDim * width), dims.sslDim, width, 0, length);
      const expected = extract64(w64, mat(dims.sslDim, length, item));
      expect(Math.min(...expected.margins)).toBeGreaterThan(1e-3); // no near-tie the fp32 graph could resolve otherwise
      const n = Math.floor(length / 2);
      expect(codes.slice(row * tokens, row * tokens + n)).toEqual(expected.codes);
      expect(codes.slice(row * tokens + n, (row + 1) * tokens)).toEqual(Array<number>(tokens - n).fill(0));
    });
  });

  it('computes codes in fp32 in the fp16 variant too (identical codes)', async () => {
    const normal = seededNormal(4);
    const ssl = tensor('float32', [1, dims.sslDim, 20], Float32Array.from({ length: dims.sslDim * 20 }, () => normal()));
    const run = async (precision: 'fp32' | 'fp16'): Promise<number[]> =>
      ints((await (await sessionFor(buildExtractGraph({ weights, dims, precision }))).run({ ssl, ssl_lengths: int64s([20]) }))['codes']);
    const [full, half] = [await run('fp32'), await run('fp16')];
    expect(half).toEqual(full);
  });
});
