/**
 * The resident decode route (the decode graph that returns its KV pool, fed back step to step) against today's
 * host-pool route, through T2sRunner over a batched run with joins, a leave with a slot move, and capacity growth.
 *
 * On the CPU provider (always run, as in CI) the returned pool is a host tensor, so this checks the graph (device-built
 * masks, the column write) and the runner's bookkeeping. The WebGPU part needs a Vulkan adapter (lavapipe will do,
 * see docs/engine.md, "Device residency") and runs only with GSV_TEST_WEBGPU=1: onnxruntime aborts the process, not
 * the test, when no adapter can be created.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadBundle, type LoadedBundle } from '../bundle/loaded-bundle.ts';
import { buildTinyBundle } from '../../synthetic/tiny-bundle.ts';
import { encodeModel } from '../../onnx/index.ts';
import type { T2sDims, T2sPrecision } from '../../models/t2s/config.ts';
import { buildT2sDecode, buildT2sResidentDecode } from '../../models/t2s/decode-graph.ts';
import { t2sPoolRebuildOutputs, t2sResidentPoolOutputs } from '../../models/t2s/io.ts';
import { buildT2sPoolRebuild } from '../../models/t2s/pool-graph.ts';
import { buildT2sPrefill } from '../../models/t2s/prefill-graph.ts';
import { syntheticInputs, syntheticT2sWeights } from '../../models/t2s/synthetic-weights.ts';
import { DEFAULT_RUNTIME_CONFIG, type RuntimeConfig } from '../../runtime/config.ts';
import { ModelSession } from '../../runtime/session.ts';
import type { T2sSequence } from '../scheduler/sequence.ts';
import { T2sRunner } from './t2s-runner.ts';

const DIMS: T2sDims = { layers: 3, hidden: 64, heads: 8, ffn: 256, phonemeVocab: 51, vocab: 129, eos: 128, bertDim: 1024 };
const WEBGPU: RuntimeConfig = { ...DEFAULT_RUNTIME_CONFIG, executionProvider: 'webgpu' };
const weights = syntheticT2sWeights(DIMS, 7);
const sessions: ModelSession[] = [];

afterAll(async () => {
  for (const session of sessions) await session.release();
});

async function load(
  graph: 'prefill' | 'decode' | 'resident' | 'rebuild',
  runtime: RuntimeConfig,
  deviceOutputs?: readonly string[],
  precision: T2sPrecision = 'fp32',
): Promise<ModelSession> {
  const builder =
    graph === 'prefill'
      ? buildT2sPrefill(weights, DIMS, precision)
      : graph === 'decode'
        ? buildT2sDecode(weights, DIMS, precision)
        : graph === 'resident'
          ? buildT2sResidentDecode(weights, DIMS, precision)
          : buildT2sPoolRebuild(DIMS, precision);
  const session = await ModelSession.load(await encodeModel(builder), runtime, `t2s-${graph}`, deviceOutputs === undefined ? {} : { deviceOutputs });
  sessions.push(session);
  return session;
}

function sequence(id: number, textLength: number, promptLength: number, dims: T2sDims = DIMS): T2sSequence {
  const draw = syntheticInputs(100 + id);
  return {
    id,
    requestId: `r${String(id)}`,
    segmentIndex: 0,
    arrival: id,
    input: {
      phoneIds: Int32Array.from(draw.ints(textLength, dims.phonemeVocab)),
      bert: draw.floats(textLength * dims.bertDim),
      promptTokens: Int32Array.from(draw.ints(promptLength, dims.vocab - 1)),
    },
    sampling: { topK: 15, topP: 1, temperature: 1, repetitionPenalty: 1.35 },
    seed: id,
    lastStep: 1499,
    status: 'running',
    generated: [],
    step: 0,
    slot: -1,
    cacheLength: 0,
  };
}

function argmax(values: Float32Array): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}

/** Every sequence's logits, in the order they were produced, and its greedy tokens. */
type Trace = Map<number, { logits: Float32Array[]; tokens: number[] }>;

/**
 * A scheduler's events, scripted: A and B join, C joins, A leaves (C moves into its slot), D joins with a long prompt
 * (the pool grows past several 16-column steps while the batch runs), D leaves (the pool shrinks). Greedy tokens, so both routes feed the same
 * tokens only if their logits pick the same argmax.
 */
