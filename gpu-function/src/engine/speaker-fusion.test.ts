/**
 * A v2Pro voice end to end on a tiny synthetic model: the engine fuses each reference's speaker embedding into its
 * `ge` from the audio GPT-SoVITS feeds its speaker-verification model (the 32 kHz spectrogram audio resampled to
 * 16 kHz with torchaudio's resampler), and speaks with it.
 */
import { parseOrThrow, ttsRequestSchema } from '@gsv-edge/shared';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { floatToPcm16 } from '../audio/pcm.ts';
import { resampleSinc } from '../audio/resample-sinc.ts';
import { encodeWav } from '../audio/wav.ts';
import { buildBundle } from '../models/bundle/build.ts';
import { maxAbsDiff } from '../models/sovits/testing/compare.ts';
import { computeSvEmbedding } from '../models/sv/embedding.ts';
import { ModelSession } from '../runtime/session.ts';
import { tensor } from '../tensor/tensor.ts';
import { writeSyntheticModelSet } from '../synthetic/index.ts';
import { DEFAULT_RUNTIME_CONFIG, Engine } from './index.ts';
import { prepareReference, SSL_PADDING_SAMPLES } from './voices/reference-audio.ts';

let root: string;
let engine: Engine;

/** A 44.1 kHz recording, so both resampling paths do real work. */
function recording(): Uint8Array {
  const rate = 44_100;
  const samples = Float32Array.from({ length: 4 * rate }, (_, i) => {
    const t = i / rate;
    return 0.3 * Math.sin(2 * Math.PI * (170 + 20 * Math.sin(2 * Math.PI * 4 * t)) * t) * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t));
  });
  return encodeWav(floatToPcm16(samples), rate);
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-engine-pro-'));
  const models = await writeSyntheticModelSet(join(root, 'src'), { size: 'tiny', sovitsVersion: 'v2Pro', bert: true, hubert: true, seed: 31 });
  await buildBundle({
    sources: { gpt: models.gpt, sovits: models.sovits, bert: models.bert ?? '', hubert: models.hubert ?? '', sv: models.sv ?? '' },
    out: join(root, 'models', 'pro'),
    precisions: ['fp32'],
  });
  engine = await Engine.start({
    bundles: [join(root, 'models', 'pro')],
    dataDir: join(root, 'data'),
    runtime: DEFAULT_RUNTIME_CONFIG,
    limits: { maxRunning: 2, maxTokensPerSegment: 16 },
    log: () => undefined,
  });
  const ref = Buffer.from(recording()).toString('base64');
  await engine.voices.create({ id: 'pro-voice', model: 'pro', prompt_text: 'This is how I sound.', prompt_lang: 'en', ref_audio: ref, aux_ref_audio: [], description: '' });
}, 120_000);

afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

describe('engine on a v2Pro bundle', () => {
  it("fuses the speaker embedding of the torchaudio-resampled 32 kHz reference into ge, as GPT-SoVITS's TTS.py does", async () => {
    const voice = engine.voices.get('pro-voice');
    if (voice === undefined) throw new Error('voice not registered');
    const { ge } = await engine.voices.features(voice);
    const prepared = await prepareReference(recording());
    const sv = await ModelSession.load(join(root, 'models', 'pro', 'fp32', 'sv.onnx'));
    const refEncoder = await ModelSession.load(join(root, 'models', 'pro', 'fp32', 'sovits-ref-encoder.onnx'));
    const geFor = async (embedding: Float32Array): Promise<Float32Array> => {
      const out = await refEncoder.run({
        ref_audio: tensor('float32', [1, prepared.spec32k.length], prepared.spec32k),
        ref_lengths: tensor('int64', [1], BigInt64Array.of(BigInt(prepared.spec32k.length))),
        sv_emb: tensor('float32', [1, embedding.length], embedding),
      });
      return out['ge']?.data as Float32Array;
    };
    try {
      const expected = await geFor(await computeSvEmbedding(sv, resampleSinc(prepared.spec32k, 32_000, 16_000)));
      expect(maxAbsDiff(ge, expected)).toBeLessThan(1e-6);
      // The HuBERT input (librosa-style resampling, 0.6 s of zeros appended) would give another embedding and ge.
      const hubertInput = prepared.ssl16k.subarray(0, prepared.ssl16k.length - SSL_PADDING_SAMPLES);
      expect(maxAbsDiff(ge, await geFor(await computeSvEmbedding(sv, hubertInput)))).toBeGreaterThan(1e-4);
      expect(maxAbsDiff(ge, await geFor(new Float32Array(1280)))).toBeGreaterThan(1e-3);
    } finally {
      await Promise.all([sv.release(), refEncoder.release()]);
    }
  });

  it('speaks with the voice', async () => {
    const { params } = parseOrThrow(ttsRequestSchema(), { text: 'Hello there, how are you?', text_lang: 'en', voice: 'pro-voice' });
    const stream = await engine.synthesize({ requestId: 'pro-1', params, seed: 5 });
    expect(stream.model).toBe('pro');
    const samples = await stream.collect();
    const done = await stream.done;
    expect(done.tokens).toBeGreaterThan(0);
    expect(samples.length).toBeGreaterThan(done.tokens * 1280);
    expect(samples.some((x) => Math.abs(x) > 1e-3)).toBe(true);
  });
});
