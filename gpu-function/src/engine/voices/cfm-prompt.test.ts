/**
 * The v3/v4 CFM prompt against GPT-SoVITS's own tensors (`test/fixtures/v3v4`): the normalised reference mel and
 * decode_encp's prompt features, cut to the shorter of the two and then to their last T_ref frames, as
 * `using_vocoder_synthesis` cuts them.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { resampleSinc } from '../../audio/resample-sinc.ts';
import type { LazyTensorStore } from '../../checkpoint/tensor-store.ts';
import { CFM_MEL, type CfmVersion } from '../../models/cfm/config.ts';
import { cfmDimsFromWeights } from '../../models/cfm/dims-from-weights.ts';
import { buildCfmEncpGraph, buildCfmMelGraph } from '../../models/cfm/graph/build-graphs.ts';
import { fixture, measured, numbers, openSovitsFixture } from '../../models/cfm/testing/fixtures.ts';
import { maxAbsDiff, relativeError } from '../../models/sovits/testing/compare.ts';
import { sessionFor } from '../../models/sovits/testing/sessions.ts';
import type { HostTensor } from '../../tensor/tensor.ts';
import { CFM_CHUNKING } from '../cfm/chunking.ts';
import { computeCfmPrompt, type CfmPromptSessions } from './cfm-prompt.ts';
import type { PreparedReference } from './reference-audio.ts';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const MEL = 100;

/** Columns `[start, start + count)` of a `[1, C, T]` tensor, as `[C, count]`. */
function columns(t: HostTensor, start: number, count: number): number[] {
  const [, channels = 0, frames = 0] = t.shape;
  const data = numbers(t);
  const out: number[] = [];
  for (let c = 0; c < channels; c += 1) for (let j = 0; j < count; j += 1) out.push(data[c * frames + start + j] ?? 0);
  return out;
}

/** Only `mono` and its rate matter for the prompt. */
function reference(wav: HostTensor, sampleRate: number): PreparedReference {
  const mono = Float32Array.from(numbers(wav));
  return { ssl16k: new Float32Array(0), spec32k: new Float32Array(0), mono, durationSeconds: mono.length / sampleRate, sampleRate, channels: 1 };
}

describe.each<{ version: CfmVersion; wav: string; rate: number; melFrames: number; feaFrames: number; microRef: number }>([
  { version: 'v4', wav: 'ref_wav_32k.npy', rate: 32000, melFrames: 50, feaFrames: 56, microRef: 40 },
  { version: 'v3', wav: 'ref_wav_24k.npy', rate: 24000, melFrames: 46, feaFrames: 52, microRef: 36 },
])('computeCfmPrompt $version against GPT-SoVITS', ({ version, wav, rate, melFrames, feaFrames, microRef }) => {
  let weights: LazyTensorStore;
  let sessions: CfmPromptSessions;
  let prompt: { tokens: Int32Array; phoneIds: Int32Array; ge: Float32Array };
  let melRef: HostTensor;
  let feaRef: HostTensor;

  beforeAll(async () => {
    weights = await openSovitsFixture(version);
    const dims = cfmDimsFromWeights(weights, version);
    sessions = {
      mel: await sessionFor(buildCfmMelGraph({ version })),
      encp: await sessionFor(buildCfmEncpGraph({ weights, dims, precision: 'fp32' })),
    };
    prompt = {
      tokens: Int32Array.from(numbers(await fixture(version, 'prompt_codes.npy'))),
      phoneIds: Int32Array.from(numbers(await fixture('inputs', 'prompt_phones.npy'))),
      ge: Float32Array.from(numbers(await fixture(version, 'ge.npy'))),
    };
    melRef = await fixture(version, 'mel_ref_norm.npy');
    feaRef = await fixture(version, 'fea_ref.npy');
    expect([melRef.shape[2], feaRef.shape[2]]).toEqual([melFrames, feaFrames]);
  });
  afterAll(async () => {
    await weights.close();
  });

  it('takes the reference at the CFM rate unchanged (the resampler is the identity there)', () => {
    expect(CFM_MEL[version].sampleRate).toBe(rate);
    const input = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i * 0.37) * 0.5);
    const output = resampleSinc(input, rate, rate);
    expect(output).toEqual(input);
    expect(output).not.toBe(input);
  });

  it('keeps all T_min frames when they fit the real T_ref: the whole mel and the first fea_ref frames', async () => {
    expect(melFrames).toBeLessThan(CFM_CHUNKING[version].promptFrames);
    const out = await computeCfmPrompt(sessions, version, reference(await fixture('inputs', wav), rate), prompt);
    expect(out.frames).toBe(melFrames);
    expect(out.mel).toHaveLength(MEL * melFrames);
    expect(measured(`${version} prompt mel (rel)`, relativeError(out.mel, numbers(melRef)))).toBeLessThan(1e-5);
    expect(measured(`${version} prompt fea`, maxAbsDiff(out.fea, columns(feaRef, 0, melFrames)))).toBeLessThan(1e-4);
  });

  it('keeps the last T_ref frames of both when T_min is longer (the fixture\'s micro T_ref)', async () => {
    const out = await computeCfmPrompt(sessions, version, reference(await fixture('inputs', wav), rate), prompt, microRef);
    expect(out.frames).toBe(microRef);
    const start = melFrames - microRef;
    expect(measured(`${version} cut prompt mel (rel)`, relativeError(out.mel, columns(melRef, start, microRef)))).toBeLessThan(1e-5);
    expect(measured(`${version} cut prompt fea`, maxAbsDiff(out.fea, columns(feaRef, start, microRef)))).toBeLessThan(1e-4);
  });

  it('refuses a T_ref that is not a positive integer', async () => {
    const ref = reference(await fixture('inputs', wav), rate);
    for (const frames of [0, -1, 2.5]) await expect(computeCfmPrompt(sessions, version, ref, prompt, frames)).rejects.toThrow(RangeError);
  });
});

