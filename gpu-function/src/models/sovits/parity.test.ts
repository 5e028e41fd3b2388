/**
 * Conformance with GPT-SoVITS's own outputs (the parity fixtures: micro SoVITS checkpoints and the tensors
 * GPT-SoVITS computed from them: v1, v2, and v2Pro/v2ProPlus with their speaker-embedding fusion). Skipped, saying why, when the fixtures are absent.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readSovitsCheckpoint, symbolTableOf, type SovitsCheckpoint } from '../../checkpoint/index.ts';
import { readNpy } from '../../tensor/npy.ts';
import { parityAvailable, parityPath, paritySkipReason } from '../../tensor/parity.ts';
import { tensor, type HostTensor } from '../../tensor/tensor.ts';
import type { SovitsDims } from './config.ts';
import { sovitsDimsFromWeights } from './dims-from-weights.ts';
import { sovitsDimsFromArchitecture } from './from-checkpoint.ts';
import { buildDecoderGraph, buildExtractGraph, buildRefEncoderGraph } from './graph/build-graphs.ts';
import { decode64, extract64, mat, referenceGe64, Weights64 } from './reference/decode64.ts';
import { maxAbsDiff, relativeError, snrDb } from './testing/compare.ts';
import { floats, int64s, ints, sessionFor } from './testing/sessions.ts';

// Building and loading onnxruntime sessions takes seconds on a busy CI machine.
vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const fixture = (...parts: string[]): Promise<HostTensor> => readNpy(parityPath('sovits', ...parts));
const values = (t: HostTensor): number[] => (t.dtype === 'int64' ? Array.from(t.data as BigInt64Array, Number) : Array.from(t.data as Float32Array));

describe.skipIf(!parityAvailable).each(['v1', 'v2', 'v2Pro', 'v2ProPlus'] as const)('SoVITS %s conformance with GPT-SoVITS', (version) => {
  let checkpoint: SovitsCheckpoint;
  let dims: SovitsDims;
  let w64: Weights64;
  let decoded: Record<string, Record<string, HostTensor>>;
  let codes: number[];
  let phones: number[];
  let ge: HostTensor;
  const referenceDecodes = new Map<number, ReturnType<typeof decode64>>();
  const referenceDecode = (speed: number): ReturnType<typeof decode64> => {
    const known = referenceDecodes.get(speed);
    if (known !== undefined) return known;
    const result = decode64(w64, dims, { codes, phones, ge: Float64Array.from(values(ge)), noiseScale: 0, speed });
    referenceDecodes.set(speed, result);
    return result;
  };

  beforeAll(async () => {
    checkpoint = await readSovitsCheckpoint(parityPath('ckpt', `sovits_${version}_micro.pth`));
    dims = sovitsDimsFromArchitecture(checkpoint.architecture);
    w64 = await Weights64.load(checkpoint.weights);
    codes = values(await fixture('common', 'codes_in.npy'));
    phones = values(await fixture('common', `text_${symbolTableOf(version)}.npy`));
    ge = await fixture(version, 'ge.npy');
    const decoder = await sessionFor(buildDecoderGraph({ weights: checkpoint.weights, dims, precision: 'fp32', intermediates: true }));
    decoded = {};
    for (const speed of [1, 1.25]) {
      const frames = speed === 1 ? 2 * codes.length : Math.trunc((2 * codes.length) / speed) + 1;
      decoded[String(speed)] = await decoder.run({
        codes: int64s(codes, [1, codes.length]),
        code_lengths: int64s([codes.length]),
        phones: int64s(phones, [1, phones.length]),
        phone_lengths: int64s([phones.length]),
        ge,
        noise: tensor('float32', [1, dims.inter, frames], new Float32Array(dims.inter * frames)),
        noise_scale: tensor('float32', [], Float32Array.of(0)),
        speed: tensor('float64', [1], Float64Array.of(speed)),
      });
    }
  });
  afterAll(async () => {
    await checkpoint.weights.close();
  });

  it('reads the same widths from the reader architecture as from the tensor shapes', () => {
    expect(sovitsDimsFromWeights(checkpoint.weights)).toEqual(dims);
    expect(dims.version).toBe(version);
    expect(dims.refEncoder.bins).toBe(version === 'v1' ? 1025 : 704);
    expect(dims.speakerFusion).toEqual(version.startsWith('v2Pro') ? { embeddingDim: 20480 } : null);
  });

  it('extracts exactly the prompt codes GPT-SoVITS extracts', async () => {
    const ssl = await fixture('common', 'ssl_content.npy');
    const expected = values(await fixture(version, 'extract_latent_codes.npy'));
    const session = await sessionFor(buildExtractGraph({ weights: checkpoint.weights, dims, precision: 'fp32' }));
    expect(ints((await session.run({ ssl, ssl_lengths: int64s([ssl.shape[2] ?? 0]) }))['codes'])).toEqual(expected);
    const reference = extract64(w64, mat(ssl.shape[1] ?? 0, ssl.shape[2] ?? 0, Float64Array.from(values(ssl))));
    expect(reference.codes).toEqual(expected);
    expect(maxAbsDiff(reference.margins, values(await fixture(version, 'extract_latent_margin.npy')))).toBeLessThan(1e-3);
  });

  it('computes the reference spectrogram (rel <= 1e-5) and ge (abs <= 1e-4), fusing the speaker embedding from v2Pro on', async () => {
    const wav = await fixture('common', 'ref_wav_32k.npy');
    const spec = values(await fixture('common', 'ref_spec.npy')).slice(0, dims.refEncoder.bins * 37);
    const svEmb = dims.speakerFusion === null ? undefined : await fixture('common', 'sv_emb.npy');
    const session = await sessionFor(buildRefEncoderGraph({ weights: checkpoint.weights, dims, precision: 'fp32' }));
    const out = await session.run({ ref_audio: wav, ref_lengths: int64s([wav.shape[1] ?? 0]), ...(svEmb === undefined ? {} : { sv_emb: svEmb }) });
    expect(relativeError(floats(out['spec']), spec)).toBeLessThan(1e-5);
    expect(maxAbsDiff(floats(out['ge']), values(ge))).toBeLessThan(1e-4);
    const reference = referenceGe64(w64, dims, Float64Array.from(values(wav)), svEmb === undefined ? undefined : Float64Array.from(values(svEmb)));
    expect(relativeError(reference.spec.data, spec)).toBeLessThan(1e-5);
    expect(maxAbsDiff(reference.ge, values(ge))).toBeLessThan(1e-4);
  });

  it('reproduces enc_p, the prior and the reversed flow (abs <= 1e-4)', async () => {
    const out = decoded['1'] ?? {};
    const reference = referenceDecode(1);
    const pairs = [
      ['enc_p_x', 'enc_p_x.npy', reference.encoded],
      ['m_p', 'm_p.npy', reference.m],
      ['logs_p', 'logs_p.npy', reference.logs],
      ['z', 'z_flow.npy', reference.z],
    ] as const;
    for (const [output, file, ours] of pairs) {
      const expected = values(await fixture(version, file));
      expect(maxAbsDiff(floats(out[output]), expected), `graph ${output}`).toBeLessThan(1e-4);
      expect(maxAbsDiff(ours.data, expected), `float64 ${output}`).toBeLessThan(1e-4);
    }
    const resized = values(await fixture(version, 'm_p_speed1.25.npy'));
    expect(maxAbsDiff(floats(decoded['1.25']?.['m_p']), resized)).toBeLessThan(1e-4);
  });

  it.each([1, 1.25])('decodes audio at speed %s with SNR >= 60 dB against GPT-SoVITS (graph and float64)', async (speed) => {
    const expected = values(await fixture(version, speed === 1 ? 'audio_speed1.npy' : 'audio_speed1.25.npy'));
    const audio = floats(decoded[String(speed)]?.['audio']);
    expect(audio.length).toBe(expected.length);
    expect(snrDb(audio, expected)).toBeGreaterThan(60);
    expect(maxAbsDiff(audio, expected)).toBeLessThan(1e-4);
    const reference = referenceDecode(speed);
    expect(snrDb(reference.audio, expected)).toBeGreaterThan(60);
  });
});

if (!parityAvailable) it.skip(paritySkipReason, () => undefined);