async function scenario(runner: T2sRunner, dims: T2sDims = DIMS): Promise<Trace> {
  const trace: Trace = new Map();
  const record = (s: T2sSequence, logits: Float32Array): void => {
    const entry = trace.get(s.id) ?? { logits: [], tokens: [] };
    trace.set(s.id, entry);
    entry.logits.push(logits);
    const token = argmax(logits);
    entry.tokens.push(token);
    s.generated.push(token);
  };
  const admit = async (joining: T2sSequence[], firstSlot: number): Promise<void> => {
    joining.forEach((s, i) => (s.slot = firstSlot + i));
    const logits = await runner.prefill(joining);
    joining.forEach((s, i) => {
      record(s, logits[i] as Float32Array);
    });
  };
  const decode = async (batch: T2sSequence[], steps: number): Promise<void> => {
    for (let step = 0; step < steps; step += 1) {
      const logits = await runner.decode(batch);
      batch.forEach((s, i) => {
        record(s, logits[i] as Float32Array);
      });
    }
  };
  const [a, b, c, d] = [sequence(1, 7, 5, dims), sequence(2, 4, 9, dims), sequence(3, 6, 0, dims), sequence(4, 12, 100, dims)];
  await admit([a, b], 0);
  await decode([a, b], 6);
  await admit([c], 2);
  await decode([a, b, c], 6);
  runner.release(a.slot);
  runner.applyMoves([{ from: c.slot, to: a.slot }]);
  c.slot = 0;
  await decode([c, b], 5);
  await admit([d], 2);
  await decode([c, b, d], 25);
  // D leaves from the last slot (no move): the pool, sized for D, shrinks to half.
  runner.release(d.slot);
  await decode([c, b], 4);
  return trace;
}

function runner(prefill: ModelSession, decode: ModelSession, decodeResident?: ModelSession, poolRebuild?: ModelSession, precision: T2sPrecision = 'fp32'): T2sRunner {
  return new T2sRunner({ prefill, decode, decodeResident, poolRebuild, dims: DIMS, precision, slots: 4, maxCacheLength: 512, growStep: 16 });
}

function compare(actual: Trace, expected: Trace, tolerance: number): void {
  expect([...actual.keys()]).toEqual([...expected.keys()]);
  for (const [id, want] of expected) {
    const got = actual.get(id);
    expect(got?.tokens, `sequence ${String(id)} tokens`).toEqual(want.tokens);
    want.logits.forEach((row, step) => {
      const other = got?.logits[step] ?? new Float32Array(0);
      let diff = 0;
      for (let i = 0; i < row.length; i += 1) diff = Math.max(diff, Math.abs((other[i] ?? Number.NaN) - (row[i] ?? 0)));
      expect(Number.isNaN(diff) ? Infinity : diff, `sequence ${String(id)} step ${String(step)}`).toBeLessThanOrEqual(tolerance);
    });
  }
}

describe('resident decode graph on the CPU provider', () => {
  it('gives the host-pool route its logits and tokens over joins, a leave with a slot move, pool growth and a shrink', async () => {
    const prefill = await load('prefill', DEFAULT_RUNTIME_CONFIG);
    const expected = await scenario(runner(prefill, await load('decode', DEFAULT_RUNTIME_CONFIG)));
    const residentGraph = await load('resident', DEFAULT_RUNTIME_CONFIG);
    // Without the rebuild graph: the whole pool is uploaded after each join, the leave and each 16-column growth.
    const uploading = runner(prefill, await load('decode', DEFAULT_RUNTIME_CONFIG), residentGraph);
    // Same CPU kernels over the same values: only the masks are built differently, so the logits are equal.
    compare(await scenario(uploading), expected, 0);
    expect(uploading.residentStats).toMatchObject({ steps: 46, rebuilds: 0 });
    expect(uploading.residentStats.uploads).toBeGreaterThan(3);
    expect(uploading.residentStats.uploads).toBeLessThan(21);
    // With it: one upload (the first step); then rebuilds that upload only C's and D's rows when they join.
    const rebuilding = runner(prefill, await load('decode', DEFAULT_RUNTIME_CONFIG), residentGraph, await load('rebuild', DEFAULT_RUNTIME_CONFIG));
    compare(await scenario(rebuilding), expected, 0);
    expect(rebuilding.residentStats).toMatchObject({ steps: 46, uploads: 1, rebuilds: uploading.residentStats.uploads - 1, uploadedRows: 2 });
    // The run ended after the pool shrank (144 columns while D ran, 64 after).
    expect(rebuilding.pool.capacity).toBe(64);
  });

  it('refuses device outputs on a provider other than webgpu', async () => {
    const bytes = await encodeModel(buildT2sResidentDecode(weights, DIMS, 'fp32'));
    await expect(ModelSession.load(bytes, DEFAULT_RUNTIME_CONFIG, 'resident', { deviceOutputs: t2sResidentPoolOutputs(DIMS) })).rejects.toThrow(/webgpu/);
  });
});