describe('computeCfmPrompt resamples a reference at another rate', () => {
  let weights: LazyTensorStore;
  let sessions: CfmPromptSessions;

  beforeAll(async () => {
    weights = await openSovitsFixture('v3');
    const dims = cfmDimsFromWeights(weights, 'v3');
    sessions = {
      mel: await sessionFor(buildCfmMelGraph({ version: 'v3' })),
      encp: await sessionFor(buildCfmEncpGraph({ weights, dims, precision: 'fp32' })),
    };
  });
  afterAll(async () => {
    await weights.close();
  });

  // The fixture has no torchaudio resample to compare with (GPT-SoVITS's was stubbed; its 24 kHz reference is the
  // same analytic signal evaluated at 24 kHz without the components above 11.76 kHz). Resampling the 32 kHz one to
  // 24 kHz must therefore come close to, not equal, GPT-SoVITS's mel of the 24 kHz one.
  it('v3 from the 32 kHz reference: the 24 kHz prompt mel, up to resampling', async () => {
    const prompt = {
      tokens: Int32Array.from(numbers(await fixture('v3', 'prompt_codes.npy'))),
      phoneIds: Int32Array.from(numbers(await fixture('inputs', 'prompt_phones.npy'))),
      ge: Float32Array.from(numbers(await fixture('v3', 'ge.npy'))),
    };
    const out = await computeCfmPrompt(sessions, 'v3', reference(await fixture('inputs', 'ref_wav_32k.npy'), 32000), prompt);
    const melRef = await fixture('v3', 'mel_ref_norm.npy');
    expect(out.frames).toBe(melRef.shape[2]);
    // Interior frames of the bands below about 8.5 kHz: the edges differ by how each signal starts and ends, the top
    // bands by the components the 24 kHz signal lacks.
    const bands = 90;
    const inner = (data: ArrayLike<number>): number[] => {
      const values: number[] = [];
      for (let c = 0; c < bands; c += 1) for (let t = 3; t < out.frames - 3; t += 1) values.push(data[c * out.frames + t] ?? 0);
      return values;
    };
    expect(measured('v3 prompt mel from 32 kHz, interior, bands < 90 (max abs, normalised)', maxAbsDiff(inner(out.mel), inner(numbers(melRef))))).toBeLessThan(2e-3);
  });
});
