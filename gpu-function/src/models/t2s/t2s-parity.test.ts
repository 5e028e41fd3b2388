import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readT2sCheckpoint, type T2sCheckpoint } from '../../checkpoint/gpt-sovits-t2s.ts';
import { readNpy, type HostTensor } from '../../tensor/index.ts';
import { parityAvailable, parityPath, paritySkipReason } from '../../tensor/parity.ts';
import { t2sDimsFromArchitecture, type T2sDims } from './config.ts';
import { T2sGraphDriver, type T2sRequest } from './graph-driver.ts';
import { T2sReferenceSequence, loadReferenceWeights } from './reference.ts';

/** Conformance with the genuine GPT-SoVITS tensors (t2s_micro.ckpt, infer_panel_naive / infer_panel_batch_infer). */

const LOGIT_TOLERANCE = 1e-4;

async function npy(...parts: string[]): Promise<HostTensor> {
  return readNpy(parityPath('t2s', ...parts));
}

function floats(value: HostTensor): Float32Array {
  if (value.dtype !== 'float32') throw new Error(`expected float32, got ${value.dtype}`);
  return value.data as Float32Array;
}

function ids(value: HostTensor): number[] {
  return Array.from(value.data as BigInt64Array, Number);
}

/** GPT-SoVITS passes BERT channel-major `[1024, X]`; the graphs take it phone-major. */
function phoneMajor(bert: HostTensor): Float32Array {
  const [channels = 0, phones = 0] = bert.shape;
  const data = floats(bert);
  const out = new Float32Array(channels * phones);
  for (let c = 0; c < channels; c += 1) for (let p = 0; p < phones; p += 1) out[p * channels + c] = data[c * phones + p] ?? 0;
  return out;
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}

/** Max |actual − row r of expected| over one logits row; the rows' argmaxes must agree. */
function compareRow(actual: ArrayLike<number>, expected: Float32Array, row: number, width: number): number {
  const slice = expected.subarray(row * width, (row + 1) * width);
  expect(argmax(actual), `argmax at row ${row}`).toBe(argmax(slice));
  let diff = 0;
  for (let i = 0; i < width; i += 1) diff = Math.max(diff, Math.abs((actual[i] ?? Number.NaN) - (slice[i] ?? 0)));
  return Number.isNaN(diff) ? Infinity : diff;
}

/** Max diff between cache entries `[0, length)` (read through `read`) and a GPT-SoVITS cache `[layers, 1, T, D]` (heads packed). */
function compareCache(fixture: HostTensor, length: number, read: (layer: number, t: number, c: number) => number): number {
  const [layers = 0, , positions = 0, hidden = 0] = fixture.shape;
  expect(positions).toBe(length);
  const data = floats(fixture);
  let diff = 0;
  for (let l = 0; l < layers; l += 1) {
    for (let t = 0; t < length; t += 1) for (let c = 0; c < hidden; c += 1) diff = Math.max(diff, Math.abs(read(l, t, c) - (data[(l * positions + t) * hidden + c] ?? 0)));
  }
  return diff;
}

