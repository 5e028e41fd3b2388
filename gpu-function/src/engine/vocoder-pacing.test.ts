/**
 * The vocoder never stalls decoding (issue 13), on the tiny bundle: the SoVITS decoder is wrapped so that each call
 * blocks the thread for a fixed time, as onnxruntime does on the full-size bundle (where one call costs seconds and
 * a T2S step tens of milliseconds), while T2S keeps its real, millisecond steps.
 */
import { parseOrThrow, ttsRequestSchema, type SynthesisParams } from '@gsv-edge/shared';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { floatToPcm16 } from '../audio/pcm.ts';
import { encodeWav } from '../audio/wav.ts';
import { buildBundle } from '../models/bundle/build.ts';
import { maxAbsDiff } from '../models/sovits/testing/compare.ts';
import { DEFAULT_RUNTIME_CONFIG } from '../runtime/config.ts';
import { writeSyntheticModelSet } from '../synthetic/index.ts';
import { Engine, type AudioStream, type EngineLimits, type StepStats } from './index.ts';
import { DEFAULT_BATCH_LIMITS } from './vocoder/index.ts';

/** Every segment stops at exactly this many tokens: end-of-sequence cannot be drawn before step 11. */
const TOKENS = 10;
const SAMPLES_PER_TOKEN = 1280;
/** Eight segments of one request (cut5 splits at each full stop). */
const EIGHT = 'Number one. Number two. Number three. Number four. Number five. Number six. Number seven. Number eight.';

let root: string;
let bundleDir: string;
const engines: Engine[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-pacing-'));
  const models = await writeSyntheticModelSet(join(root, 'src'), { size: 'tiny', sovitsVersion: 'v2', bert: true, hubert: true, seed: 11 });
  bundleDir = join(root, 'models', 'tiny');
  await buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits, bert: models.bert ?? '', hubert: models.hubert ?? '' }, out: bundleDir, precisions: ['fp32'] });
}, 120_000);

afterEach(() => {
  vi.restoreAllMocks();
});

afterAll(async () => {
  for (const engine of engines) await engine.close();
  await rm(root, { recursive: true, force: true });
});

interface Rig {
  readonly engine: Engine;
  /** Every engine step so far. */
  readonly steps: StepStats[];
  /** Every decoder call: the engine step it ran in and each row's speed (which tells the tests' requests apart). */
  readonly calls: { readonly step: number; readonly speeds: readonly number[] }[];
}

/** An engine on the tiny bundle whose vocoder calls each block the thread for `vocoderMs`. */
async function rig(name: string, limits: Partial<EngineLimits>, vocoderMs: number): Promise<Rig> {
  const steps: StepStats[] = [];
  const engine = await Engine.start({
    bundles: [bundleDir],
    dataDir: join(root, `data-${name}`),
    runtime: DEFAULT_RUNTIME_CONFIG,
    limits: { maxRunning: 8, maxTokensPerSegment: TOKENS, ...limits },
    log: () => undefined,
    onStep: (stats) => steps.push(stats),
  });
  engines.push(engine);
  await engine.voices.create({ id: 'narrator', model: 'tiny', prompt_text: 'This is how I sound.', prompt_lang: 'en', ref_audio: referenceWav(), aux_ref_audio: [], description: '' });
  const calls: Rig['calls'] = [];
  const decoder = engine.models[0]?.sessions.sovitsDecoder;
  if (decoder === undefined) throw new Error('the tiny bundle has no SoVITS decoder');
  const run = decoder.run.bind(decoder);
  vi.spyOn(decoder, 'run').mockImplementation(async (feeds, into) => {
    calls.push({ step: steps.length, speeds: [...((feeds['speed']?.data ?? []) as Float64Array)] });
    const until = performance.now() + vocoderMs;
    while (performance.now() < until) {
      // Blocks the thread, as onnxruntime-node's synchronous run does.
    }
    return run(feeds, into);
  });
  return { engine, steps, calls };
}

function referenceWav(seconds = 4): string {
  const rate = 32000;
  const samples = Float32Array.from({ length: seconds * rate }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 180 * i) / rate) * (1 + 0.5 * Math.sin((2 * Math.PI * 3 * i) / rate)));
  return Buffer.from(encodeWav(floatToPcm16(samples), rate)).toString('base64');
}

