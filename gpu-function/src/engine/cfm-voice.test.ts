/**
 * A v4 voice through the engine on a tiny synthetic v4 bundle: registration builds the CFM prompt (and refuses what
 * GPT-SoVITS cannot use for v3/v4), synthesis runs T2S then the CFM stage and the 48 kHz vocoder, concurrent requests
 * batch without changing each other's audio, and `sample_steps`, streaming modes and cancellation behave as a client
 * expects.
 */
import { ApiError, parseOrThrow, ttsRequestSchema, type SynthesisParams } from '@gsv-edge/shared';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff } from '../models/sovits/testing/compare.ts';
import { buildTinyBundle, referenceClip } from '../synthetic/tiny-bundle.ts';
import { CFM_CHUNKING } from './cfm/chunking.ts';
import { DEFAULT_RUNTIME_CONFIG, Engine } from './index.ts';

const RATE = 48_000;
const SAMPLES_PER_TOKEN = 1920;
const TEXT = 'Hello there. How are you today?';

let root: string;
let engine: Engine;
const reference = Buffer.from(referenceClip()).toString('base64');

function params(overrides: Record<string, unknown> = {}): SynthesisParams {
  return parseOrThrow(ttsRequestSchema(), { text: TEXT, text_lang: 'en', voice: 'v4-voice', ...overrides }).params;
}

async function speak(requestId: string, p: SynthesisParams, seed = 7): Promise<{ samples: Float32Array; tokens: number; segments: number; sampleRate: number }> {
  const stream = await engine.synthesize({ requestId, params: p, seed });
  const samples = await stream.collect();
  const done = await stream.done;
  return { samples, tokens: done.tokens, segments: done.segments, sampleRate: stream.sampleRate };
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-engine-v4-'));
  await buildTinyBundle(join(root, 'models', 'tiny-v4'), 41, 'v4');
  engine = await Engine.start({
    bundles: [join(root, 'models', 'tiny-v4')],
    dataDir: join(root, 'data'),
    runtime: DEFAULT_RUNTIME_CONFIG,
    limits: { maxRunning: 4, maxTokensPerSegment: 24 },
    log: () => undefined,
  });
  await engine.voices.create({ id: 'v4-voice', model: 'tiny-v4', prompt_text: 'This is how I sound.', prompt_lang: 'en', ref_audio: reference, aux_ref_audio: [], description: '' });
}, 180_000);

afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

describe('engine on a v4 bundle', () => {
  it("keeps the CFM prompt with the voice: the reference's last frames of mel and features, at most T_ref", async () => {
    const voice = engine.voices.get('v4-voice');
    if (voice === undefined) throw new Error('voice not registered');
    expect(voice.sample_rate).toBe(RATE);
    const { cfmPrompt } = await engine.voices.features(voice);
    if (cfmPrompt === undefined) throw new Error('no CFM prompt');
    expect(cfmPrompt.frames).toBeGreaterThan(0);
    expect(cfmPrompt.frames).toBeLessThanOrEqual(CFM_CHUNKING.v4.promptFrames);
    expect(cfmPrompt.mel.length).toBe(100 * cfmPrompt.frames);
    expect(cfmPrompt.fea.length % cfmPrompt.frames).toBe(0);
    expect(cfmPrompt.mel.every(Number.isFinite) && cfmPrompt.fea.every(Number.isFinite)).toBe(true);
  });

  it.each([
    [{ prompt_text: '  ' }, 'prompt_text'],
    [{ aux_ref_audio: [reference] }, 'aux_ref_audio'],
  ])('refuses a voice upload GPT-SoVITS v4 cannot use (%j), naming %s', async (change, param) => {
    const upload = { id: 'bad-v4', model: 'tiny-v4', prompt_text: 'This is how I sound.', prompt_lang: 'en' as const, ref_audio: reference, aux_ref_audio: [], description: '', ...change };
    const error = await engine.voices.create(upload).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'invalid_field', param });
    expect(engine.voices.get('bad-v4')).toBeUndefined();
  });

  it('speaks at 48 kHz: 1920 samples per semantic token plus the silence after each segment', async () => {
    const { samples, tokens, segments, sampleRate } = await speak('v4-1', params());
    expect(sampleRate).toBe(RATE);
    expect(tokens).toBeGreaterThan(0);
    expect(samples.length).toBe(tokens * SAMPLES_PER_TOKEN + segments * Math.trunc(RATE * 0.3));
    expect(samples.every(Number.isFinite)).toBe(true);
    expect(samples.some((x) => Math.abs(x) > 1e-3)).toBe(true);
  });

  it('is reproducible for a seed, and sample_steps changes the audio', async () => {
    const a = await speak('v4-seed-a', params({ sample_steps: 4 }));
    const b = await speak('v4-seed-b', params({ sample_steps: 4 }));
    expect(maxAbsDiff(a.samples, b.samples)).toBe(0);
    const other = await speak('v4-steps', params({ sample_steps: 6 }));
    expect(other.samples.length).toBe(a.samples.length);
    expect(maxAbsDiff(a.samples, other.samples)).toBeGreaterThan(1e-4);
  });

  it('gives each of several concurrent requests the audio it gets alone', async () => {
    const texts = ['Hello there.', 'How are you today, my friend?', 'Fine, thanks.'];
    const alone: Awaited<ReturnType<typeof speak>>[] = [];
    for (const [i, text] of texts.entries()) alone.push(await speak(`v4-alone-${String(i)}`, params({ text, sample_steps: 4 }), 100 + i));
    const together = await Promise.all(texts.map((text, i) => speak(`v4-together-${String(i)}`, params({ text, sample_steps: 4 }), 100 + i)));
    together.forEach((result, i) => {
      expect(result.samples.length).toBe(alone[i]?.samples.length);
      expect(maxAbsDiff(result.samples, alone[i]?.samples ?? new Float32Array(0))).toBeLessThan(1e-3);
    });
  });

  it('falls back to whole segments for token-chunk streaming, as GPT-SoVITS does for v3/v4', async () => {
    const segmentMode = await speak('v4-mode-1', params({ sample_steps: 4, streaming_mode: 1 }));
    const tokenMode = await speak('v4-mode-3', params({ sample_steps: 4, streaming_mode: 3 }));
    expect(maxAbsDiff(tokenMode.samples, segmentMode.samples)).toBe(0);
  });

  it('drops a cancelled request from the CFM stage and keeps serving', async () => {
    const controller = new AbortController();
    const stream = await engine.synthesize({ requestId: 'v4-cancel', params: params({ sample_steps: 64 }), seed: 3, signal: controller.signal });
    const failed = stream.done.then(
      () => 'finished',
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    // Let T2S finish and the CFM start before the client leaves.
    await new Promise((resolve) => setTimeout(resolve, 300));
    controller.abort();
    expect(await failed).toMatch(/cancelled/);
    expect(engine.isInFlight('v4-cancel')).toBe(false);
    const after = await speak('v4-after-cancel', params({ sample_steps: 4 }));
    expect(after.samples.length).toBeGreaterThan(0);
  });
});
