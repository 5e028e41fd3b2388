/**
 * Batch semantics of `cfm-text` and `cfm-step` on the micro v4 model: a padded batch whose rows sit at different
 * Euler steps, lengths and prompt lengths gives each row what it gives alone; and how that differs, on purpose, from
 * GPT-SoVITS's own padded DiT call (fixture `v4/dit_padded_batch`), where only attention is masked.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LazyTensorStore } from '../../checkpoint/tensor-store.ts';
import type { ModelSession } from '../../runtime/session.ts';
import { seededNormal } from '../../tensor/random.ts';
import type { HostTensor } from '../../tensor/tensor.ts';
import { maxAbsDiff } from '../sovits/testing/compare.ts';
import { float32s, floats, int64s, sessionFor } from '../sovits/testing/sessions.ts';
import type { CfmDims } from './config.ts';
import { cfmDimsFromWeights } from './dims-from-weights.ts';
import { buildCfmStepGraph, buildCfmTextGraph } from './graph/build-graphs.ts';
import { fixture, measured, numbers, openSovitsFixture } from './testing/fixtures.ts';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const MEL = 100;

/** Rows `[C, n_b]` (row-major each) laid into a zero-padded `[B, C, W]`. */
function padChannelsFirst(rows: readonly (readonly number[])[], channels: number, lengths: readonly number[], width: number): Float32Array {
  const out = new Float32Array(rows.length * channels * width);
  rows.forEach((row, b) => {
    const n = lengths[b] ?? 0;
    for (let c = 0; c < channels; c += 1) for (let t = 0; t < n; t += 1) out[(b * channels + c) * width + t] = row[c * n + t] ?? 0;
  });
  return out;
}

/** Rows `[n_b, C]` laid into a zero-padded `[B, W, C]`. */
function padTimeMajor(rows: readonly (readonly number[])[], channels: number, lengths: readonly number[], width: number): Float32Array {
  const out = new Float32Array(rows.length * width * channels);
  rows.forEach((row, b) => { out.set(row.slice(0, (lengths[b] ?? 0) * channels), b * width * channels); });
  return out;
}

/** Row b's `[C, n]` block out of a `[B, C, W]` tensor. */
function rowChannelsFirst(data: Float32Array, b: number, channels: number, width: number, n: number): number[] {
  const out: number[] = [];
  for (let c = 0; c < channels; c += 1) for (let t = 0; t < n; t += 1) out.push(data[(b * channels + c) * width + t] ?? 0);
  return out;
}

