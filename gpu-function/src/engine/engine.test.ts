import { ApiError, parseOrThrow, ttsRequestSchema, voiceVersion, type SynthesisParams, type Voice } from '@gsv-edge/shared';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatToPcm16 } from '../audio/pcm.ts';
import { encodeWav } from '../audio/wav.ts';
import { buildBundle } from '../models/bundle/build.ts';
import { DEFAULT_RUNTIME_CONFIG } from '../runtime/config.ts';
import { writeSyntheticModelSet } from '../synthetic/index.ts';
import { Engine, RUNAWAY_MIN_TOKENS, type AudioStream, type EngineOptions, type VoiceSource } from './index.ts';

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

/** Many short segments: seconds of work even on the tiny model. */
const LONG_TEXT = Array.from({ length: 250 }, () => 'Keep talking.').join(' ');

/** The stream's failure, or undefined once it completes (a hang fails the test). */
async function failureOf(stream: AudioStream): Promise<unknown> {
  return within(
    stream.collect().then(() => undefined, (error: unknown) => error),
    10_000,
    `request ${stream.requestId}`,
  );
}

/** How a request ends: the error `synthesize` or its stream failed with, or undefined if it completed. */
async function outcome(starting: Promise<AudioStream>, what: string): Promise<unknown> {
  return within(
    starting.then(async (stream) => stream.collect()).then(() => undefined, (error: unknown) => error),
    10_000,
    what,
  );
}

function voiceRequest(id: string, model = 'tiny', prompt: { text: string; lang: 'en' | 'zh' } = { text: 'This is how I sound.', lang: 'en' }) {
  return { id, model, prompt_text: prompt.text, prompt_lang: prompt.lang, ref_audio: referenceWav(), aux_ref_audio: [], description: '' };
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
  // The same weights without BERT, as `gsv-edge bundle` builds them without --bert.
  await buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits, hubert: models.hubert ?? '' }, out: join(root, 'models', 'plain'), precisions: ['fp32'] });
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

describe('engine streams', () => {
  it('names the model bundle, its sample rate and the voice version before any audio, and the model in the summary', async () => {
    const stream = await engine.synthesize({ requestId: 'who-speaks', params: params('Who is speaking?'), seed: 30 });
    expect({ requestId: stream.requestId, model: stream.model, modelSha256: stream.modelSha256, sampleRate: stream.sampleRate, voiceVersion: stream.voiceVersion }).toEqual({
      requestId: 'who-speaks',
      model: 'tiny',
      modelSha256: engine.models[0]!.sha256,
      sampleRate: 32000,
      voiceVersion: engine.voices.get('narrator')!.version,
    });
    await stream.collect();
    expect(await stream.done).toMatchObject({ requestId: 'who-speaks', model: 'tiny', sampleRate: 32000 });
  });
});

describe('engine request validation', () => {
  it.each([-1, 2 ** 32, 1.5, Number.NaN])('refuses seed %s up front (invalid_field, param seed) before any step runs', async (seed) => {
    const before = steps;
    await expect(engine.synthesize({ requestId: 'bad-seed', params: params('Hi.'), seed })).rejects.toMatchObject({ code: 'invalid_field', status: 400, param: 'seed' });
    expect(steps).toBe(before);
    expect(engine.isInFlight('bad-seed')).toBe(false);
  });

  it('samples with `seed`; `params.seed` is the client\'s choice and is refused when it names another seed', async () => {
    const resolved = await audio('Which seed wins?', 42, {}, 'seed-derived');
    expect(await audio('Which seed wins?', 42, { seed: 42 }, 'seed-given')).toEqual(resolved);
    expect(await audio('Which seed wins?', 42, { seed: -1 }, 'seed-random')).toEqual(resolved);
    await expect(engine.synthesize({ requestId: 'seed-conflict', params: params('Which seed wins?', { seed: 7 }), seed: 42 })).rejects.toMatchObject({
      code: 'invalid_field',
      param: 'seed',
    });
    expect(engine.isInFlight('seed-conflict')).toBe(false);
  });

  it('refuses invalid parameters up front, naming the field', async () => {
    const before = steps;
    await expect(engine.synthesize({ requestId: 'bad-top-k', params: params('Hi.', { top_k: 0 }), seed: 1 })).rejects.toMatchObject({ code: 'invalid_field', param: 'top_k' });
    await expect(engine.synthesize({ requestId: 'bad-speed', params: params('Hi.', { speed: 0 }), seed: 1 })).rejects.toMatchObject({ code: 'invalid_field', param: 'speed' });
    expect(steps).toBe(before);
  });
});

