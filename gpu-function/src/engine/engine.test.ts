import { ApiError, parseOrThrow, ttsRequestSchema, type SynthesisParams } from '@gsv-edge/shared';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatToPcm16 } from '../audio/pcm.ts';
import { encodeWav } from '../audio/wav.ts';
import { buildBundle } from '../models/bundle/build.ts';
import { DEFAULT_RUNTIME_CONFIG } from '../runtime/config.ts';
import { writeSyntheticModelSet } from '../synthetic/index.ts';
import { Engine, type EngineOptions } from './engine.ts';

const MAX_TOKENS = 24;
const SAMPLES_PER_TOKEN = 1280;
let root: string;
let options: EngineOptions;
let engine: Engine;
/** Largest decode batch seen since the last reset. */
let largestBatch = 0;
/** Engine steps so far. */
let steps = 0;

function referenceWav(seconds = 4): string {
  const rate = 32000;
  const samples = Float32Array.from({ length: seconds * rate }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 180 * i) / rate) * (1 + 0.5 * Math.sin((2 * Math.PI * 3 * i) / rate)));
  return Buffer.from(encodeWav(floatToPcm16(samples), rate)).toString('base64');
}

function params(text: string, overrides: Partial<SynthesisParams> = {}): SynthesisParams {
  return { ...parseOrThrow(ttsRequestSchema(), { text, text_lang: 'en', voice: 'narrator', fragment_interval: 0.1 }).params, ...overrides };
}

async function audio(text: string, seed: number, overrides: Partial<SynthesisParams> = {}, id = `r-${String(seed)}`): Promise<Float32Array> {
  return (await engine.synthesize({ requestId: id, params: params(text, overrides), seed })).collect();
}

