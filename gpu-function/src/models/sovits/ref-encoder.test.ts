import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { ModelSession } from '../../runtime/session.ts';
import type { HostTensor } from '../../tensor/tensor.ts';
import { buildRefEncoderGraph } from './graph/build-graphs.ts';
import { referenceGe64, Weights64 } from './reference/decode64.ts';
import { columns, relativeError } from './testing/compare.ts';
import { seededNormal } from '../../tensor/random.ts';
import { float32s, floats, int64s, ints, sessionFor } from './testing/sessions.ts';
import { TINY_SOVITS_DIMS, syntheticSovitsWeights } from './testing/synthetic-weights.ts';

// Building and loading onnxruntime sessions takes seconds on a busy CI machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const dims = TINY_SOVITS_DIMS;
const weights = syntheticSovitsWeights(dims, 9);

/** Tones plus noise, peak about 0.6. */
function referenceAudio(length: number, seed: number): Float64Array {
  const normal = seededNormal(seed);
  return Float64Array.from({ length }, (_, i) => 0.3 * Math.sin(i * 0.031 * seed) + 0.2 * Math.sin(i * 0.0071) + 0.05 * normal());
}

describe('sovits-ref-encoder graph (tiny random model, fp32, CPU)', () => {
  const lengths = [12_800 + 333, 8_000];
  const clips = lengths.map((n, i) => referenceAudio(n, i + 2));
  const width = Math.max(...lengths);
  let session: ModelSession;
  let out: Record<string, HostTensor>;

  beforeAll(async () => {
    session = await sessionFor(buildRefEncoderGraph({ weights, dims, precision: 'fp32' }));
    const audio = new Float32Array(clips.length * width);
    clips.forEach((clip, row) => { audio.set(Float32Array.from(clip), row * width); });
    out = await session.run({ ref_audio: float32s(audio, [clips.length, width]), ref_lengths: int64s(lengths) });
  });

  it('frames each reference in floor(N / 640) frames', () => {
    expect(ints(out['spec_lengths'])).toEqual([20, 12]);
    expect(out['spec']?.shape).toEqual([2, dims.refEncoder.bins, 20]);
    expect(out['ge']?.shape).toEqual([2, dims.gin, 1]);
  });

  it('matches the float64 FFT spectrogram and MelStyleEncoder per item of a padded batch (relative error <= 1e-5)', async () => {
    const w64 = await Weights64.load(weights);
    const spec = floats(out['spec']);
    const ge = floats(out['ge']);
    const bins = dims.refEncoder.bins;
    clips.forEach((clip, row) => {
      const expected = referenceGe64(w64, dims, clip);
      const frames = expected.spec.cols;
      const actualSpec = columns(spec.subarray(row * bins * 20, (row + 1) * bins * 20), bins, 20, 0, frames);
      expect(relativeError(actualSpec, expected.spec.data), `spectrogram ${row}`).toBeLessThan(1e-5);
      expect(relativeError(ge.subarray(row * dims.gin, (row + 1) * dims.gin), expected.ge), `ge ${row}`).toBeLessThan(1e-5);
    });
  });
});

describe('sovits-ref-encoder graph with v2Pro speaker fusion (tiny random model, fp32, CPU)', () => {
  const proDims = { ...dims, version: 'v2Pro', mrte: { hidden: 8, heads: 4 }, speakerFusion: { embeddingDim: 40 } } as const;
  const proWeights = syntheticSovitsWeights(proDims, 13);
  const lengths = [9_600, 12_800];
  const clips = lengths.map((n, i) => referenceAudio(n, i + 5));
  const embeddings = lengths.map((_, row) => Float64Array.from({ length: 40 }, (_, i) => Math.sin(i * (row + 1.3)) * 3));

  it('fuses each row of a padded batch with its own speaker embedding, as GPT-SoVITS does (relative error <= 1e-5)', async () => {
    const session = await sessionFor(buildRefEncoderGraph({ weights: proWeights, dims: proDims, precision: 'fp32' }));
    const width = Math.max(...lengths);
    const audio = new Float32Array(clips.length * width);
    clips.forEach((clip, row) => { audio.set(Float32Array.from(clip), row * width); });
    const out = await session.run({
      ref_audio: float32s(audio, [clips.length, width]),
      ref_lengths: int64s(lengths),
      sv_emb: float32s(embeddings.flatMap((e) => Array.from(e)), [clips.length, 40]),
    });
    const ge = floats(out['ge']);
    const w64 = await Weights64.load(proWeights);
    clips.forEach((clip, row) => {
      const expected = referenceGe64(w64, proDims, clip, embeddings[row]).ge;
      expect(expected.some((v) => v < 0), 'PReLU sees negative values').toBe(true);
      expect(relativeError(ge.subarray(row * dims.gin, (row + 1) * dims.gin), expected), `ge ${row}`).toBeLessThan(1e-5);
    });
  });

  it('refuses to compute ge without the embedding', async () => {
    const w64 = await Weights64.load(proWeights);
    expect(() => referenceGe64(w64, proDims, clips[0] ?? new Float64Array(0))).toThrow(/speaker embedding/);
  });
});