describe.skipIf(!parityAvailable)('T2S parity with GPT-SoVITS (t2s_micro.ckpt)', () => {
  let checkpoint: T2sCheckpoint;
  let dims: T2sDims;
  let itemA: T2sRequest;
  let itemB: T2sRequest;
  const drivers: T2sGraphDriver[] = [];

  beforeAll(async () => {
    checkpoint = await readT2sCheckpoint(parityPath('ckpt', 't2s_micro.ckpt'));
    dims = t2sDimsFromArchitecture(checkpoint.architecture);
    const prompt = ids(await npy('inputs', 'prompt_semantic.npy'));
    itemA = { phones: ids(await npy('inputs', 'all_phones_a.npy')), bert: phoneMajor(await npy('inputs', 'bert_a.npy')), prompt };
    itemB = { phones: ids(await npy('inputs', 'all_phones_b.npy')), bert: phoneMajor(await npy('inputs', 'bert_b.npy')), prompt };
  });
  afterAll(async () => {
    for (const driver of drivers) await driver.release();
    await checkpoint.weights.close();
  });

  it('teacher-forced single decode: logits within 1e-4, same argmax at all 31 steps, K/V caches within 1e-4', async () => {
    const driver = await T2sGraphDriver.load(checkpoint.weights, dims, { slots: 1, capacity: 80 });
    drivers.push(driver);
    const expected = floats(await npy('single', 'logits.npy'));
    const forced = ids(await npy('inputs', 'forced_tokens.npy'));
    const d = dims.hidden / dims.heads;
    const pooled = (layer: number, t: number, c: number, which: readonly HostTensor[]): number =>
      (which[layer]!.data as Float32Array)[(Math.floor(c / d) * 80 + t) * d + (c % d)]!;

    const [prefill] = await driver.prefill([itemA], [0]);
    let logitDiff = compareRow(prefill!, expected, 0, dims.vocab);
    const prefillLength = itemA.phones.length + itemA.prompt.length;
    expect(compareCache(await npy('single', 'prefill_k_cache.npy'), prefillLength, (l, t, c) => pooled(l, t, c, driver.keys))).toBeLessThanOrEqual(LOGIT_TOLERANCE);
    expect(compareCache(await npy('single', 'prefill_v_cache.npy'), prefillLength, (l, t, c) => pooled(l, t, c, driver.values))).toBeLessThanOrEqual(LOGIT_TOLERANCE);
    for (const [i, token] of forced.entries()) {
      const [logits] = await driver.decode([token]);
      logitDiff = Math.max(logitDiff, compareRow(logits!, expected, i + 1, dims.vocab));
    }
    expect(logitDiff).toBeLessThanOrEqual(LOGIT_TOLERANCE);
    const finalLength = prefillLength + forced.length;
    expect(compareCache(await npy('single', 'final_k_cache.npy'), finalLength, (l, t, c) => pooled(l, t, c, driver.keys))).toBeLessThanOrEqual(LOGIT_TOLERANCE);
    expect(compareCache(await npy('single', 'final_v_cache.npy'), finalLength, (l, t, c) => pooled(l, t, c, driver.values))).toBeLessThanOrEqual(LOGIT_TOLERANCE);
  });

  it('batched items of different lengths: per-item logits within 1e-4 and same argmax at all 10 steps', async () => {
    const driver = await T2sGraphDriver.load(checkpoint.weights, dims, { slots: 2, capacity: 64 });
    drivers.push(driver);
    const expected = floats(await npy('batch', 'logits.npy')); // [2, 10, V]
    const forced = await npy('inputs', 'forced_tokens_batch.npy'); // [2, 9]
    const steps = forced.shape[1] ?? 0;
    const tokens = ids(forced);
    let logitDiff = 0;
    (await driver.prefill([itemA, itemB], [0, 1])).forEach((row, item) => (logitDiff = Math.max(logitDiff, compareRow(row, expected, item * (steps + 1), dims.vocab))));
    for (let s = 0; s < steps; s += 1) {
      const step = await driver.decode([tokens[s], tokens[steps + s]].map((t) => t ?? 0));
      step.forEach((row, item) => (logitDiff = Math.max(logitDiff, compareRow(row, expected, item * (steps + 1) + s + 1, dims.vocab))));
    }
    expect(logitDiff).toBeLessThanOrEqual(LOGIT_TOLERANCE);
  });

  it('the float64 reference reproduces the single-item logits and caches', async () => {
    const weights = await loadReferenceWeights(checkpoint.weights, dims);
    const sequence = new T2sReferenceSequence(weights, dims, itemA.phones, itemA.bert, itemA.prompt);
    const expected = floats(await npy('single', 'logits.npy'));
    let logitDiff = compareRow(sequence.logits, expected, 0, dims.vocab);
    const prefillLength = itemA.phones.length + itemA.prompt.length;
    expect(compareCache(await npy('single', 'prefill_k_cache.npy'), prefillLength, (l, t, c) => sequence.keys[l]![t]![c]!)).toBeLessThanOrEqual(LOGIT_TOLERANCE);
    for (const [i, token] of ids(await npy('inputs', 'forced_tokens.npy')).entries()) {
      logitDiff = Math.max(logitDiff, compareRow(sequence.decode(token), expected, i + 1, dims.vocab));
    }
    expect(logitDiff).toBeLessThanOrEqual(LOGIT_TOLERANCE);
    const finalLength = sequence.values[0]!.length;
    expect(compareCache(await npy('single', 'final_v_cache.npy'), finalLength, (l, t, c) => sequence.values[l]![t]![c]!)).toBeLessThanOrEqual(LOGIT_TOLERANCE);
  });
});

if (!parityAvailable) it.skip(paritySkipReason, () => undefined);