describe('engine voices on disk', () => {
  it('refuses a voice id that is not a valid id (invalid_field, param id) and writes nothing outside the voices folder', async () => {
    for (const id of ['../escaped', 'Upper', '', 'a/b', '.hidden', 'x'.repeat(65)]) {
      await expect(engine.voices.create(voiceRequest(id))).rejects.toMatchObject({ code: 'invalid_field', status: 400, param: 'id' });
    }
    expect(existsSync(join(options.dataDir, 'escaped.json'))).toBe(false);
    expect(existsSync(join(options.dataDir, 'voices', '..', 'escaped.json'))).toBe(false);
    expect(engine.voices.list().map((voice) => voice.id)).not.toContain('../escaped');
  });

  it('skips unreadable or invalid voice definitions at start with a notice naming each file, and serves the others', async () => {
    const dataDir = join(root, 'data-damaged');
    await cp(options.dataDir, dataDir, { recursive: true });
    const voices = join(dataDir, 'voices');
    const narrator = await readFile(join(voices, 'narrator.json'), 'utf8');
    const damaged = {
      'truncated.json': narrator.slice(0, 40),
      'wrong-shape.json': JSON.stringify({ ...(JSON.parse(narrator) as object), id: 'wrong-shape', version: 'not-a-hash' }),
      // A valid definition of "narrator" under another name: deleting either would leave the other behind.
      'renamed.json': narrator,
    };
    for (const [name, text] of Object.entries(damaged)) await writeFile(join(voices, name), text);
    await mkdir(join(voices, 'unreadable.json'));
    const notices: string[] = [];
    const restarted = await Engine.start({ ...options, dataDir, log: (message) => notices.push(message) });
    try {
      expect(restarted.voices.list().map((voice) => voice.id)).toEqual(['narrator']);
      for (const name of [...Object.keys(damaged), 'unreadable.json']) {
        expect(notices.filter((notice) => notice.includes(join(voices, name)) && notice.includes('skipped'))).toHaveLength(1);
      }
      const stream = await restarted.synthesize({ requestId: 'still-served', params: params('Still here.'), seed: 31 });
      expect((await within(stream.collect(), 10_000, 'the surviving voice')).length).toBeGreaterThan(0);
    } finally {
      await restarted.close();
    }
  });
});

