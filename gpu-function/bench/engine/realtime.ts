/**
 * Bench scenario (issue 12): real-time factor of a model bundle through the Engine on CPU, at `--concurrency`
 * simultaneous requests: wall time from sending the requests until the last one finishes, divided by the seconds
 * of audio they produced (below 1 is faster than real time). Also the time to register the voice, which for
 * v2Pro/v2ProPlus includes the speaker-verification model. Random weights rarely emit EOS, so maxTokensPerSegment caps
 * each request's one segment at `--tokens`. For v3/v4 bundles `--sample-steps` sets the request's `sample_steps`
 * (Euler steps per CFM chunk; the bundle's default, 32, when not given): on CPU the CFM dominates, so a bench run
 * uses few steps and says so.
 *
 *   npx node gpu-function/bench/engine/realtime.ts --bundle DIR --data DIR [--concurrency 8] [--tokens 100] [--sample-steps 8]
 *     [--text T --lang zh --split cut5 --tokens-per-phone 2]
 *
 * `--text`/`--lang`/`--split` replace the default English sentence (one segment, `cut0`); `--tokens-per-phone` sets
 * the engine's runaway guard instead of the token cap deciding segment length (2 tokens per phone is about what real
 * speech takes, so random weights then produce audio of a realistic length per segment); `--max-running` the KV slots
 * (default: one per concurrent request). `ORT_EP` picks the provider.
 *
 * `--data` is emptied first: it is this scenario's own folder.
 * @module
 */
import { parseOrThrow, ttsRequestSchema } from '@gsv-edge/shared';
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { Engine } from '../../src/engine/index.ts';
import { runtimeConfigFromEnv } from '../../src/runtime/index.ts';
import { referenceClip } from '../../src/synthetic/tiny-bundle.ts';
import { emitResult, progress } from '../scenario-result.ts';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    data: { type: 'string' },
    concurrency: { type: 'string', default: '1' },
    tokens: { type: 'string', default: '100' },
    'sample-steps': { type: 'string' },
    text: { type: 'string' },
    lang: { type: 'string', default: 'en' },
    split: { type: 'string', default: 'cut0' },
    'tokens-per-phone': { type: 'string' },
    'max-running': { type: 'string' },
  },
});
if (values.bundle === undefined || values.data === undefined) throw new Error('--bundle and --data are required');
const concurrency = Number(values.concurrency);
const tokens = Number(values.tokens);
if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`--concurrency must be a positive integer, got ${values.concurrency}`);
if (!Number.isInteger(tokens) || tokens < 16) throw new Error(`--tokens must be an integer ≥ 16, got ${values.tokens}`);
const sampleSteps = values['sample-steps'] === undefined ? undefined : Number(values['sample-steps']);
// The request schema checks the range (4-128, as the API takes it); this only catches a flag that is no integer.
if (sampleSteps !== undefined && !Number.isInteger(sampleSteps)) throw new Error(`--sample-steps must be an integer, got ${values['sample-steps'] ?? ''}`);
const tokensPerPhone = values['tokens-per-phone'] === undefined ? undefined : Number(values['tokens-per-phone']);
// KV slots: one per request by default (each request is one segment then); a text cut into segments wants more.
const maxRunning = values['max-running'] === undefined ? concurrency : Number(values['max-running']);
if (!Number.isInteger(maxRunning) || maxRunning < 1) throw new Error(`--max-running must be a positive integer, got ${values['max-running'] ?? ''}`);
if (tokensPerPhone !== undefined && !(tokensPerPhone > 0)) throw new Error(`--tokens-per-phone must be a positive number, got ${values['tokens-per-phone'] ?? ''}`);
const VOICE = 'bench-voice';
// Enough phones that the runaway guard (12 tokens per phone) never cuts a segment short of the cap.
const TEXT = values.text ?? 'The quick brown fox jumps over the lazy dog while the sun sets slowly behind the distant hills.';
// The voice's transcript in the request's language (the reference audio is the same generated tone either way).
const promptLang = values.lang === 'zh' ? 'zh' : 'en';
const promptText = promptLang === 'zh' ? '这是我平时说话的声音。' : 'This is how I usually sound.';

// A fresh data folder, so the voice is registered (and its registration timed) every run.
await rm(values.data, { recursive: true, force: true });
const engine = await Engine.start({
  bundles: [values.bundle],
  dataDir: values.data,
  runtime: runtimeConfigFromEnv(process.env),
  limits: { maxTokensPerSegment: tokens, maxRunning, ...(tokensPerPhone === undefined ? {} : { runawayTokensPerPhone: tokensPerPhone }) },
});
let started = performance.now();
const voice = await engine.voices.create({ id: VOICE, model: basename(values.bundle), prompt_text: promptText, prompt_lang: promptLang, ref_audio: Buffer.from(referenceClip(4)).toString('base64'), aux_ref_audio: [], description: 'benchmark voice' });
await engine.voices.features(voice);
const voiceSeconds = (performance.now() - started) / 1000;
progress(`voice ready in ${voiceSeconds.toFixed(1)} s`);

const params = parseOrThrow(ttsRequestSchema(), {
  text: TEXT,
  text_lang: values.lang,
  voice: VOICE,
  text_split_method: values.split,
  ...(sampleSteps === undefined ? {} : { sample_steps: sampleSteps }),
}).params;
// The steps the CFM actually ran: the flag's, else the bundle's default; null for a VITS bundle, which has no CFM.
const cfm = engine.models[0]?.manifest.cfm ?? null;
const stepsRun = cfm === null ? null : (sampleSteps ?? cfm.sample_steps);
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
    max_tokens: tokens,
    sample_steps: stepsRun,
    segments: summaries.reduce((sum, summary) => sum + summary.segments, 0),
    ttfa_ms_mean: summaries.reduce((sum, summary) => sum + summary.timeToFirstAudioMs, 0) / summaries.length,
  },
  notes: [
    `${String(concurrency)} concurrent request(s) of ${String(Array.from(new Intl.Segmenter(values.lang, { granularity: 'grapheme' }).segment(TEXT)).length)} characters (${values.lang}, ${values.split}), segments capped at ${String(tokens)} tokens` +
      (tokensPerPhone === undefined ? '' : ` and ${String(tokensPerPhone)} per phone`) +
      (stepsRun === null ? '' : `; ${String(stepsRun)} CFM Euler steps per chunk${sampleSteps === undefined ? ' (the bundle default)' : ''}`),
  ],
});
