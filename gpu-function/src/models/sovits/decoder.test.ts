import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ModelSession } from '../../runtime/session.ts';
import { tensor, type HostTensor } from '../../tensor/tensor.ts';
import { buildDecoderGraph } from './graph/build-graphs.ts';
import { sovitsFrameCount } from './io.ts';
import { decode64, mat, Weights64 } from './reference/decode64.ts';
import { columns, maxAbsDiff, relativeError, snrDb } from './testing/compare.ts';
import { seededNormal } from '../../tensor/random.ts';
import { floats, int64s, ints, sessionFor } from './testing/sessions.ts';
import { TINY_SOVITS_DIMS, syntheticSovitsWeights } from './testing/synthetic-weights.ts';

// Building and loading onnxruntime sessions takes seconds on a busy CI machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const dims = TINY_SOVITS_DIMS;
const weights = syntheticSovitsWeights(dims, 7);
const normal = seededNormal(11);

interface Item {
  readonly codes: number[];
  readonly phones: number[];
  readonly ge: number[];
  readonly speed: number;
}

const items: Item[] = [
  { tokens: 5, phones: 4, speed: 1 },
  { tokens: 3, phones: 2, speed: 1.25 },
  { tokens: 4, phones: 6, speed: 0.8 },
].map((spec, i) => ({
  codes: Array.from({ length: spec.tokens }, (_, t) => (7 * t + 3 * i + 1) % dims.codebookSize),
  phones: Array.from({ length: spec.phones }, (_, t) => (5 * t + i + 2) % dims.symbols),
  ge: Array.from({ length: dims.gin }, () => normal()),
  speed: spec.speed,
}));
const frames = items.map((item) => sovitsFrameCount(item.codes.length, item.speed));
const maxFrames = Math.max(...frames);
/** One noise tensor per item, `[inter, F_max]`; an item alone gets its first F_i columns. */
const noise = items.map(() => Float64Array.from({ length: dims.inter * maxFrames }, () => normal()));
const NOISE_SCALE = 0.5;

/** Feeds for `batch` (indices into items), padded to the longest; noise laid out over `width` frames. */
function feeds(batch: readonly number[], width: number): Record<string, HostTensor> {
  const chosen = batch.map((i) => items[i] as Item);
  const tokens = Math.max(...chosen.map((item) => item.codes.length));
  const phones = Math.max(...chosen.map((item) => item.phones.length));
  const pad = (values: readonly number[], n: number): number[] => [...values, ...Array<number>(n - values.length).fill(0)];
  const noiseData = new Float32Array(batch.length * dims.inter * width);
  batch.forEach((i, row) => { noiseData.set(Float32Array.from(columns(noise[i] ?? [], dims.inter, maxFrames, 0, width)), row * dims.inter * width); });
  return {
    codes: int64s(chosen.flatMap((item) => pad(item.codes, tokens)), [batch.length, tokens]),
    code_lengths: int64s(chosen.map((item) => item.codes.length)),
    phones: int64s(chosen.flatMap((item) => pad(item.phones, phones)), [batch.length, phones]),
    phone_lengths: int64s(chosen.map((item) => item.phones.length)),
    ge: tensor('float32', [batch.length, dims.gin, 1], Float32Array.from(chosen.flatMap((item) => item.ge))),
    noise: tensor('float32', [batch.length, dims.inter, width], noiseData),
    noise_scale: tensor('float32', [], Float32Array.of(NOISE_SCALE)),
    speed: tensor('float64', [batch.length], Float64Array.from(chosen.map((item) => item.speed))),
  };
}

describe('sovits-decoder graph (tiny random model, fp32, CPU)', () => {
  let session: ModelSession;
  let batched: Record<string, HostTensor>;
  const samples = maxFrames * 640;

  beforeAll(async () => {
    session = await sessionFor(buildDecoderGraph({ weights, dims, precision: 'fp32' }));
    batched = await session.run(feeds([0, 1, 2], maxFrames));
  });

  it('gives 640 samples per frame, int(2T / speed) + 1 frames (2T at speed 1), silence past each length', () => {
    expect(ints(batched['audio_lengths'])).toEqual(frames.map((f) => f * 640));
    expect(batched['audio']?.shape).toEqual([3, samples]);
    const audio = floats(batched['audio']);
    frames.forEach((f, row) => {
      expect(maxAbsDiff(audio.subarray(row * samples + f * 640, (row + 1) * samples), new Float32Array(samples - f * 640))).toBe(0);
    });
  });

  it('matches the independent float64 forward for every item of the batch (relative error <= 1e-5)', async () => {
    const w64 = await Weights64.load(weights);
    const audio = floats(batched['audio']);
    items.forEach((item, row) => {
      const f = frames[row] ?? 0;
      const expected = decode64(w64, dims, {
        codes: item.codes,
        phones: item.phones,
        ge: Float64Array.from(item.ge),
        noise: mat(dims.inter, f, columns(noise[row] ?? [], dims.inter, maxFrames, 0, f)),
        noiseScale: NOISE_SCALE,
        speed: item.speed,
      }).audio;
      const actual = audio.subarray(row * samples, row * samples + f * 640);
      expect(relativeError(actual, expected), `item ${row} (speed ${item.speed})`).toBeLessThan(1e-5);
      expect(snrDb(actual, expected)).toBeGreaterThan(90);
    });
  });

  it('computes the resized length from the float64 speed exactly as Python does', async () => {
    const alone = (items[0] as Item).codes;
    const codes = [...alone, ...alone, 1].slice(0, 11); // 11 tokens at speed 1.1: int(22 / 1.1) + 1 = 21 frames
    const out = await session.run({
      ...feeds([0], 24),
      codes: int64s(codes, [1, 11]),
      code_lengths: int64s([11]),
      speed: tensor('float64', [1], Float64Array.of(1.1)),
    });
    expect(ints(out['audio_lengths'])).toEqual([sovitsFrameCount(11, 1.1) * 640]);
    expect(sovitsFrameCount(11, 1.1)).toBe(21);
  });

  it('decodes each item of a padded batch as it decodes that item alone', async () => {
    const audio = floats(batched['audio']);
    for (const [row, f] of frames.entries()) {
      const alone = await session.run(feeds([row], f));
      const single = floats(alone['audio']);
      const difference = maxAbsDiff(audio.subarray(row * samples, row * samples + f * 640), single);
      expect(difference, `item ${row}: batched vs alone`).toBeLessThan(1e-6);
    }
  });
});