describe('engine after a crash mid-write', () => {
  /** Copies the data folder and leaves in it what a process killed mid-write would: temporaries and half files. */
  async function crashedCopy(name: string, truncateAudio: boolean): Promise<string> {
    const dataDir = join(root, name);
    await cp(options.dataDir, dataDir, { recursive: true });
    for (const folder of ['features', 'audio', 'voices']) {
      await writeFile(join(dataDir, folder, `narrator.json.${String(process.pid)}.00000000-0000-4000-8000-000000000000.tmp`), 'half a');
    }
    for (const folder of truncateAudio ? ['features', 'audio'] : ['features']) {
      for (const file of await readdir(join(dataDir, folder))) {
        if (file.endsWith('.tmp')) continue;
        await truncate(join(dataDir, folder, file), Math.floor((await readFile(join(dataDir, folder, file))).length / 2));
      }
    }
    return dataDir;
  }

  it('removes leftover temporaries at start and recomputes truncated features, giving the same audio', { timeout: 60_000 }, async () => {
    const expected = await audio('Crash safe.', 41, {}, 'crash-reference');
    const dataDir = await crashedCopy('data-crashed', false);
    const notices: string[] = [];
    const restarted = await Engine.start({ ...options, dataDir, log: (message) => notices.push(message) });
    try {
      for (const folder of ['features', 'audio', 'voices']) expect((await readdir(join(dataDir, folder))).filter((file) => file.endsWith('.tmp'))).toEqual([]);
      const stream = await restarted.synthesize({ requestId: 'after-crash', params: params('Crash safe.'), seed: 41 });
      expect(await within(stream.collect(), 10_000, 'after the crash')).toEqual(expected);
      expect(notices.some((notice) => /refused and removed, to be computed again: .*truncated/.test(notice))).toBe(true);
      expect(notices.filter((notice) => notice.includes('temporary files left by an interrupted write'))).toHaveLength(3);
    } finally {
      await restarted.close();
    }
  });

  it('refuses a truncated recording instead of computing features from it: fetched again when there is a source, a 5xx naming the voice when not', { timeout: 60_000 }, async () => {
    const expected = await audio('Half a recording.', 42, {}, 'recording-reference');
    const local = await Engine.start({ ...options, dataDir: await crashedCopy('data-crashed-local', true), log: () => undefined });
    try {
      const failed = local.synthesize({ requestId: 'half-recording', params: params('Half a recording.'), seed: 42 });
      await expect(failed).rejects.toMatchObject({ code: 'synthesis_failed', message: expect.stringContaining('"narrator"') as unknown });
    } finally {
      await local.close();
    }

    const narrator = engine.voices.get('narrator');
    if (narrator === undefined) throw new Error('no narrator voice');
    const recording = await readFile(join(options.dataDir, 'audio', narrator.reference.sha256));
    let fetched = 0;
    const source: VoiceSource = {
      voice: (id) => Promise.resolve(id === 'narrator' ? narrator : null),
      recording: () => {
        fetched += 1;
        return Promise.resolve(recording);
      },
    };
    const notices: string[] = [];
    const remote = await Engine.start({ ...options, dataDir: await crashedCopy('data-crashed-remote', true), voiceSource: source, log: (message) => notices.push(message) });
    try {
      const stream = await remote.synthesize({ requestId: 'refetched', params: params('Half a recording.'), seed: 42, voiceVersion: narrator.version });
      expect(await within(stream.collect(), 10_000, 'with the recording fetched again')).toEqual(expected);
      expect(fetched).toBe(1);
      expect(notices.some((notice) => notice.includes(narrator.reference.sha256) && notice.includes('does not match its SHA-256'))).toBe(true);
    } finally {
      await remote.close();
    }
  });
});

describe('engine on a bundle built without BERT', () => {
  it('registers a Mandarin voice and speaks Mandarin with zero BERT features, as `gsv-edge bundle --help` says', async () => {
    const notices: string[] = [];
    const plain = await Engine.start({ ...options, bundles: [join(root, 'models', 'plain')], dataDir: join(root, 'data-plain'), log: (message) => notices.push(message) });
    try {
      expect(notices.filter((notice) => notice.includes('bundle plain: no BERT'))).toHaveLength(1);
      await plain.voices.create(voiceRequest('mandarin', 'plain', { text: '这是我说话的声音。', lang: 'zh' }));
      await plain.voices.create(voiceRequest('english', 'plain'));
      for (const voice of ['mandarin', 'english']) {
        const stream = await plain.synthesize({ requestId: `zh-${voice}`, params: params('今天天气很好，我们去散步。', { voice, text_lang: 'zh' }), seed: 32 });
        expect(stream.model).toBe('plain');
        const samples = await within(stream.collect(), 10_000, `Mandarin for the ${voice} voice`);
        expect(samples.length).toBe((await stream.done).tokens * SAMPLES_PER_TOKEN + (await stream.done).segments * 3200);
        expect(samples.some((x) => x !== 0)).toBe(true);
      }
    } finally {
      await plain.close();
    }
  });
});

