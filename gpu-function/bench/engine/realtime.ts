/**
 * Bench scenario (issue 12): real-time factor of a model bundle through the Engine on CPU, at `--concurrency`
 * simultaneous requests: wall time from sending the requests until the last one finishes, divided by the seconds
 * of audio they produced (below 1 is faster than real time). Also the time to register the voice, which for
 * v2Pro/v2ProPlus includes the speaker-verification model. Random weights rarely emit EOS, so maxTokensPerSegment caps
 * each request's one segment at `--tokens`.
 *
 *   npx node gpu-function/bench/engine/realtime.ts --bundle DIR --data DIR [--concurrency 8] [--tokens 100]
 *
 * `--data` is emptied first: it is this scenario's own folder.
 * @module
 */
import { parseOrThrow, ttsRequestSchema } from '@gsv-edge/shared';
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_RUNTIME_CONFIG, Engine } from '../../src/engine/index.ts';
import { referenceClip } from '../../src/synthetic/tiny-bundle.ts';
import { emitResult, progress } from '../scenario-result.ts';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    data: { type: 'string' },
    concurrency: { type: 'string', default: '1' },
    tokens: { type: 'string', default: '100' },
  },
});
if (values.bundle === undefined || values.data === undefined) throw new Error('--bundle and --data are required');
const concurrency = Number(values.concurrency);
const tokens = Number(values.tokens);
if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency must be a positive integer, got ${values.concurrency}`);
if (!Number.isInteger(tokens) || tokens < 16) throw new Error(`--tokens must be an integer ≥ 16, got ${values.tokens}`);
const VOICE = 'bench-voice';
// Enough phones that the runaway guard (12 tokens per phone) never cuts a segment short of the cap.
const TEXT = 'The quick brown fox jumps over the lazy dog while the sun sets slowly behind the distant hills.';

// A fresh data folder, so the voice is registered (and its registration timed) every run.
await rm(values.data, { recursive: true, force: true });
const engine = await Engine.start({ bundles: [values.bundle], dataDir: values.data, runtime: DEFAULT_RUNTIME_CONFIG, limits: { maxTokensPerSegment: tokens, maxRunning: concurrency } });
let started = performance.now();
const voice = await engine.voices.create({ id: VOICE, model: basename(values.bundle), prompt_text: 'This is how I usually sound.', prompt_lang: 'en', ref_audio: Buffer.from(referenceClip(4)).toString('base64'), aux_ref_audio: [], description: 'benchmark voice' });
await engine.voices.features(voice);
const voiceSeconds = (performance.now() - started) / 1000;
progress(`voice ready in ${voiceSeconds.toFixed(1)} s`);

const params = parseOrThrow(ttsRequestSchema(), { text: TEXT, text_lang: 'en', voice: VOICE, text_split_method: 'cut0' }).params;
// Warm-up: every graph once, at the batch size measured.
await Promise.all(Array.from({ length: concurrency }, async (_, i) => (await engine.synthesize({ requestId: `warm-${String(i)}`, params, seed: 100 + i })).collect()));

started = performance.now();
const summaries = await Promise.all(
  Array.from({ length: concurrency }, async (_, i) => {
    const stream = await engine.synthesize({ requestId: `measured-${String(i)}`, params, seed: 1 + i });
    await stream.collect();
    return stream.done;
  }),
);
const wallSeconds = (performance.now() - started) / 1000;
await engine.close();
const audioSeconds = summaries.reduce((sum, summary) => sum + summary.audioSeconds, 0);
const meanTokens = summaries.reduce((sum, summary) => sum + summary.tokens, 0) / summaries.length;
progress(`${String(concurrency)} request(s): ${audioSeconds.toFixed(1)} s of audio in ${wallSeconds.toFixed(1)} s`);
emitResult({
  metrics: {
    realtime_factor: wallSeconds / audioSeconds,
    wall_seconds: wallSeconds,
    audio_seconds: audioSeconds,
    mean_tokens: meanTokens,
    voice_seconds: voiceSeconds,
  },
  notes: [`${String(concurrency)} concurrent request(s), one segment each capped at ${String(tokens)} tokens`],
});
