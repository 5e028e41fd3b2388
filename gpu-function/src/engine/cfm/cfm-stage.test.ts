/**
 * The v3/v4 audio stage on the GPT-SoVITS-written micro fixtures (`test/fixtures/v3v4`): it reproduces
 * `using_vocoder_synthesis`'s two-chunk audio when given the recorded noise, and, with seeded noise, every segment's
 * audio is the same whatever shares its batches, whenever it was enqueued, and whichever neighbour fails.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { LazyTensorStore } from '../../checkpoint/tensor-store.ts';
import type { CfmVersion } from '../../models/cfm/config.ts';
import { cfmDimsFromWeights } from '../../models/cfm/dims-from-weights.ts';
import { buildCfmEncpGraph, buildCfmStepGraph, buildCfmTextGraph } from '../../models/cfm/graph/build-graphs.ts';
import { cfmFeatureFrames } from '../../models/cfm/io.ts';
import { fixture, measured, numbers, openBigvganFixture, openSovitsFixture, openVocoderFixture } from '../../models/cfm/testing/fixtures.ts';
import { maxAbsDiff, snrDb } from '../../models/sovits/testing/compare.ts';
import { sessionFor } from '../../models/sovits/testing/sessions.ts';
import { bigvganDimsFromWeights, type BigvganConfigJson } from '../../models/vocoder/bigvgan-config.ts';
import { hifiganDimsFromWeights } from '../../models/vocoder/dims-from-weights.ts';
import { buildBigvganVocoderGraph } from '../../models/vocoder/graph/bigvgan.ts';
import { buildHifiganVocoderGraph } from '../../models/vocoder/graph/hifigan.ts';
import type { Feeds } from '../../runtime/session.ts';
import { tensor, type HostTensor } from '../../tensor/tensor.ts';
import type { CfmPrompt } from '../voices/features.ts';
import { CfmStage, seededCfmNoise, type CfmNoise, type CfmSessions, type CfmStageDims, type CfmStageOptions, type GraphSession } from './cfm-stage.ts';
import type { CfmItem, CfmOutcome } from './cfm-item.ts';
import { CFM_CHUNKING, chunkRanges, type CfmChunking } from './chunking.ts';

vi.setConfig({ testTimeout: 30_000, hookTimeout: 60_000 });

const MEL = 100;

/** The fixture's micro T_ref / T_chunk (README, `two_chunk`). */
const MICRO: Record<CfmVersion, CfmChunking> = {
  v4: { promptFrames: 40, chunkFrames: 64 },
  v3: { promptFrames: 36, chunkFrames: 60 },
};

interface Rig {
  readonly sessions: CfmSessions;
  readonly dims: CfmStageDims;
  readonly symbols: number;
  /** The reference's prompt as GPT-SoVITS cuts it for the micro T_ref, and uncut (T_min frames). */
  readonly prompt: CfmPrompt;
  readonly fullPrompt: CfmPrompt;
  readonly ge: Float32Array;
  close(): Promise<void>;
}

/** Columns `[start, start + count)` of a `[channels, width]` array. */
function columns(data: ArrayLike<number>, channels: number, width: number, start: number, count: number): Float32Array {
  const out = new Float32Array(channels * count);
  for (let c = 0; c < channels; c += 1) for (let t = 0; t < count; t += 1) out[c * count + t] = data[c * width + start + t] ?? 0;
  return out;
}

/** `using_vocoder_synthesis`'s prompt: mel and fea_ref cut to T_min, then their last `promptFrames`. */
function cutPrompt(mel: HostTensor, fea: HostTensor, feaDim: number, promptFrames: number): CfmPrompt {
  const melFrames = mel.shape[2] ?? 0;
  const feaFrames = fea.shape[2] ?? 0;
  const shortest = Math.min(melFrames, feaFrames);
  const frames = Math.min(shortest, promptFrames);
  return {
    frames,
    mel: columns(numbers(mel), MEL, melFrames, shortest - frames, frames),
    fea: columns(numbers(fea), feaDim, feaFrames, shortest - frames, frames),
  };
}