function params(text: string, overrides: Partial<SynthesisParams> = {}): SynthesisParams {
  return { ...parseOrThrow(ttsRequestSchema(), { text, text_lang: 'en', voice: 'narrator', fragment_interval: 0.1, text_split_method: 'cut5' }).params, ...overrides };
}

async function start(engine: Engine, requestId: string, text: string, seed: number, overrides: Partial<SynthesisParams> = {}, signal?: AbortSignal): Promise<AudioStream> {
  return engine.synthesize({ requestId, params: params(text, overrides), seed, ...(signal === undefined ? {} : { signal }) });
}

/** Resolves with the step count when the stream's first audio arrives, then reads the rest into `pieces`. */
async function firstAudio(stream: AudioStream, rig: Rig, pieces: Float32Array[] = []): Promise<{ firstStep: number; rest: Promise<void> }> {
  const iterator = stream[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) throw new Error(`${stream.requestId} ended without audio`);
  pieces.push(first.value);
  const firstStep = rig.steps.length;
  const rest = (async () => {
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) pieces.push(next.value);
  })();
  return { firstStep, rest };
}

describe('vocoder pacing (tiny bundle, a vocoder slowed to 50 ms a call)', () => {
  it("keeps decoding a new request while a long one's finished segments are vocoded one slice at a time", async () => {
    const { engine, steps, calls } = await rig('advance', { vocoderShare: 0.25 }, 50);
    // Speed 0.5: each segment plays for 0.92 s (0.82 s and 0.1 s of silence), so segment k is due 0.92·k s in.
    const long = await start(engine, 'long', EIGHT, 1, { speed: 0.5 });
    const { rest } = await firstAudio(long, { engine, steps, calls });
    // All 8 segments finished decoding together; one has been vocoded, 7 (350 ms of vocoder) wait in the queue.
    const queuedAtSubmission = engine.stats().models[0]?.vocoderQueue ?? 0;
    const submittedAt = steps.length;
    const short = await start(engine, 'short', 'Quick one.', 2, { speed: 1.25 });
    const finished: string[] = [];
    await Promise.all([rest.then(() => finished.push('long')), short.collect().then(() => finished.push('short'))]);
    const longSummary = await long.done;
    const shortSummary = await short.done;
    expect(longSummary.segments).toBe(8);
    expect(shortSummary.tokens).toBe(TOKENS);
    expect(queuedAtSubmission).toBeGreaterThanOrEqual(4);

    // The short request's audio was due at once, before the long request's later segments: it went ahead of them.
    expect(finished).toEqual(['short', 'long']);

    // The long request's last vocoder call (its rows have speed 0.5), and every step that decoded before it.
    const lastLongCall = Math.max(...calls.filter((call) => call.speeds.includes(0.5)).map((call) => call.step));
    const decodeSteps = steps.slice(submittedAt, lastLongCall).filter((step) => step.decoded > 0 || step.prefilled > 0);
    // The short request was prefilled and decoded all its tokens before the long request's audio was all out.
    expect(decodeSteps.length).toBeGreaterThanOrEqual(TOKENS + 1);
    // No step that decoded also ran more than one vocoder call (each costs many decode steps' time).
    for (const step of steps) if (step.decoded > 0) expect(step.vocoded).toBeLessThanOrEqual(1);
    // And the vocoder's time was paid back in decode-only steps: most decoding steps ran no vocoder at all.
    const decodingSteps = steps.filter((step) => step.decoded > 0);
    expect(decodingSteps.filter((step) => step.vocoded === 0).length).toBeGreaterThan(decodingSteps.length / 2);
  });

  it('gives the same audio paced, one item a call, as vocoded unpaced in batches of 16 (token-chunk streaming too)', async () => {
    const paced = await rig('exact-paced', { vocoderShare: 0.25 }, 20);
    const unpaced = await rig('exact-unpaced', { vocoderShare: 1, vocoder: DEFAULT_BATCH_LIMITS }, 0);
    const streaming = { chunking: { mode: 'tokens', split: 'fixed', min_chunk_length: 4, overlap_length: 2 } } as const;
    const results = await Promise.all(
      [paced, unpaced].map(async ({ engine }) => {
        // A neighbour keeps T2S busy, so the paced engine slices; the streamed request's jobs share the queue.
        const neighbour = start(engine, 'neighbour', EIGHT, 5, { speed: 0.8 }).then(async (stream) => stream.collect());
        const whole = start(engine, 'whole', EIGHT, 3).then(async (stream) => stream.collect());
        const streamed = start(engine, 'streamed', 'Streaming one piece at a time. And then some more.', 4, streaming).then(async (stream) => stream.collect());
        return Promise.all([whole, streamed, neighbour]);
      }),
    );
    const [pacedAudio, unpacedAudio] = results;
    expect(paced.calls.every((call) => call.speeds.length === 1)).toBe(true);
    expect(unpaced.calls.some((call) => call.speeds.length > 1)).toBe(true);
    for (const [i, audio] of (pacedAudio ?? []).entries()) {
      const reference = unpacedAudio?.[i] ?? new Float32Array(0);
      expect(audio.length).toBe(reference.length);
      // Batched rows equal single runs to float rounding (the vocoder tests' bound).
      expect(maxAbsDiff(audio, reference), `request ${String(i)}`).toBeLessThanOrEqual(1e-5);
    }
    expect((pacedAudio?.[0] ?? new Float32Array(0)).length).toBe(8 * (TOKENS * SAMPLES_PER_TOKEN + 3200));
  });

  it('vocodes the audio due first: a long segment is not overtaken by shorter ones that arrived after it', async () => {
    const { engine, steps, calls } = await rig('oldest', { vocoderShare: 0.25, maxRunning: 2 }, 30);
    const finished: string[] = [];
    const ids = ['p', 'a', 'b1', 'b2', 'b3', 'b4', 'b5'];
    const runs: Promise<unknown>[] = [];
    for (const id of ids) {
      // `p` finishes first and puts the vocoder in debt, so `a` (the longest audio, speed 0.6) waits in the queue while
      // the much shorter b's (speed 1.6) finish behind it: shortest-first would take them before `a`.
      const stream = await start(engine, id, 'Say this once.', 7, { speed: id === 'a' ? 0.6 : 1.6 });
      runs.push(stream.collect().then(() => finished.push(id)));
    }
    await Promise.all(runs);
    expect(finished).toEqual(ids);
    // The queue held several finished segments at once, so the order was a choice.
    expect(Math.max(...steps.map((step) => step.vocoderQueue))).toBeGreaterThanOrEqual(2);
    expect(calls.map((call) => call.speeds[0])).toEqual([1.6, 0.6, 1.6, 1.6, 1.6, 1.6, 1.6]);
  });

  it('drops a cancelled request’s queued segments mid-way and keeps vocoding the others', async () => {
    const { engine, steps, calls } = await rig('cancel', { vocoderShare: 0.25 }, 40);
    const controller = new AbortController();
    const cancelled = await start(engine, 'cancelled', EIGHT, 9, { speed: 0.9 }, controller.signal);
    const survivor = await start(engine, 'survivor', 'I keep going. All the way.', 10);
    const survivorAudio = survivor.collect();
    const failure = firstAudio(cancelled, { engine, steps, calls }).then(async ({ rest }) => {
      controller.abort();
      return rest.then(
        () => undefined,
        (error: unknown) => error,
      );
    });
    expect(String(await failure)).toMatch(/cancelled/);
    const audio = await survivorAudio;
    const callsOf = (speed: number): number => calls.filter((call) => call.speeds.includes(speed)).length;
    // Most of its 8 segments never reached the vocoder; the survivor's 2 segments all did.
    expect(callsOf(0.9)).toBeLessThanOrEqual(2);
    expect(callsOf(1)).toBe(2);
    expect(engine.stats().models[0]).toMatchObject({ vocoderQueue: 0, running: 0, waiting: 0 });
    // Its audio is what it is alone (to the float rounding of T2S batch composition, as engine.test.ts allows).
    const alone = await start(engine, 'survivor-alone', 'I keep going. All the way.', 10).then(async (stream) => stream.collect());
    expect(maxAbsDiff(audio, alone)).toBeLessThan(1e-4);
  });
});
