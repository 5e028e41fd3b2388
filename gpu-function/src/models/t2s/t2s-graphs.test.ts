import { afterAll, describe, expect, it } from 'vitest';
import type { T2sDims } from './config.ts';
import { T2sGraphDriver, type T2sRequest } from './graph-driver.ts';
import { T2sReferenceSequence, loadReferenceWeights } from './reference.ts';
import { syntheticInputs, syntheticT2sWeights } from './synthetic-weights.ts';

/** max |a − b| / max |b|: the error relative to the reference's largest logit. */
function relativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i += 1) {
    diff = Math.max(diff, Math.abs((actual[i] ?? Number.NaN) - (expected[i] ?? 0)));
    scale = Math.max(scale, Math.abs(expected[i] ?? 0));
  }
  return Number.isNaN(diff) ? Infinity : diff / scale;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  for (let i = 0; i < b.length; i += 1) diff = Math.max(diff, Math.abs((a[i] ?? Number.NaN) - (b[i] ?? 0)));
  return Number.isNaN(diff) ? Infinity : diff;
}

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}

const TINY: Record<string, T2sDims> = {
  'two layers, 2 heads of 16': { layers: 2, hidden: 32, heads: 2, ffn: 128, phonemeVocab: 40, vocab: 65, eos: 64, bertDim: 1024 },
  'three layers, 8 heads of 8': { layers: 3, hidden: 64, heads: 8, ffn: 256, phonemeVocab: 51, vocab: 129, eos: 128, bertDim: 1024 },
};

function request(dims: T2sDims, seed: number, textLength: number, promptLength: number): T2sRequest {
  const draw = syntheticInputs(seed);
  return { phones: draw.ints(textLength, dims.phonemeVocab), bert: draw.floats(textLength * dims.bertDim), prompt: draw.ints(promptLength, dims.vocab - 1) };
}

const drivers: T2sGraphDriver[] = [];
async function loadDriver(...args: Parameters<typeof T2sGraphDriver.load>): Promise<T2sGraphDriver> {
  const driver = await T2sGraphDriver.load(...args);
  drivers.push(driver);
  return driver;
}
afterAll(async () => {
  for (const driver of drivers) await driver.release();
});