describe('engine shutdown', () => {
  it('close() fails requests in flight with not_ready, refuses new work at once, and resolves', async () => {
    const closing = await Engine.start(options);
    const running = await closing.synthesize({ requestId: 'running', params: params(LONG_TEXT, { text_split_method: 'cut5' }), seed: 40 });
    const preparing = closing.synthesize({ requestId: 'preparing', params: params('Still being prepared.'), seed: 41 });
    expect(closing.accepting).toBe(true);
    const closed = closing.close();
    expect(closing.accepting).toBe(false);
    await expect(closing.synthesize({ requestId: 'after-close', params: params('Too late.'), seed: 42 })).rejects.toMatchObject({ code: 'not_ready', status: 503 });
    await expect(closing.voices.create(voiceRequest('too-late'))).rejects.toMatchObject({ code: 'not_ready', status: 503 });
    expect(await failureOf(running)).toMatchObject({ code: 'not_ready', status: 503, message: expect.stringMatching(/shutting down/) as unknown });
    expect(await outcome(preparing, 'the request being prepared')).toMatchObject({ code: 'not_ready', status: 503 });
    await within(closed, 10_000, 'close');
    expect(closing.inFlight).toBe(0);
    await expect(closing.synthesize({ requestId: 'after-closed', params: params('Too late.'), seed: 43 })).rejects.toMatchObject({ code: 'not_ready', status: 503 });
  });

  it('close({ graceMs }) lets requests in flight finish within the grace period, then fails the rest; a later call shortens it', async () => {
    const draining = await Engine.start(options);
    const short = await draining.synthesize({ requestId: 'short', params: params('I finish in time.'), seed: 44 });
    const long = await draining.synthesize({ requestId: 'long', params: params(LONG_TEXT, { text_split_method: 'cut5' }), seed: 45 });
    expect(draining.inFlight).toBe(2);
    const closed = draining.close({ graceMs: 600_000 });
    await expect(draining.synthesize({ requestId: 'late', params: params('Too late.'), seed: 46 })).rejects.toMatchObject({ code: 'not_ready' });
    expect((await within(short.collect(), 10_000, 'the short request')).length).toBeGreaterThan(0);
    await until(() => draining.inFlight === 1, 'the short request to leave');
    // The long request would run for seconds more; a shorter grace period ends the wait.
    const again = draining.close({ graceMs: 50 });
    expect(await failureOf(long)).toMatchObject({ code: 'not_ready', status: 503 });
    await within(Promise.all([closed, again]), 10_000, 'close');
    expect(draining.inFlight).toBe(0);
  });
});

describe('engine voices from a source (the gateway)', () => {
  it('fetches a voice it has not seen once, checks it against its version, and refuses a tampered or stale one', async () => {
    const request = voiceRequest('remote');
    const inspection = await engine.voices.inspect(request);
    expect(inspection).toMatchObject({ object: 'voice.inspection', model: 'tiny', sample_rate: 32000, aux_references: [] });
    const recording = Buffer.from(request.ref_audio, 'base64');
    const version = await voiceVersion({ model_sha256: inspection.model_sha256, recordings: [inspection.reference.sha256], prompt_text: request.prompt_text, prompt_lang: 'en' });
    const voice: Voice = {
      object: 'voice', id: 'remote', model: 'tiny', model_sha256: inspection.model_sha256, version, prompt_text: request.prompt_text, prompt_lang: 'en',
      reference: inspection.reference, aux_references: [], sample_rate: 32000, description: '', created_at: new Date().toISOString(),
    };
    const calls = { voice: 0, recording: 0 };
    let served = recording;
    const source: VoiceSource = {
      voice: (id) => {
        calls.voice += 1;
        return Promise.resolve(id === 'remote' ? voice : null);
      },
      recording: () => {
        calls.recording += 1;
        return Promise.resolve(served);
      },
    };
    const dataDir = join(root, 'data-remote');
    const remote = await Engine.start({ ...options, dataDir, voiceSource: source });
    try {
      const first = remote.synthesize({ requestId: 'remote-1', params: { ...params('Fetched once.'), voice: 'remote' }, seed: 3, voiceVersion: version });
      const second = remote.synthesize({ requestId: 'remote-2', params: { ...params('Still once.'), voice: 'remote' }, seed: 3, voiceVersion: version });
      for (const stream of await Promise.all([first, second])) expect((await stream.collect()).length).toBeGreaterThan(0);
      expect(calls).toEqual({ voice: 1, recording: 1 });

      const stale = remote.synthesize({ requestId: 'remote-3', params: { ...params('Old version.'), voice: 'remote' }, seed: 3, voiceVersion: 'f'.repeat(64) });
      await expect(stale).rejects.toMatchObject({ code: 'voice_version_mismatch' });
      await expect(remote.synthesize({ requestId: 'remote-4', params: { ...params('Nobody.'), voice: 'nobody' }, seed: 3 })).rejects.toMatchObject({ code: 'voice_not_found' });
    } finally {
      await remote.close();
    }

    // A fresh function whose source hands out other bytes for the recording refuses the voice.
    served = Buffer.from(referenceWav(5), 'base64');
    const tampered = await Engine.start({ ...options, dataDir: join(root, 'data-tampered'), voiceSource: source });
    try {
      await expect(tampered.synthesize({ requestId: 'tampered', params: { ...params('Tampered.'), voice: 'remote' }, seed: 3, voiceVersion: version })).rejects.toThrow(/other bytes/);
    } finally {
      await tampered.close();
    }
  });
});

