/**
 * What one T2S decode step moves across the host↔device boundary on today's decode route (the engine's T2sRunner:
 * the whole KV pool is fed as past K/V on every step, only new K/V columns come back), measured by the runtime's
 * accounting on a tiny bundle. This documents the host-pool route (CPU, CUDA); the WebGPU device-resident route,
 * whose bytes per step do not grow with the cache, is checked in engine/runner/t2s-resident.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle, type LoadedBundle } from '../engine/bundle/loaded-bundle.ts';
import { T2sRunner } from '../engine/runner/t2s-runner.ts';
import type { T2sSequence } from '../engine/scheduler/sequence.ts';
import { headDim } from '../models/t2s/config.ts';
import { buildTinyBundle } from '../synthetic/tiny-bundle.ts';
import { DEFAULT_RUNTIME_CONFIG } from './config.ts';

const BATCH = 4;
let root: string;
let bundle: LoadedBundle;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-decode-transfer-'));
  await buildTinyBundle(join(root, 'tiny'));
  bundle = await loadBundle(join(root, 'tiny'), { runtime: DEFAULT_RUNTIME_CONFIG });
}, 120_000);

afterAll(async () => {
  await bundle.release();
  await rm(root, { recursive: true, force: true });
});

/** A running sequence whose cache holds `length` entries (the pool's contents do not change what crosses). */
function running(row: number, length: number): T2sSequence {
  const promptTokens = Int32Array.from({ length: 20 }, (_, i) => (i * 7 + row) % 100);
  return {
    id: row,
    requestId: `r${String(row)}`,
    segmentIndex: 0,
    arrival: row,
    input: { phoneIds: Int32Array.from({ length: 10 }, (_, i) => 1 + i), bert: new Float32Array(0), promptTokens },
    sampling: { topK: 15, topP: 1, temperature: 1, repetitionPenalty: 1.35 },
    seed: row + 1,
    lastStep: 1499,
    status: 'running',
    generated: Array.from({ length: length - 30 + 1 }, (_, i) => (i * 13 + row) % 100),
    step: length - 30 + 1,
    slot: row,
    cacheLength: length,
  };
}

/** Bytes of the decode graph's inputs and outputs for one step of BATCH sequences at cache `length`. */
async function decodeStepBytes(length: number): Promise<{ ioBytes: number; capacity: number }> {
  const dims = bundle.manifest.t2s.dims;
  const runner = new T2sRunner({ prefill: bundle.sessions.t2sPrefill, decode: bundle.sessions.t2sDecode, dims, precision: bundle.precision, slots: BATCH, maxCacheLength: 2048 });
  const sequences = Array.from({ length: BATCH }, (_, row) => running(row, length));
  runner.pool.fit(length + 1);
  for (const sequence of sequences) runner.pool.lengths[sequence.slot] = length;
  const before = bundle.sessions.t2sDecode.stats.ioBytes;
  await runner.decode(sequences);
  const ioBytes = bundle.sessions.t2sDecode.stats.ioBytes - before;
  expect(bundle.sessions.t2sDecode.lastRun?.ioBytes).toBe(ioBytes);
  // On the CPU provider nothing crosses; the figure is what the CUDA provider would copy for the same step.
  expect(bundle.sessions.t2sDecode.lastRun?.hostToDeviceBytes).toBe(0);
  return { ioBytes, capacity: runner.pool.capacity };
}

describe('decode-step host↔device bytes on the current route (KV pool fed as inputs every step)', () => {
  it('documents the current route, not a target: bytes per step grow with cache length (the device-resident route must make them flat)', async () => {
    const dims = bundle.manifest.t2s.dims;
    const short = await decodeStepBytes(150);
    const long = await decodeStepBytes(1000);
    expect(short.capacity).toBe(256);
    expect(long.capacity).toBe(1024);
    // Every extra pool column is fed as past K and V for every layer, head and row, in fp32 on the CPU bundle:
    // the growth is exactly the pool, nothing else in the step depends on the cache length.
    const perColumn = 2 * dims.layers * BATCH * dims.heads * headDim(dims) * 4;
    expect(long.ioBytes - short.ioBytes).toBe(perColumn * (long.capacity - short.capacity));
    expect(long.ioBytes).toBeGreaterThan(3 * short.ioBytes);
  });
});
