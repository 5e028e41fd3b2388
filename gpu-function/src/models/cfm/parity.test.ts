/**
 * Conformance of the v3/v4 graphs with GPT-SoVITS's own outputs: the micro v4/v3 checkpoints and the tensors
 * GPT-SoVITS computed from them (`gpu-function/test/fixtures/v3v4`, see its README): ge, the prompt mel,
 * decode_encp's features, the DiT's step-1 intermediates and velocity, and 8 Euler steps from the recorded noise.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LazyTensorStore } from '../../checkpoint/tensor-store.ts';
import type { ModelSession } from '../../runtime/session.ts';
import { tensor, type HostTensor } from '../../tensor/tensor.ts';
import { maxAbsDiff, relativeError } from '../sovits/testing/compare.ts';
import { float32s, floats, int64s, ints, sessionFor } from '../sovits/testing/sessions.ts';
import type { CfmDims, CfmVersion } from './config.ts';
import { cfmDimsFromWeights } from './dims-from-weights.ts';
import { buildCfmEncpGraph, buildCfmExtractGraph, buildCfmMelGraph, buildCfmRefEncoderGraph, buildCfmStepGraph, buildCfmTextGraph } from './graph/build-graphs.ts';
import { cfmFeatureFrames } from './io.ts';
import { fixture, measured, numbers, openSovitsFixture } from './testing/fixtures.ts';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

/** `[C, W]` row-major columns `[0, n)` of a `[C, W]` block starting at `offset`. */
function leading(data: ArrayLike<number>, offset: number, channels: number, width: number, n: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < channels; c += 1) for (let t = 0; t < n; t += 1) out.push(data[offset + c * width + t] ?? 0);
  return out;
}