describe('engine voice definitions from a source', () => {
  it('holds at most VOICE_DEFINITIONS_MAX definitions while voices churn, and fetches an evicted one again when named', async () => {
    const request = voiceRequest('churn');
    const inspection = await engine.voices.inspect(request);
    const recording = Buffer.from(request.ref_audio, 'base64');
    const version = await voiceVersion({ model_sha256: inspection.model_sha256, recordings: [inspection.reference.sha256], prompt_text: request.prompt_text, prompt_lang: 'en' });
    const voiceNamed = (id: string): Voice => ({
      object: 'voice', id, model: 'tiny', model_sha256: inspection.model_sha256, version, prompt_text: request.prompt_text, prompt_lang: 'en',
      reference: inspection.reference, aux_references: [], sample_rate: 32000, description: '', created_at: new Date().toISOString(),
    });
    const fetched: string[] = [];
    const source: VoiceSource = {
      voice: (id) => {
        fetched.push(id);
        return Promise.resolve(voiceNamed(id));
      },
      recording: () => Promise.resolve(recording),
    };
    const bounded = await Engine.start({ ...options, dataDir: join(root, 'data-definitions'), voiceSource: source, limits: { ...options.limits, voiceDefinitions: 2 } });
    try {
      for (const id of ['churn-a', 'churn-b', 'churn-c', 'churn-d']) await bounded.voices.resolve(id, version);
      expect(bounded.stats().voiceDefinitions).toBe(2);
      expect(bounded.voices.list().map((voice) => voice.id)).toEqual(['churn-c', 'churn-d']);
      // The first voice left memory: naming it again fetches it again, and it still speaks.
      const stream = await bounded.synthesize({ requestId: 'churn-a-again', params: { ...params('Back again.'), voice: 'churn-a' }, seed: 3, voiceVersion: version });
      expect((await stream.collect()).length).toBeGreaterThan(0);
      expect(fetched).toEqual(['churn-a', 'churn-b', 'churn-c', 'churn-d', 'churn-a']);
      expect(bounded.stats().voiceDefinitions).toBe(2);
    } finally {
      await bounded.close();
    }
  }, 60_000);
});

describe('engine runaway guard', () => {
  it('stops a segment that never ends on its own far past what its phones need, and reports it', async () => {
    const guarded = await Engine.start({ ...options, dataDir: join(root, 'data-guard'), limits: { maxRunning: 3, maxTokensPerSegment: 400, runawayTokensPerPhone: 1 } });
    try {
      await guarded.voices.create(voiceRequest('narrator'));
      const stream = await guarded.synthesize({ requestId: 'runaway', params: params('Hi. Yes.'), seed: 8 });
      await stream.collect();
      const summary = await stream.done;
      // Random weights almost never draw end-of-sequence: every segment runs into the guard (50 tokens, the floor).
      expect(summary.runawaySegments).toBe(summary.segments);
      expect(summary.tokens).toBe(summary.segments * RUNAWAY_MIN_TOKENS);
    } finally {
      await guarded.close();
    }
  });
});

describe('engine warm-up', () => {
  it('runs one short synthesis per bundle through every graph, storing nothing', async () => {
    const before = steps;
    const voicesBefore = engine.voices.list().map((voice) => voice.id);
    await within(engine.warmUp(), 30_000, 'warm-up');
    expect(steps).toBeGreaterThan(before);
    expect(engine.voices.list().map((voice) => voice.id)).toEqual(voicesBefore);
    expect(engine.stats()).toMatchObject({ inFlight: 0, models: [expect.objectContaining({ waiting: 0, running: 0, vocoderQueue: 0 })] });
  });
});