describe('cfm-text and cfm-step on padded batches (micro v4, fp32)', () => {
  let weights: LazyTensorStore;
  let dims: CfmDims;
  let text: ModelSession;
  let step: ModelSession;

  beforeAll(async () => {
    weights = await openSovitsFixture('v4');
    dims = cfmDimsFromWeights(weights, 'v4');
    text = await sessionFor(buildCfmTextGraph({ weights, dims, precision: 'fp32' }));
    step = await sessionFor(buildCfmStepGraph({ weights, dims, precision: 'fp32', intermediates: true }));
  });
  afterAll(async () => {
    await weights.close();
  });

  interface Row {
    readonly n: number;
    readonly prompt: number;
    readonly t: number;
    readonly d: number;
    readonly x: number[]; // [100, n]
    readonly cond: number[]; // [100, n]
    readonly mu: number[]; // [n, C2]
  }

  async function runBatch(rows: readonly Row[]): Promise<{ textEmbed: Float32Array; out: Record<string, HostTensor>; width: number }> {
    const C2 = dims.dit.textDim;
    const width = Math.max(...rows.map((r) => r.n));
    const lengths = rows.map((r) => r.n);
    const embedded = await text.run({ mu: float32s(padTimeMajor(rows.map((r) => r.mu), C2, lengths, width), [rows.length, width, C2]), lengths: int64s(lengths) });
    const out = await step.run({
      x: float32s(padChannelsFirst(rows.map((r) => r.x), MEL, lengths, width), [rows.length, MEL, width]),
      cond: float32s(padChannelsFirst(rows.map((r) => r.cond), MEL, lengths, width), [rows.length, MEL, width]),
      text_embed: embedded['text_embed']!,
      x_lens: int64s(lengths),
      prompt_lens: int64s(rows.map((r) => r.prompt)),
      t: float32s(rows.map((r) => r.t), [rows.length]),
      d: float32s(rows.map((r) => r.d), [rows.length]),
    });
    return { textEmbed: floats(embedded['text_embed']), out, width };
  }

  it('gives every row of a batch at mixed steps, lengths and prompts what it gives alone (abs <= 1e-5)', async () => {
    const normal = seededNormal(17);
    const C2 = dims.dit.textDim;
    const spec = [
      { n: 61, prompt: 20, t: 0, d: 1 / 8 },
      { n: 90, prompt: 35, t: 0.5, d: 1 / 4 },
      { n: 33, prompt: 12, t: 0.8125, d: 1 / 16 },
    ];
    const rows: Row[] = spec.map((s) => ({
      ...s,
      x: Array.from({ length: MEL * s.n }, () => normal()),
      cond: Array.from({ length: MEL * s.n }, (_, i) => (i % s.n < s.prompt ? 0.5 * normal() : 0)),
      mu: Array.from({ length: s.n * C2 }, () => normal()),
    }));
    const batch = await runBatch(rows);
    const xNext = floats(batch.out['x_next']);
    for (const [b, row] of rows.entries()) {
      const alone = await runBatch([row]);
      const textRow = Array.from(batch.textEmbed.subarray(b * batch.width * C2, (b * batch.width + row.n) * C2));
      expect(measured(`text_embed row ${b}`, maxAbsDiff(textRow, alone.textEmbed)), `text_embed row ${b}`).toBeLessThan(1e-5);
      expect(measured(`x_next row ${b}`, maxAbsDiff(rowChannelsFirst(xNext, b, MEL, batch.width, row.n), floats(alone.out['x_next']))), `x_next row ${b}`).toBeLessThan(1e-5);
      // The prompt columns and the padding are zero.
      const full = rowChannelsFirst(xNext, b, MEL, batch.width, batch.width);
      expect(full.filter((_, i) => i % batch.width < row.prompt || i % batch.width >= row.n).every((v) => v === 0)).toBe(true);
      expect(batch.textEmbed.subarray((b * batch.width + row.n) * C2, (b + 1) * batch.width * C2).every((v) => v === 0)).toBe(true);
    }
  });

  it("matches GPT-SoVITS's padded DiT call on the unpadded row, and its single-item run (not its padded one) on the padded row", async () => {
    const T = 90;
    const cut = 70;
    const promptFrames = 50;
    const state = numbers(await fixture('v4', 'cfm', 'x_after_steps_1_2_8.npy')).slice(MEL * T, 2 * MEL * T); // input of step 3
    const prompt = numbers(await fixture('v4', 'cfm', 'prompt.npy'));
    const mu = numbers(await fixture('v4', 'cfm', 'mu.npy')); // [T, C2]
    const C2 = dims.dit.textDim;
    const cond = Array.from({ length: MEL * T }, (_, i) => (i % T < promptFrames ? (prompt[Math.floor(i / T) * promptFrames + (i % T)] ?? 0) : 0));
    const crop = (data: readonly number[], n: number): number[] => Array.from({ length: MEL * n }, (_, i) => data[Math.floor(i / n) * T + (i % n)] ?? 0);
    const full: Row = { n: T, prompt: promptFrames, t: 2 / 8, d: 1 / 8, x: state, cond, mu };
    const short: Row = { n: cut, prompt: promptFrames, t: 2 / 8, d: 1 / 8, x: crop(state, cut), cond: crop(cond, cut), mu: mu.slice(0, cut * C2) };
    const batch = await runBatch([full, short]);
    const alone = await runBatch([short]);
    const ours = floats(batch.out['v']); // [2, T, 100]
    const reference = numbers(await fixture('v4', 'dit_padded_batch', 'v.npy'));
    expect(measured('padded fixture row 0', maxAbsDiff(ours.subarray(0, T * MEL), reference.slice(0, T * MEL)))).toBeLessThan(1e-4);
    expect(measured('padded row 1 vs its single run', maxAbsDiff(ours.subarray(T * MEL, (T + cut) * MEL), floats(alone.out['v'])))).toBeLessThan(1e-5);
    // GPT-SoVITS's padded call lets the padding reach row 1 through the convolutions and GRN (manifest: 1.24).
    expect(measured('padded row 1 vs GPT-SoVITS padded call', maxAbsDiff(ours.subarray(T * MEL, (T + cut) * MEL), reference.slice(T * MEL, (T + cut) * MEL)))).toBeGreaterThan(0.5);
  });
});