async function openRig(version: CfmVersion): Promise<Rig> {
  const weights = await openSovitsFixture(version);
  const dims = cfmDimsFromWeights(weights, version);
  const options = { weights, dims, precision: 'fp32' as const };
  const [encp, text, step] = await Promise.all([
    sessionFor(buildCfmEncpGraph(options)),
    sessionFor(buildCfmTextGraph(options)),
    sessionFor(buildCfmStepGraph(options)),
  ]);
  let vocoderWeights: LazyTensorStore;
  let vocoder;
  if (version === 'v4') {
    vocoderWeights = await openVocoderFixture();
    vocoder = await sessionFor(buildHifiganVocoderGraph({ weights: vocoderWeights, dims: hifiganDimsFromWeights(vocoderWeights), precision: 'fp32' }));
  } else {
    const opened = await openBigvganFixture();
    vocoderWeights = opened.weights;
    vocoder = await sessionFor(buildBigvganVocoderGraph({ weights: vocoderWeights, dims: bigvganDimsFromWeights(vocoderWeights, opened.config as BigvganConfigJson), precision: 'fp32' }));
  }
  const feaDim = dims.encp.featureDim;
  const mel = await fixture(version, 'mel_ref_norm.npy');
  const fea = await fixture(version, 'fea_ref.npy');
  return {
    sessions: { encp, text, step, vocoder },
    dims: { version, melDim: MEL, feaDim, hop: version === 'v4' ? 480 : 256 },
    symbols: dims.encp.symbols,
    prompt: cutPrompt(mel, fea, feaDim, MICRO[version].promptFrames),
    fullPrompt: cutPrompt(mel, fea, feaDim, Infinity),
    ge: Float32Array.from(numbers(await fixture(version, 'ge.npy'))),
    async close() {
      await weights.close();
      await vocoderWeights.close();
    },
  };
}

/** Steps the stage until it is empty; `onStep` runs before each step (to enqueue or cancel mid-way). */
async function drain(stage: CfmStage, onStep: (step: number) => void = () => undefined, limit = 200): Promise<{ outcomes: CfmOutcome[]; steps: number }> {
  const outcomes: CfmOutcome[] = [];
  let steps = 0;
  for (;;) {
    onStep(steps);
    if (stage.pending === 0) return { outcomes, steps };
    if (steps >= limit) throw new Error(`the stage did not finish in ${String(limit)} steps`);
    outcomes.push(...(await stage.step()));
    steps += 1;
  }
}

function done(outcomes: readonly CfmOutcome[], requestId: string, segmentIndex: number): Float32Array {
  const found = outcomes.filter((o) => o.requestId === requestId && o.segmentIndex === segmentIndex);
  expect(found, `${requestId}/${String(segmentIndex)}`).toHaveLength(1);
  const outcome = found[0];
  if (outcome?.status !== 'done') throw new Error(`${requestId}/${String(segmentIndex)} ${outcome?.status === 'failed' ? `failed in ${outcome.stage}: ${outcome.error.message}` : 'missing'}`);
  return outcome.audio;
}

type Failure = Extract<CfmOutcome, { status: 'failed' }>;

function failures(outcomes: readonly CfmOutcome[]): Failure[] {
  return outcomes.filter((o): o is Failure => o.status === 'failed');
}

/** A session that runs `inner` through `run` (to inject faults or observe feeds). */
function around(inner: GraphSession, run: (feeds: Feeds, next: (feeds: Feeds) => Promise<Record<string, HostTensor>>) => Promise<Record<string, HostTensor>>): GraphSession {
  return { label: inner.label, run: (feeds) => run(feeds, (f) => inner.run(f)) };
}

/** Batch rows of a step call whose `d` is `1 / steps`: tests give the segment under test its own step count. */
function rowsWithSteps(feeds: Feeds, steps: number): number[] {
  const d = feeds['d']?.data as Float32Array;
  return Array.from(d, (value, row) => (value === Math.fround(1 / steps) ? row : -1)).filter((row) => row >= 0);
}