describe.skipIf(process.env['GSV_TEST_WEBGPU'] !== '1')('resident decode route on WebGPU (GSV_TEST_WEBGPU=1)', () => {
  it('keeps the pool on the device and matches the CPU host-pool route', async () => {
    const expected = await scenario(runner(await load('prefill', DEFAULT_RUNTIME_CONFIG), await load('decode', DEFAULT_RUNTIME_CONFIG)));
    const residentSession = await load('resident', WEBGPU, t2sResidentPoolOutputs(DIMS));
    const rebuildSession = await load('rebuild', WEBGPU, t2sPoolRebuildOutputs(DIMS));
    const resident = runner(await load('prefill', WEBGPU), await load('decode', WEBGPU), residentSession, rebuildSession);
    const actual = await scenario(resident);
    // Different kernels (lavapipe's shaders against MLAS): float rounding only, 4.8e-6 in the spike's runs.
    compare(actual, expected, 1e-4);
    expect(resident.residentStats).toMatchObject({ steps: 46, uploads: 1, uploadedRows: 2 });
    // One pool (K and V per layer) alive on the device between steps, and no rebuilt pool left over; none after the
    // runner lets go.
    expect(residentSession.liveDeviceTensors).toBe(2 * DIMS.layers);
    expect(rebuildSession.liveDeviceTensors).toBe(0);
    resident.dispose();
    expect(residentSession.liveDeviceTensors).toBe(0);
  }, 300_000);

  it('keeps an fp16 pool on the device as the fp16 host-pool route on WebGPU does', async () => {
    const prefill = await load('prefill', WEBGPU, undefined, 'fp16');
    const expected = await scenario(runner(prefill, await load('decode', WEBGPU, undefined, 'fp16'), undefined, undefined, 'fp16'));
    const resident = runner(
      prefill,
      await load('decode', WEBGPU, undefined, 'fp16'),
      await load('resident', WEBGPU, t2sResidentPoolOutputs(DIMS), 'fp16'),
      await load('rebuild', WEBGPU, t2sPoolRebuildOutputs(DIMS), 'fp16'),
      'fp16',
    );
    // The same kernels on both routes; the float16 pool is moved, never rounded again.
    compare(await scenario(resident), expected, 1e-4);
    expect(resident.residentStats).toMatchObject({ steps: 46, uploads: 1, uploadedRows: 2 });
    resident.dispose();
  }, 300_000);

  it('moves the same bytes across the host boundary per decode step whatever the cache length', async () => {
    const residentSession = await load('resident', WEBGPU, t2sResidentPoolOutputs(DIMS));
    const decode = await load('decode', WEBGPU);
    const prefill = await load('prefill', WEBGPU);
    const batch = 3;
    /** Bytes of the upload step and of the next (steady) step, for sequences holding `length` cached entries. */
    const stepBytes = async (length: number): Promise<{ upload: number; steady: number; capacity: number }> => {
      const r = runner(prefill, decode, residentSession);
      const sequences = Array.from({ length: batch }, (_, row) => {
        const s = sequence(10 + row, 4, 0);
        s.slot = row;
        s.generated.push(row + 1);
        s.cacheLength = length;
        return s;
      });
      r.pool.fit(length + 2);
      for (const s of sequences) r.pool.lengths[s.slot] = length;
      const crossed = (): number => (residentSession.lastRun?.hostToDeviceBytes ?? 0) + (residentSession.lastRun?.deviceToHostBytes ?? 0);
      await r.decode(sequences);
      const upload = crossed();
      for (const s of sequences) s.generated.push(1);
      await r.decode(sequences);
      const steady = crossed();
      const capacity = r.pool.capacity;
      r.dispose();
      return { upload, steady, capacity };
    };
    const short = await stepBytes(40);
    const long = await stepBytes(400);
    expect(long.capacity).toBeGreaterThan(4 * short.capacity);
    // Tokens, positions, lengths in; logits and the new K/V columns out: nothing that depends on the cache.
    const perStep = 3 * 8 * batch + 4 * batch * DIMS.vocab + 2 * DIMS.layers * batch * DIMS.hidden * 4;
    expect(short.steady).toBe(perStep);
    expect(long.steady).toBe(perStep);
    // Only the step after a change of batch or capacity uploads the pool.
    expect(long.upload - long.steady).toBe(2 * DIMS.layers * batch * DIMS.hidden * long.capacity * 4);
    expect(residentSession.liveDeviceTensors).toBe(0);
  }, 300_000);

  it('is what a bundle loaded on webgpu gives the engine (resident and rebuild graphs), and a CPU load does not', async () => {
    const root = await mkdtemp(join(tmpdir(), 'gsv-resident-'));
    try {
      await buildTinyBundle(join(root, 'tiny'));
      const cpu = await loadBundle(join(root, 'tiny'), { runtime: DEFAULT_RUNTIME_CONFIG });
      const gpu = await loadBundle(join(root, 'tiny'), { runtime: WEBGPU });
      try {
        expect(cpu.sessions.t2sDecodeResident).toBeUndefined();
        expect(cpu.sessions.t2sPoolRebuild).toBeUndefined();
        const dims = cpu.manifest.t2s.dims;
        const make = (b: LoadedBundle): T2sRunner =>
          new T2sRunner({
            prefill: b.sessions.t2sPrefill,
            decode: b.sessions.t2sDecode,
            decodeResident: b.sessions.t2sDecodeResident,
            poolRebuild: b.sessions.t2sPoolRebuild,
            dims,
            precision: b.precision,
            slots: 4,
            maxCacheLength: 512,
            growStep: 16,
          });
        const expected = await scenario(make(cpu), dims);
        const resident = make(gpu);
        expect(resident.resident).toBe(true);
        compare(await scenario(resident, dims), expected, 1e-4);
        expect(resident.residentStats).toMatchObject({ steps: 46, uploads: 1, uploadedRows: 2 });
      } finally {
        await cpu.release();
        await gpu.release();
      }
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }, 300_000);
});