describe.each(['v4', 'v3'] as const)('SoVITS %s synthesis graphs against GPT-SoVITS', (version: CfmVersion) => {
  let weights: LazyTensorStore;
  let dims: CfmDims;
  const T = version === 'v4' ? 90 : 83;
  const promptFrames = version === 'v4' ? 50 : 46;

  beforeAll(async () => {
    weights = await openSovitsFixture(version);
    dims = cfmDimsFromWeights(weights, version);
  });
  afterAll(async () => {
    await weights.close();
  });

  it('reads the micro widths from tensor shapes', () => {
    expect(dims.dit).toEqual({
      dim: 32, depth: 2, heads: 2, dimHead: 16, ffDim: 64, melDim: 100, textDim: 24,
      convLayers: 2, convInner: 48, convKernel: 7, freqEmbedDim: 256, posConvKernel: 31, posConvGroups: 16,
    });
    expect(dims.encp.featureDim).toBe(24);
    expect(dims.encp.wns1).toEqual({ hidden: 24, kernel: 5, layers: 3, dilationRate: 1, out: 24 });
    expect([dims.encp.sslDim, dims.encp.hidden, dims.encp.gin, dims.encp.mrte.hidden, dims.encp.refEncoder.hidden]).toEqual([16, 16, 48, 48, 16]);
    expect(dims.encp.refEncoder.bins).toBe(704);
  });

  it('extracts exactly the prompt codes GPT-SoVITS extracts', async () => {
    const ssl = await fixture('inputs', 'ssl_content.npy');
    const session = await sessionFor(buildCfmExtractGraph({ weights, dims, precision: 'fp32' }));
    const out = await session.run({ ssl, ssl_lengths: int64s([ssl.shape[2] ?? 0]) });
    expect(ints(out['codes'])).toEqual(numbers(await fixture(version, 'prompt_codes.npy')));
  });

  it('computes ge from the 32 kHz reference with the v2 reference-encoder layers (abs <= 1e-4)', async () => {
    const wav = await fixture('inputs', 'ref_wav_32k.npy');
    const session = await sessionFor(buildCfmRefEncoderGraph({ weights, dims, precision: 'fp32' }));
    const out = await session.run({ ref_audio: wav, ref_lengths: int64s([wav.shape[1] ?? 0]) });
    expect(measured(`${version} ` + 'ge', maxAbsDiff(floats(out['ge']), numbers(await fixture(version, 'ge.npy'))))).toBeLessThan(1e-4);
  });

  it('computes the prompt mel and norm_spec (relative error <= 1e-5)', async () => {
    const wav = await fixture('inputs', version === 'v4' ? 'ref_wav_32k.npy' : 'ref_wav_24k.npy');
    const session = await sessionFor(buildCfmMelGraph({ version, intermediates: true }));
    const out = await session.run({ ref_audio: wav, ref_lengths: int64s([wav.shape[1] ?? 0]) });
    expect(ints(out['mel_lengths'])).toEqual([promptFrames]);
    expect(measured(`${version} ` + 'mel_ref (rel)', relativeError(floats(out['log_mel']), numbers(await fixture(version, 'mel_ref.npy'))))).toBeLessThan(1e-5);
    expect(measured(`${version} ` + 'mel_ref_norm (rel)', relativeError(floats(out['mel']), numbers(await fixture(version, 'mel_ref_norm.npy'))))).toBeLessThan(1e-5);
  });

  it('reproduces decode_encp for the prompt, the target and the target at speed 1.25 in one padded batch (abs <= 1e-4)', async () => {
    const ge = await fixture(version, 'ge.npy');
    const rows = [
      { codes: numbers(await fixture(version, 'prompt_codes.npy')), phones: numbers(await fixture('inputs', 'prompt_phones.npy')), speed: 1, file: 'fea_ref.npy' },
      { codes: numbers(await fixture('inputs', 'target_codes.npy')), phones: numbers(await fixture('inputs', 'target_phones.npy')), speed: 1, file: 'fea_todo.npy' },
      { codes: numbers(await fixture('inputs', 'target_codes.npy')), phones: numbers(await fixture('inputs', 'target_phones.npy')), speed: 1.25, file: 'fea_todo_speed1.25.npy' },
    ];
    const tokens = Math.max(...rows.map((r) => r.codes.length));
    const phones = Math.max(...rows.map((r) => r.phones.length));
    const pad = (values: number[], width: number): number[] => [...values, ...new Array<number>(width - values.length).fill(0)];
    const geData = numbers(ge);
    const session = await sessionFor(buildCfmEncpGraph({ weights, dims, precision: 'fp32' }));
    const out = await session.run({
      codes: int64s(rows.flatMap((r) => pad(r.codes, tokens)), [rows.length, tokens]),
      code_lengths: int64s(rows.map((r) => r.codes.length)),
      phones: int64s(rows.flatMap((r) => pad(r.phones, phones)), [rows.length, phones]),
      phone_lengths: int64s(rows.map((r) => r.phones.length)),
      ge: float32s(rows.flatMap(() => geData), [rows.length, dims.encp.gin, 1]),
      speed: tensor('float64', [rows.length], Float64Array.from(rows.map((r) => r.speed))),
    });
    const fea = floats(out['fea']);
    const [, channels = 0, width = 0] = out['fea']?.shape ?? [];
    const lengths = ints(out['fea_lengths']);
    for (const [b, row] of rows.entries()) {
      const expected = await fixture(version, row.file);
      const frames = expected.shape[2] ?? 0;
      expect(lengths[b]).toBe(frames);
      expect(cfmFeatureFrames(version, row.codes.length, row.speed).frames).toBe(frames);
      expect(measured(`${version} ` + row.file, maxAbsDiff(leading(fea, b * channels * width, channels, width, frames), numbers(expected))), row.file).toBeLessThan(1e-4);
      // Past the row's frames the output is zero.
      const tail = Array.from({ length: channels * (width - frames) }, (_, i) => fea[b * channels * width + Math.floor(i / (width - frames)) * width + frames + (i % (width - frames))] ?? 0);
      expect(tail.every((v) => v === 0)).toBe(true);
    }
  });

  describe('DiT and Euler steps', () => {
    let step: ModelSession;
    let textEmbed: HostTensor;
    let feeds: Record<string, HostTensor>;

    beforeAll(async () => {
      const mu = await fixture(version, 'cfm', 'mu.npy');
      const text = await sessionFor(buildCfmTextGraph({ weights, dims, precision: 'fp32' }));
      const embedded = (await text.run({ mu, lengths: int64s([T]) }))['text_embed'];
      if (embedded === undefined) throw new Error('no text_embed');
      textEmbed = embedded;
      step = await sessionFor(buildCfmStepGraph({ weights, dims, precision: 'fp32', intermediates: true }));
      const prompt = numbers(await fixture(version, 'cfm', 'prompt.npy'));
      const cond = new Float32Array(100 * T);
      for (let c = 0; c < 100; c += 1) for (let t = 0; t < promptFrames; t += 1) cond[c * T + t] = prompt[c * promptFrames + t] ?? 0;
      feeds = {
        x: await fixture(version, 'cfm', 'noise.npy'),
        cond: float32s(cond, [1, 100, T]),
        text_embed: textEmbed,
        x_lens: int64s([T]),
        prompt_lens: int64s([promptFrames]),
        t: float32s([0], [1]),
        d: float32s([1 / 8], [1]),
      };
    });

    it('embeds the text as GPT-SoVITS (abs <= 1e-4)', async () => {
      expect(measured(`${version} ` + 'text_embed', maxAbsDiff(floats(textEmbed), numbers(await fixture(version, 'cfm', 'dit_step1_text_embed.npy'))))).toBeLessThan(1e-4);
    });

    it('reproduces every step-1 intermediate and the velocity (abs <= 1e-4)', async () => {
      const out = await step.run(feeds);
      const names = ['time_embed', 'd_embed', 't', 'input_proj', 'input_embed', 'block0_adaln_emb', 'block0_attn_norm', 'block0_attn', 'block0_ff', 'block0_out', 'block1_out', 'norm_out'];
      for (const name of names) {
        expect(measured(`${version} ` + name, maxAbsDiff(floats(out[`dit_${name}`]), numbers(await fixture(version, 'cfm', `dit_step1_${name}.npy`)))), name).toBeLessThan(1e-4);
      }
      expect(measured(`${version} ` + 'v_step1', maxAbsDiff(floats(out['v']), numbers(await fixture(version, 'cfm', 'v_step1.npy'))))).toBeLessThan(1e-4);
    });

    it('runs 8 Euler steps from the recorded noise to CFM.inference\'s states after steps 1, 2 and 8 (<= 1e-4 of range)', async () => {
      const expected = numbers(await fixture(version, 'cfm', 'x_after_steps_1_2_8.npy'));
      const times = numbers(await fixture(version, 'cfm', 't_per_step.npy'));
      const size = 100 * T;
      let x = feeds['x'];
      let last: Record<string, HostTensor> = {};
      for (let j = 0; j < 8; j += 1) {
        last = await step.run({ ...feeds, x: x!, t: float32s([times[j] ?? 0], [1]) });
        x = last['x_next'];
        const index = j === 0 ? 0 : j === 1 ? 1 : j === 7 ? 2 : -1;
        if (index >= 0) expect(measured(`${version} x after step ${j + 1} (rel)`, relativeError(floats(x), expected.slice(index * size, (index + 1) * size))), `step ${j + 1}`).toBeLessThan(1e-4);
      }
      expect(measured(`${version} ` + 'v_step8', maxAbsDiff(floats(last['v']), numbers(await fixture(version, 'cfm', 'v_step8.npy'))))).toBeLessThan(1e-4);
    });
  });
});