describe.each<{ version: CfmVersion; expectedSteps: number }>([
  { version: 'v4', expectedSteps: 8 },
  { version: 'v3', expectedSteps: 8 },
])('CfmStage $version reproduces GPT-SoVITS two-chunk synthesis', ({ version, expectedSteps }) => {
  let rig: Rig;
  let item: CfmItem;
  let noise: CfmNoise;

  beforeAll(async () => {
    rig = await openRig(version);
    const recorded = [await fixture(version, 'two_chunk', 'chunk0_noise.npy'), await fixture(version, 'two_chunk', 'chunk1_noise.npy')];
    noise = (_item, chunk, melDim, length) => {
      const t = recorded[chunk];
      if (t === undefined) throw new Error(`no recorded noise for chunk ${String(chunk)}`);
      expect(t.shape).toEqual([1, melDim, length]);
      // The stage owns the array it is given (it zeroes the prompt columns and steps it in place): hand a copy.
      return Float32Array.from(t.data as Float32Array);
    };
    item = {
      requestId: 'r',
      segmentIndex: 0,
      tokens: Int32Array.from(numbers(await fixture('inputs', 'target_codes.npy'))),
      phoneIds: Int32Array.from(numbers(await fixture('inputs', 'target_phones.npy'))),
      ge: rig.ge,
      prompt: rig.prompt,
      speed: 1,
      seed: 1,
      steps: 4,
    };
  });
  afterAll(async () => {
    await rig.close();
  });

  it('gives the method\'s audio from the recorded noise, one Euler step per step() (SNR >= 60 dB)', async () => {
    expect(rig.prompt.frames).toBe(MICRO[version].promptFrames);
    const stage = new CfmStage(rig.sessions, rig.dims, { chunking: MICRO[version], noise });
    stage.enqueue(item);
    expect(stage.pending).toBe(1);
    const { outcomes, steps } = await drain(stage);
    // 2 chunks × 4 steps; cfm-encp, cfm-text and the vocoder ride along in the same turns.
    expect(steps).toBe(expectedSteps);
    const audio = done(outcomes, 'r', 0);
    const expected = numbers(await fixture(version, 'two_chunk', 'audio.npy'));
    expect(audio.length).toBe(expected.length);
    expect(measured(`${version} stage two_chunk audio SNR dB`, snrDb(audio, expected))).toBeGreaterThan(60);
    expect(measured(`${version} stage two_chunk audio max abs`, maxAbsDiff(audio, expected))).toBeLessThan(version === 'v4' ? 1e-4 : 2e-4);
    expect(stage.pending).toBe(0);
  });

  it('cuts a prompt longer than T_ref to its last T_ref frames itself, as GPT-SoVITS does', async () => {
    expect(rig.fullPrompt.frames).toBeGreaterThan(MICRO[version].promptFrames);
    const stage = new CfmStage(rig.sessions, rig.dims, { chunking: MICRO[version], noise });
    stage.enqueue({ ...item, prompt: rig.fullPrompt });
    const uncut = done((await drain(stage)).outcomes, 'r', 0);
    const again = new CfmStage(rig.sessions, rig.dims, { chunking: MICRO[version], noise });
    again.enqueue(item);
    expect(uncut).toEqual(done((await drain(again)).outcomes, 'r', 0));
  });
});