/** Rejects if `promise` has not settled within `ms`, so a hang fails the test instead of stalling the suite. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what}: no result within ${String(ms)} ms`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function until(condition: () => boolean, what: string): Promise<void> {
  const polling = (async () => {
    while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
  })();
  await within(polling, 10_000, what);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-engine-'));
  const models = await writeSyntheticModelSet(join(root, 'src'), { size: 'tiny', sovitsVersion: 'v2', bert: true, hubert: true, seed: 11 });
  await buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits, bert: models.bert ?? '', hubert: models.hubert ?? '' }, out: join(root, 'models', 'tiny'), precisions: ['fp32'] });
  options = {
    bundles: [join(root, 'models', 'tiny')],
    dataDir: join(root, 'data'),
    runtime: DEFAULT_RUNTIME_CONFIG,
    limits: { maxRunning: 3, maxTokensPerSegment: MAX_TOKENS },
    log: () => undefined,
    onStep: (stats) => {
      steps += 1;
      largestBatch = Math.max(largestBatch, stats.decoded);
    },
  };
  engine = await Engine.start(options);
  await engine.voices.create({
    id: 'narrator',
    model: 'tiny',
    prompt_text: 'This is how I sound.',
    prompt_lang: 'en',
    ref_audio: referenceWav(),
    aux_ref_audio: [],
    description: '',
  });
}, 120_000);

afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

describe('engine', () => {
  it('synthesizes every segment: tokens × 1280 samples plus the fragment interval after each', async () => {
    const stream = await engine.synthesize({ requestId: 'two-segments', params: params('Hello there, my friend. How are you today?'), seed: 5 });
    const samples = await stream.collect();
    const summary = await stream.done;
    expect(summary.segments).toBeGreaterThanOrEqual(2);
    expect(summary.tokens).toBeGreaterThan(0);
    expect(samples.length).toBe(summary.tokens * SAMPLES_PER_TOKEN + summary.segments * 3200);
    expect(summary.audioSeconds).toBeCloseTo(samples.length / 32000, 6);
    expect(summary.timeToFirstAudioMs).toBeLessThanOrEqual(summary.totalMs);
    expect(samples.some((x) => x !== 0)).toBe(true);
    expect(samples.every((x) => Number.isFinite(x) && Math.abs(x) <= 1)).toBe(true);
  });

  it.each(['fixed', 'quiet'] as const)('streams inside segments in token chunks (%s cuts), tiling the whole length', async (split) => {
    const stream = await engine.synthesize({
      requestId: `chunks-${split}`,
      params: params('Streaming one piece at a time.', { chunking: { mode: 'tokens', split, min_chunk_length: 4, overlap_length: 2 } }),
      seed: 21,
    });
    const pieces: Float32Array[] = [];
    for await (const piece of stream) pieces.push(piece);
    const summary = await stream.done;
    const total = pieces.reduce((sum, piece) => sum + piece.length, 0);
    expect(total).toBe(summary.tokens * SAMPLES_PER_TOKEN + summary.segments * 3200);
    if (split === 'fixed') expect(pieces.length).toBeGreaterThan(summary.segments * 2);
    expect(summary.timeToFirstAudioMs).toBeLessThan(summary.totalMs);
  });

  it('gives identical audio for the same seed and different audio for another', async () => {
    const first = await audio('Same words again.', 42, {}, 'seed-a');
    const second = await audio('Same words again.', 42, {}, 'seed-b');
    const other = await audio('Same words again.', 43, {}, 'seed-c');
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
  });

  it('produces the same audio for a request whether it runs alone or batched with others', async () => {
    largestBatch = 0;
    const alone = await audio('Batching must not change me.', 7, {}, 'alone');
    expect(largestBatch).toBe(1);
    const [batched] = await Promise.all([
      audio('Batching must not change me.', 7, {}, 'batched'),
      audio('A different sentence that decodes alongside.', 8, {}, 'neighbour-1'),
      audio('And one more, so the batch is full.', 9, {}, 'neighbour-2'),
    ]);
    expect(largestBatch).toBe(3);
    expect(batched.length).toBe(alone.length);
    let maxDiff = 0;
    for (let i = 0; i < alone.length; i += 1) maxDiff = Math.max(maxDiff, Math.abs((batched[i] ?? 0) - (alone[i] ?? 0)));
    expect(maxDiff).toBeLessThan(1e-4);
  });

  it('lets a short request that arrives during a long one finish first', async () => {
    const long = 'One. Two. Three. Four. Five. Six. Seven. Eight. Nine. Ten. Eleven. Twelve.';
    const finished: string[] = [];
    const longRun = audio(long, 1, { text_split_method: 'cut5' }, 'long').then(() => finished.push('long'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    const shortRun = audio('Quick one.', 2, {}, 'short').then(() => finished.push('short'));
    await Promise.all([longRun, shortRun]);
    expect(finished).toEqual(['short', 'long']);
  });

  it('stops a cancelled request at the next step and keeps serving others', async () => {
    const controller = new AbortController();
    const cancelled = await engine.synthesize({ requestId: 'cancel-me', params: params('Cancel me. Please cancel me. I will be cancelled.'), seed: 3, signal: controller.signal });
    const survivor = audio('I keep going.', 4, {}, 'survivor');
    controller.abort();
    await expect(cancelled.collect()).rejects.toThrow(/cancelled/);
    expect((await survivor).length).toBeGreaterThan(0);
    // Every KV slot is free again once the survivor is done.
    await new Promise((resolve) => setTimeout(resolve, 20));
    for (const model of engine.models) expect(model.manifest.id).toBe('tiny');
  });

  it('refuses a second request with an id already in flight, completes the first, then lets the id be used again', async () => {
    const first = engine.synthesize({ requestId: 'same-id', params: params('The first one is served.'), seed: 12 });
    const second = engine.synthesize({ requestId: 'same-id', params: params('The second one is refused.'), seed: 13 });
    await expect(second).rejects.toMatchObject({ code: 'duplicate_request', status: 409, param: 'request_id' });
    const stream = await first;
    expect((await within(stream.collect(), 10_000, 'the first request')).length).toBeGreaterThan(0);
    expect((await stream.done).requestId).toBe('same-id');
    expect(engine.isInFlight('same-id')).toBe(false);
    expect((await within(audio('The same id, once it is free.', 14, {}, 'same-id'), 10_000, 'the reused id')).length).toBeGreaterThan(0);
  });

  it('fails a request that runs past its deadline, drops its sequences at the next step and keeps serving others', async () => {
    // 250 segments (under the 4096-character limit): seconds of work even on this tiny model, so the deadline passes
    // well inside it.
    const long = Array.from({ length: 250 }, () => 'Keep talking.').join(' ');
    const companion = audio('I finish in time.', 15, {}, 'in-time');
    const stream = await engine.synthesize({ requestId: 'too-slow', params: params(long, { text_split_method: 'cut5' }), seed: 16, deadlineMs: Date.now() + 300 });
    let chunks = 0;
    const failure = await within(
      (async () => {
        for await (const _ of stream) chunks += 1;
      })().then(() => undefined, (error: unknown) => error),
      10_000,
      'the late request',
    );
    expect(failure).toMatchObject({ code: 'deadline_exceeded', status: 504 });
    // It failed mid-synthesis: some segments had already been delivered.
    expect(chunks).toBeGreaterThan(0);
    expect((await companion).length).toBeGreaterThan(0);
    // The worker lets go of it at the next step; from then on a new request decodes alone, under the same id.
    await until(() => !engine.isInFlight('too-slow'), 'the late request to be retired');
    largestBatch = 0;
    expect((await within(audio('Alone again.', 17, {}, 'too-slow'), 10_000, 'the next request')).length).toBeGreaterThan(0);
    expect(largestBatch).toBe(1);
  });

  it('refuses a request whose deadline has already passed without starting it', async () => {
    const before = steps;
    await expect(engine.synthesize({ requestId: 'late', params: params('Too late.'), seed: 18, deadlineMs: Date.now() - 1 })).rejects.toMatchObject({
      code: 'deadline_exceeded',
      status: 504,
    });
    expect(steps).toBe(before);
    expect(engine.isInFlight('late')).toBe(false);
    // Without a deadline of its own, a request gets the engine's timeout.
    expect(engine.limits.requestTimeoutMs).toBe(300_000);
  });

  it('refuses unknown voices, stale voice versions and unsupported languages with clear 4xx errors', async () => {
    await expect(engine.synthesize({ requestId: 'x', params: params('Hi.', { voice: 'nobody' }), seed: 1 })).rejects.toMatchObject({ code: 'voice_not_found', status: 404, param: 'voice' });
    await expect(engine.synthesize({ requestId: 'x', params: params('Hi.'), seed: 1, voiceVersion: 'f'.repeat(64) })).rejects.toMatchObject({ code: 'voice_version_mismatch', status: 409 });
    await expect(engine.synthesize({ requestId: 'x', params: params('こんにちは', { text_lang: 'ja' }), seed: 1 })).rejects.toMatchObject({ code: 'language_not_supported', status: 400 });
  });

  it('rejects bad reference audio when registering a voice, naming the field', async () => {
    const silent = Buffer.from(encodeWav(new Int16Array(32000 * 4), 32000)).toString('base64');
    const short = Buffer.from(encodeWav(floatToPcm16(new Float32Array(32000).fill(0.2)), 32000)).toString('base64');
    const base = { id: 'bad', model: 'tiny', prompt_text: 'x', prompt_lang: 'en' as const, aux_ref_audio: [], description: '' };
    await expect(engine.voices.create({ ...base, ref_audio: silent })).rejects.toMatchObject({ code: 'invalid_reference_audio', param: 'ref_audio' });
    await expect(engine.voices.create({ ...base, ref_audio: referenceWav(), aux_ref_audio: [short] })).rejects.toMatchObject({ code: 'invalid_reference_audio', param: 'aux_ref_audio.0' });
    await expect(engine.voices.create({ ...base, id: 'narrator', ref_audio: referenceWav() })).rejects.toBeInstanceOf(ApiError);
    expect(engine.voices.get('bad')).toBeUndefined();
  });

  it('restores voices and their features from disk after a restart, with identical output', async () => {
    const before = await audio('Remember me.', 99, {}, 'before-restart');
    await engine.close();
    engine = await Engine.start(options);
    expect(engine.voices.get('narrator')?.id).toBe('narrator');
    const after = await audio('Remember me.', 99, {}, 'after-restart');
    expect(after).toEqual(before);
  });
});