describe('T2S graphs against the float64 reference', () => {
  for (const [label, dims] of Object.entries(TINY)) {
    it(`prefill and 8 greedy decode steps agree to 1e-5 relative error in fp32 (${label})`, async () => {
      const weights = syntheticT2sWeights(dims, 11);
      const reference = await loadReferenceWeights(weights, dims);
      const driver = await loadDriver(weights, dims, { slots: 1, capacity: 40 });
      const input = request(dims, 3, 13, 7);
      const sequence = new T2sReferenceSequence(reference, dims, input.phones, input.bert, input.prompt);
      const [prefill] = await driver.prefill([input], [0]);
      const errors = [relativeError(prefill!, sequence.logits)];
      for (let step = 0; step < 8; step += 1) {
        const token = argmax(sequence.logits);
        const [logits] = await driver.decode([token]);
        errors.push(relativeError(logits!, sequence.decode(token)));
      }
      expect(Math.max(...errors)).toBeLessThanOrEqual(1e-5);
      // The pool holds the same K/V as the reference cache, contiguous: text, prompt, generated.
      const d = dims.hidden / dims.heads;
      const key = driver.keys[dims.layers - 1]!.data as Float32Array;
      const cached = sequence.keys[dims.layers - 1]!;
      expect(driver.lengths[0]).toBe(cached.length);
      const pooled = cached.flatMap((_, t) => Array.from({ length: dims.hidden }, (_, c) => key[(Math.floor(c / d) * 40 + t) * d + (c % d)]!));
      expect(relativeError(pooled, cached.flatMap((row) => Array.from(row)))).toBeLessThanOrEqual(1e-5);
    });
  }

  it('batches rows of different lengths, one reference-free, decoding them together as sequences join', async () => {
    const dims = TINY['two layers, 2 heads of 16']!;
    const weights = syntheticT2sWeights(dims, 5);
    const reference = await loadReferenceWeights(weights, dims);
    const inputs = [request(dims, 21, 9, 6), request(dims, 22, 4, 2), request(dims, 23, 6, 0), request(dims, 24, 5, 3)];
    const sequences = inputs.map((r) => new T2sReferenceSequence(reference, dims, r.phones, r.bert, r.prompt));
    const batched = await loadDriver(weights, dims, { slots: 4, capacity: 32 });
    const single = await loadDriver(weights, dims, { slots: 1, capacity: 32 });

    // Batch-1 runs of each request: the logits every batched row must reproduce.
    const alone: Float32Array[][] = [];
    for (const [n, input] of inputs.entries()) {
      const steps = [(await single.prefill([input], [0]))[0]!];
      const tokens = Array.from({ length: n === 3 ? 3 : 6 }, (_, s) => (s * 7 + n) % (dims.vocab - 1));
      for (const token of tokens) steps.push((await single.decode([token]))[0]!);
      alone.push(steps);
    }
    const tokenAt = (n: number, s: number): number => (s * 7 + n) % (dims.vocab - 1);

    const logits: Float32Array[][] = [[], [], [], []];
    (await batched.prefill(inputs.slice(0, 3), [0, 1, 2])).forEach((row, n) => logits[n]?.push(row));
    let errorVsReference = 0;
    inputs.slice(0, 3).forEach((_, n) => (errorVsReference = Math.max(errorVsReference, relativeError(logits[n]![0]!, sequences[n]!.logits))));
    // Three steps with slot 3 idle, then request 3 is prefilled into it and all four decode together.
    for (let s = 0; s < 6; s += 1) {
      if (s === 3) {
        const [joined] = await batched.prefill([inputs[3]!], [3]);
        logits[3]?.push(joined!);
        errorVsReference = Math.max(errorVsReference, relativeError(joined!, sequences[3]!.logits));
      }
      const active = (n: number): boolean => n < 3 || s >= 3;
      const step = await batched.decode([0, 1, 2, 3].map((n) => (active(n) ? tokenAt(n, n === 3 ? s - 3 : s) : null)));
      step.forEach((row, n) => {
        if (!active(n)) return;
        logits[n]?.push(row);
        errorVsReference = Math.max(errorVsReference, relativeError(row, sequences[n]!.decode(tokenAt(n, n === 3 ? s - 3 : s))));
      });
    }
    expect(batched.lengths).toEqual(Int32Array.of(9 + 6 + 6, 4 + 2 + 6, 6 + 6, 5 + 3 + 3));
    expect(errorVsReference).toBeLessThanOrEqual(1e-5);
    let batchVsSingle = 0;
    logits.forEach((steps, n) => {
      expect(steps).toHaveLength(alone[n]!.length);
      steps.forEach((row, s) => (batchVsSingle = Math.max(batchVsSingle, maxAbsDiff(row, alone[n]![s]!))));
    });
    expect(batchVsSingle).toBeLessThanOrEqual(1e-5);
  });

  it('runs the fp16 variant close to the reference, with the same greedy tokens', async () => {
    const dims = TINY['two layers, 2 heads of 16']!;
    const weights = syntheticT2sWeights(dims, 11, 'float16');
    const reference = await loadReferenceWeights(weights, dims);
    const driver = await loadDriver(weights, dims, { slots: 1, capacity: 32, precision: 'fp16' });
    const input = request(dims, 8, 10, 5);
    const sequence = new T2sReferenceSequence(reference, dims, input.phones, input.bert, input.prompt);
    const [prefill] = await driver.prefill([input], [0]);
    const errors = [relativeError(prefill!, sequence.logits)];
    const sameArgmax = [argmax(prefill!) === argmax(sequence.logits)];
    for (let step = 0; step < 6; step += 1) {
      const token = argmax(sequence.logits);
      const [logits] = await driver.decode([token]);
      errors.push(relativeError(logits!, sequence.decode(token)));
      sameArgmax.push(argmax(logits!) === argmax(sequence.logits));
    }
    expect(driver.keys[0]?.dtype).toBe('float16');
    expect(Math.max(...errors)).toBeLessThanOrEqual(1e-2);
    expect(sameArgmax.every(Boolean)).toBe(true);
  });
});