describe('CfmStage v4 batching, faults, cancel and noise (seeded, micro chunking)', () => {
  let rig: Rig;

  interface Spec {
    readonly requestId: string;
    readonly segmentIndex: number;
    readonly tokens: number;
    readonly steps: number;
    readonly seed?: number;
    readonly speed?: number;
  }

  /** A seeded LCG, so the inputs are the same on every run. */
  function lcg(seed: number): () => number {
    let state = seed >>> 0;
    return () => {
      state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
      return state / 4294967296;
    };
  }

  function itemOf(spec: Spec): CfmItem {
    const random = lcg(spec.tokens * 7 + spec.segmentIndex);
    return {
      requestId: spec.requestId,
      segmentIndex: spec.segmentIndex,
      tokens: Int32Array.from({ length: spec.tokens }, () => Math.floor(random() * 1024)),
      phoneIds: Int32Array.from({ length: 8 + (spec.tokens % 5) }, () => 1 + Math.floor(random() * (rig.symbols - 1))),
      ge: rig.ge,
      prompt: rig.prompt,
      speed: spec.speed ?? 1,
      seed: spec.seed ?? 77,
      steps: spec.steps,
    };
  }

  function stageOf(sessions: Partial<CfmSessions> = {}, options: CfmStageOptions = {}): CfmStage {
    return new CfmStage({ ...rig.sessions, ...sessions }, rig.dims, { chunking: MICRO.v4, ...options });
  }

  /** Micro v4 frames are 4 per token; chunks hold 24 new frames after a 40-frame prompt. */
  const SPECS: readonly Spec[] = [
    { requestId: 'a', segmentIndex: 0, tokens: 10, steps: 4 }, // 40 frames: chunks of 24 + 16
    { requestId: 'a', segmentIndex: 1, tokens: 7, steps: 3 }, // 28 frames: 24 + 4 (the second prompt is 24 frames)
    { requestId: 'b', segmentIndex: 0, tokens: 16, steps: 5 }, // 64 frames: 24 + 24 + 16
    { requestId: 'b', segmentIndex: 1, tokens: 3, steps: 2, speed: 1.25 }, // one chunk, another speed
  ];
  const alone = new Map<string, Float32Array>();
  const key = (spec: { requestId: string; segmentIndex: number }): string => `${spec.requestId}/${String(spec.segmentIndex)}`;

  beforeAll(async () => {
    rig = await openRig('v4');
    for (const spec of SPECS) {
      const stage = stageOf();
      stage.enqueue(itemOf(spec));
      alone.set(key(spec), done((await drain(stage)).outcomes, spec.requestId, spec.segmentIndex));
    }
  });
  afterAll(async () => {
    await rig.close();
  });

  function expectAlone(outcomes: readonly CfmOutcome[], spec: Spec, label: string, tolerance = 1e-5): void {
    const audio = done(outcomes, spec.requestId, spec.segmentIndex);
    const expected = alone.get(key(spec));
    if (expected === undefined) throw new Error(`no reference for ${key(spec)}`);
    expect(audio.length).toBe(expected.length);
    expect(measured(`${label} ${key(spec)} max abs vs alone`, maxAbsDiff(audio, expected)), `${label} ${key(spec)}`).toBeLessThan(tolerance);
  }

  it('gives every segment of a mixed batch its own audio, with one enqueued mid-steps', async () => {
    const calls: number[] = [];
    const step = around(rig.sessions.step, (feeds, next) => {
      calls.push(feeds['x']?.shape[0] ?? 0);
      return next(feeds);
    });
    const stage = stageOf({ step });
    const [first, ...rest] = SPECS;
    for (const spec of rest) stage.enqueue(itemOf(spec));
    expect(stage.pending).toBe(3);
    const { outcomes } = await drain(stage, (turn) => {
      if (turn === 2) stage.enqueue(itemOf(first!));
    });
    expect(outcomes.every((o) => o.status === 'done')).toBe(true);
    expect(outcomes.map(key).sort()).toEqual(SPECS.map(key).sort());
    for (const spec of SPECS) expectAlone(outcomes, spec, 'batched');
    // The point of the stage: rows at different steps shared cfm-step calls.
    expect(Math.max(...calls)).toBeGreaterThan(1);
  });

  it('gives the same audio with one segment per call (maxItems 1)', async () => {
    const stage = stageOf({}, { limits: { maxItems: 1 } });
    for (const spec of SPECS) stage.enqueue(itemOf(spec));
    const { outcomes } = await drain(stage);
    for (const spec of SPECS) expectAlone(outcomes, spec, 'maxItems 1');
  });

  it('vocodes only the oldest segments pacing takes, reports their time, and gives the same audio', async () => {
    const rows: number[] = [];
    const vocoder = around(rig.sessions.vocoder, (feeds, next) => {
      rows.push(feeds['mel']?.shape[0] ?? 0);
      return next(feeds);
    });
    const stage = stageOf({ vocoder });
    for (const spec of SPECS) stage.enqueue(itemOf(spec));
    const offered: { frames: number[]; busy: boolean }[] = [];
    const spent: number[] = [];
    // Holds every finished segment back while others are in earlier phases, then lets one through per turn.
    const pacing = {
      take: (frames: readonly number[], busy: boolean): number => {
        offered.push({ frames: [...frames], busy });
        return busy ? 0 : 1;
      },
      spent: (ms: number, frames: number): void => {
        expect(ms).toBeGreaterThan(0);
        spent.push(frames);
      },
    };
    const outcomes: CfmOutcome[] = [];
    for (let turn = 0; stage.pending > 0 && turn < 200; turn += 1) outcomes.push(...(await stage.step(pacing)));
    // Oldest first: the order they were enqueued, one per call, whatever their lengths.
    expect(outcomes.map(key)).toEqual(SPECS.map(key));
    expect(rows).toEqual([1, 1, 1, 1]);
    const frames = SPECS.map((spec) => cfmFeatureFrames('v4', spec.tokens, spec.speed ?? 1).frames);
    expect(spent).toEqual(frames);
    expect(offered.filter((o) => !o.busy).map((o) => o.frames)).toEqual([frames, frames.slice(1), frames.slice(2), frames.slice(3)]);
    for (const spec of SPECS) expectAlone(outcomes, spec, 'paced');
  });

  it('fails only the segment whose rows break cfm-step; the others are stepped once per turn', async () => {
    const bad: Spec = { requestId: 'bad', segmentIndex: 3, tokens: 10, steps: 6 };
    let thrown = 0;
    const rowsPerCall: number[] = [];
    const step = around(rig.sessions.step, (feeds, next) => {
      rowsPerCall.push(feeds['x']?.shape[0] ?? 0);
      if (rowsWithSteps(feeds, 6).length > 0) {
        thrown += 1;
        return Promise.reject(new Error('device lost'));
      }
      return next(feeds);
    });
    const stage = stageOf({ step });
    stage.enqueue(itemOf(bad));
    for (const spec of SPECS) stage.enqueue(itemOf(spec));
    const { outcomes } = await drain(stage);
    const failed = failures(outcomes);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ requestId: 'bad', segmentIndex: 3, status: 'failed', stage: 'cfm-step' });
    expect(failed[0]?.error.message).toBe('device lost');
    // Once in its batch, once alone; then it is gone.
    expect(thrown).toBe(2);
    for (const spec of SPECS) expectAlone(outcomes, spec, 'beside a failing row');
  });

  it('retries a transient batch failure row by row without stepping any row twice', async () => {
    let calls = 0;
    const step = around(rig.sessions.step, (feeds, next) => {
      calls += 1;
      if (calls === 3 && (feeds['x']?.shape[0] ?? 0) > 1) return Promise.reject(new Error('out of memory'));
      return next(feeds);
    });
    const stage = stageOf({ step });
    for (const spec of SPECS) stage.enqueue(itemOf(spec));
    const { outcomes } = await drain(stage);
    expect(calls).toBeGreaterThan(3);
    for (const spec of SPECS) expectAlone(outcomes, spec, 'after a retried batch');
  });

  it('fails a segment whose CFM state turns non-finite, and only it', async () => {
    const bad: Spec = { requestId: 'nan', segmentIndex: 0, tokens: 10, steps: 6 };
    const step = around(rig.sessions.step, async (feeds, next) => {
      const out = await next(feeds);
      const rows = rowsWithSteps(feeds, 6);
      const x = out['x_next'];
      if (rows.length === 0 || x === undefined) return out;
      const data = Float32Array.from(x.data as Float32Array);
      const [, channels = 0, width = 0] = x.shape;
      for (const row of rows) data[row * channels * width + 5 * width + 41] = Number.NaN;
      return { ...out, x_next: tensor('float32', x.shape, data) };
    });
    const stage = stageOf({ step });
    stage.enqueue(itemOf(bad));
    for (const spec of SPECS) stage.enqueue(itemOf(spec));
    const { outcomes } = await drain(stage);
    const failed = failures(outcomes);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ requestId: 'nan', segmentIndex: 0, stage: 'cfm-step' });
    expect(failed[0]?.error.message).toMatch(/not finite/);
    for (const spec of SPECS) expectAlone(outcomes, spec, 'beside a NaN row');
  });

  it('fails a segment the vocoder gives non-finite audio for, and only it', async () => {
    // `target` and `twin` (another seed) finish together and share a vocoder call, target in row 0; the poisoned row
    // is recognised by its mel afterwards, so the retry alone fails it too.
    const target = SPECS[2]!;
    const twin: Spec = { ...target, requestId: 'twin', seed: 78 };
    let poison: number | undefined;
    let widest = 0;
    const vocoder = around(rig.sessions.vocoder, async (feeds, next) => {
      const out = await next(feeds);
      const mel = feeds['mel'];
      const audio = out['audio'];
      if (mel === undefined || audio === undefined) return out;
      const [rows = 0, channels = 0, width = 0] = mel.shape;
      const melData = mel.data as Float32Array;
      widest = Math.max(widest, rows);
      if (poison === undefined && rows > 1) poison = melData[0];
      const data = Float32Array.from(audio.data as Float32Array);
      for (let row = 0; row < rows; row += 1) if (melData[row * channels * width] === poison) data[row * (audio.shape[1] ?? 0) + 100] = Number.POSITIVE_INFINITY;
      return { ...out, audio: tensor('float32', audio.shape, data) };
    });
    const stage = stageOf({ vocoder });
    for (const spec of [target, twin, ...SPECS.filter((s) => s !== target)]) stage.enqueue(itemOf(spec));
    const { outcomes } = await drain(stage);
    expect(widest).toBe(2);
    const failed = failures(outcomes);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ requestId: target.requestId, segmentIndex: target.segmentIndex, stage: 'vocoder' });
    expect(failed[0]?.error.message).toMatch(/non-finite/);
    for (const spec of SPECS) if (spec !== target) expectAlone(outcomes, spec, 'beside non-finite audio');
    const reference = stageOf();
    reference.enqueue(itemOf(twin));
    expect(measured('beside non-finite audio: twin max abs vs alone', maxAbsDiff(done(outcomes, 'twin', target.segmentIndex), done((await drain(reference)).outcomes, 'twin', target.segmentIndex)))).toBeLessThan(1e-5);
  });

  it('fails only the segment whose next chunk cannot start; its batch neighbours are not stepped twice', async () => {
    // Same tokens and steps: the two rows share every call, `good` first, so `bad`'s failure comes after `good`'s
    // row was already stepped.
    const good: Spec = { requestId: 'good', segmentIndex: 0, tokens: 10, steps: 4 };
    const bad: Spec = { requestId: 'bad', segmentIndex: 0, tokens: 10, steps: 4 };
    const noise: CfmNoise = (item, chunk, melDim, length) => {
      if (item.requestId === 'bad' && chunk === 1) throw new Error('no noise');
      return seededCfmNoise(item, chunk, melDim, length);
    };
    const stage = stageOf({}, { noise });
    stage.enqueue(itemOf(good));
    stage.enqueue(itemOf(bad));
    const { outcomes } = await drain(stage);
    const reference = stageOf();
    reference.enqueue(itemOf(good));
    // A second step of a committed row would move the audio by far more than the batch's float rounding.
    expect(measured('next chunk failed: good max abs vs alone', maxAbsDiff(done(outcomes, 'good', 0), done((await drain(reference)).outcomes, 'good', 0)))).toBeLessThan(1e-5);
    const failed = failures(outcomes);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ requestId: 'bad', segmentIndex: 0, stage: 'cfm-step' });
    expect(failed[0]?.error.message).toBe('no noise');
  });

  it('a throwing cfm-encp fails only the row that breaks it', async () => {
    const encp = around(rig.sessions.encp, (feeds, next) => {
      const lengths = Array.from(feeds['code_lengths']?.data as BigInt64Array, Number);
      return lengths.includes(7) ? Promise.reject(new Error('encp broke')) : next(feeds);
    });
    const stage = stageOf({ encp });
    for (const spec of SPECS) stage.enqueue(itemOf(spec));
    const { outcomes } = await drain(stage);
    expect(failures(outcomes)).toEqual([expect.objectContaining({ requestId: 'a', segmentIndex: 1, stage: 'cfm-encp' })]);
    for (const spec of SPECS) if (spec.tokens !== 7) expectAlone(outcomes, spec, 'beside a failed encp');
  });

  it('fails a segment without tokens or phones at cfm-encp instead of refusing it', async () => {
    const stage = stageOf();
    stage.enqueue({ ...itemOf(SPECS[0]!), requestId: 'empty', tokens: new Int32Array(0) });
    stage.enqueue({ ...itemOf(SPECS[0]!), requestId: 'mute', phoneIds: new Int32Array(0) });
    stage.enqueue(itemOf(SPECS[0]!));
    const { outcomes } = await drain(stage);
    expect(failures(outcomes).map((o) => [o.requestId, o.stage])).toEqual([['empty', 'cfm-encp'], ['mute', 'cfm-encp']]);
    expectAlone(outcomes, SPECS[0]!, 'beside empty segments');
  });

  it('cancel drops a request\'s segments, before or during a step, and pending counts what is left', async () => {
    const stage = stageOf();
    for (const spec of SPECS) stage.enqueue(itemOf(spec));
    expect(stage.pending).toBe(4);
    await stage.step();
    stage.cancel('a');
    expect(stage.pending).toBe(2);
    stage.cancel('nobody');
    expect(stage.pending).toBe(2);
    const { outcomes } = await drain(stage);
    expect(outcomes.map(key).sort()).toEqual(['b/0', 'b/1']);
    for (const spec of SPECS.filter((s) => s.requestId === 'b')) expectAlone(outcomes, spec, 'after a cancel');

    // Cancelled while its last vocoder call is in flight: no outcome for it.
    const hooks: { onVocode?: () => void } = {};
    const vocoder = around(rig.sessions.vocoder, (feeds, next) => {
      hooks.onVocode?.();
      return next(feeds);
    });
    const racing = stageOf({ vocoder }, { limits: { maxItems: 1 } });
    racing.enqueue(itemOf(SPECS[3]!));
    racing.enqueue({ ...itemOf(SPECS[3]!), requestId: 'c' });
    hooks.onVocode = () => {
      racing.cancel('c');
      racing.cancel('b');
    };
    const raced = await drain(racing);
    expect(raced.outcomes).toEqual([]);
    expect(racing.pending).toBe(0);
  });

  it('refuses a second step() while one is running', async () => {
    const stage = stageOf();
    stage.enqueue(itemOf(SPECS[3]!));
    const first = stage.step();
    await expect(stage.step()).rejects.toThrow(/already/);
    await first;
    expect(done((await drain(stage)).outcomes, 'b', 1)).toEqual(alone.get('b/1'));
  });

  it('seeded noise: same seed, same audio; another seed, other audio', async () => {
    const spec = SPECS[1]!;
    const run = async (seed: number): Promise<Float32Array> => {
      const stage = stageOf();
      stage.enqueue(itemOf({ ...spec, seed }));
      return done((await drain(stage)).outcomes, spec.requestId, spec.segmentIndex);
    };
    const [a, b, c] = [await run(5), await run(5), await run(6)];
    expect(a).toEqual(b);
    expect(maxAbsDiff(a, c)).toBeGreaterThan(1e-2);
  });

  it('seededCfmNoise is a pure function of seed, segment and chunk', () => {
    const item = itemOf(SPECS[0]!);
    const base = seededCfmNoise(item, 0, MEL, 50);
    expect(base).toHaveLength(MEL * 50);
    expect(seededCfmNoise(item, 0, MEL, 50)).toEqual(base);
    // A longer chunk starts with the same values per channel.
    const longer = seededCfmNoise(item, 0, MEL, 60);
    expect(columns(longer, MEL, 60, 0, 50)).toEqual(base);
    for (const other of [seededCfmNoise(item, 1, MEL, 50), seededCfmNoise({ ...item, seed: 78 }, 0, MEL, 50), seededCfmNoise({ ...item, segmentIndex: 1 }, 0, MEL, 50)]) {
      expect(maxAbsDiff(other, base)).toBeGreaterThan(1);
    }
    // Roughly standard normal.
    const mean = base.reduce((s, v) => s + v, 0) / base.length;
    const variance = base.reduce((s, v) => s + (v - mean) ** 2, 0) / base.length;
    expect(Math.abs(mean)).toBeLessThan(0.1);
    expect(Math.abs(variance - 1)).toBeLessThan(0.1);
  });

  it('does not write into the noise array it is given', async () => {
    const spec = SPECS[3]!;
    const shared = seededCfmNoise(itemOf(spec), 0, MEL, MICRO.v4.promptFrames + cfmFeatureFrames('v4', spec.tokens, spec.speed ?? 1).frames);
    const copy = Float32Array.from(shared);
    const stage = stageOf({}, { noise: () => shared });
    stage.enqueue(itemOf(SPECS[3]!));
    stage.enqueue({ ...itemOf(SPECS[3]!), requestId: 'twin' });
    const { outcomes } = await drain(stage);
    expect(shared).toEqual(copy);
    expect(maxAbsDiff(done(outcomes, 'twin', 1), done(outcomes, 'b', 1))).toBeLessThan(1e-5);
  });

  it('validates what it is given', () => {
    const stage = stageOf();
    const item = itemOf(SPECS[0]!);
    for (const steps of [0, -1, 1.5, Number.NaN, Infinity]) expect(() => { stage.enqueue({ ...item, steps }); }, String(steps)).toThrow(RangeError);
    expect(() => { stage.enqueue({ ...item, prompt: { frames: 0, mel: new Float32Array(0), fea: new Float32Array(0) } }); }).toThrow(RangeError);
    expect(() => { stage.enqueue({ ...item, prompt: { ...rig.prompt, mel: rig.prompt.mel.subarray(1) } }); }).toThrow(RangeError);
    expect(() => { stage.enqueue({ ...item, prompt: { ...rig.prompt, fea: rig.prompt.fea.subarray(1) } }); }).toThrow(RangeError);
    for (const speed of [0, -1, Number.NaN, Infinity]) expect(() => { stage.enqueue({ ...item, speed }); }, `speed ${String(speed)}`).toThrow(RangeError);
    expect(stage.pending).toBe(0);
    for (const chunking of [{ promptFrames: 64, chunkFrames: 64 }, { promptFrames: 0, chunkFrames: 64 }, { promptFrames: 40.5, chunkFrames: 64 }]) {
      expect(() => stageOf({}, { chunking }), JSON.stringify(chunking)).toThrow(RangeError);
    }
    expect(() => stageOf({}, { limits: { maxItems: 0 } })).toThrow(RangeError);
  });
});

describe('chunkRanges', () => {
  const micro = MICRO.v4;

  it('cuts T_chunk - prompt new frames per chunk, the last one shorter', () => {
    expect(chunkRanges(40, 40, micro)).toEqual([{ start: 0, end: 24 }, { start: 24, end: 40 }]);
    expect(chunkRanges(64, 40, micro)).toEqual([{ start: 0, end: 24 }, { start: 24, end: 48 }, { start: 48, end: 64 }]);
    expect(chunkRanges(5, 10, micro)).toEqual([{ start: 0, end: 5 }]);
    // A shorter prompt leaves room for more new frames.
    expect(chunkRanges(60, 10, micro)).toEqual([{ start: 0, end: 54 }, { start: 54, end: 60 }]);
  });

  it('gives whole chunks for exact multiples and none for no frames', () => {
    expect(chunkRanges(48, 40, micro)).toEqual([{ start: 0, end: 24 }, { start: 24, end: 48 }]);
    expect(chunkRanges(24, 40, micro)).toEqual([{ start: 0, end: 24 }]);
    expect(chunkRanges(25, 40, micro)).toEqual([{ start: 0, end: 24 }, { start: 24, end: 25 }]);
    expect(chunkRanges(0, 40, micro)).toEqual([]);
    expect(chunkRanges(1500, 500, CFM_CHUNKING.v4)).toHaveLength(3);
    expect(chunkRanges(1000, 500, CFM_CHUNKING.v4)).toEqual([{ start: 0, end: 500 }, { start: 500, end: 1000 }]);
    expect(chunkRanges(466, 468, CFM_CHUNKING.v3)).toEqual([{ start: 0, end: 466 }]);
  });

  it('throws when the prompt leaves no room', () => {
    expect(() => chunkRanges(10, 64, micro)).toThrow(RangeError);
    expect(() => chunkRanges(10, 65, micro)).toThrow(RangeError);
    expect(() => chunkRanges(10, 1000, CFM_CHUNKING.v4)).toThrow(RangeError);
  });
});
