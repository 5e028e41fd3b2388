/**
 * Bench scenario (issue 13): a short request that is decoding when a long one's segments finish, so the long one's
 * vocoder work lands in the middle of the short one's decoding. Before pacing, the step in which the long request's
 * segments finished vocoded all of them at once (one call of up to 16 items) and froze the short request's decoding
 * meanwhile; with pacing (vocoder/pacer.ts), decoding keeps stepping and the short request's audio, due at once, goes
 * ahead of the long request's later segments (vocoder/due-queue.ts).
 *
 *   npx node gpu-function/bench/engine/vocode-stall.ts --bundle DIR --data DIR [--share 0.5] [--batch N]
 *     [--segments 8] [--tokens 100] [--lead 10]
 *
 * `--share 1 --batch 16` is the engine as it was before (every finished segment vocoded in the step it finished,
 * batches of up to 16); the defaults are the engine's. The long request has `--segments` Mandarin sentences, each
 * capped at `--tokens` tokens (random weights rarely end on their own); the short one ("好的。") is submitted when the
 * long one has `--lead` decode steps left. The engine is warmed up first (`warmUp()`).
 * @module
 */
import { parseOrThrow, ttsRequestSchema, type SynthesisParams } from '@gsv-edge/shared';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { floatToPcm16 } from '../../src/audio/pcm.ts';
import { encodeWav } from '../../src/audio/wav.ts';
import { DEFAULT_RUNTIME_CONFIG, Engine, type AudioStream, type EngineLimits, type StepStats, type SynthesisSummary } from '../../src/engine/index.ts';
import { vocoderBatchLimits } from '../../src/engine/vocoder/index.ts';
import { emitResult, progress } from '../scenario-result.ts';
import { singleInteger } from './step-options.ts';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    data: { type: 'string' },
    share: { type: 'string' },
    batch: { type: 'string' },
    segments: { type: 'string', default: '8' },
    tokens: { type: 'string', default: '100' },
    lead: { type: 'string', default: '10' },
  },
});
if (values.bundle === undefined || values.data === undefined) throw new Error('--bundle and --data are required');
const segments = singleInteger(values.segments, 'segments');
const tokens = singleInteger(values.tokens, 'tokens');
const lead = singleInteger(values.lead, 'lead', 0);
if (lead >= tokens) throw new Error(`--lead (${String(lead)}) must be below --tokens (${String(tokens)})`);
const VOICE = 'bench-voice';
/** No commas: cut5 splits at every punctuation mark, and each sentence is to be one segment. */
const SENTENCES = ['今天天气很好我们一起去公园散步。', '顺便聊聊最近读的那本书和它的作者。', '晚上再去看一场新上映的电影吧。', '明天早上还要早点起床去上班呢。'];

const limits: Partial<EngineLimits> = {
  maxTokensPerSegment: tokens,
  ...(values.share === undefined ? {} : { vocoderShare: Number(values.share) }),
  ...(values.batch === undefined ? {} : { vocoder: { ...vocoderBatchLimits('cpu'), maxItems: singleInteger(values.batch, 'batch') } }),
};

let onStep: (stats: StepStats) => void = () => undefined;
let started = performance.now();
const engine = await Engine.start({
  bundles: [values.bundle],
  dataDir: values.data,
  runtime: DEFAULT_RUNTIME_CONFIG,
  limits,
  onStep: (stats) => {
    onStep(stats);
  },
});
progress(`engine started in ${((performance.now() - started) / 1000).toFixed(1)} s: vocoder share ${String(engine.limits.vocoderShare)}, batches of up to ${String(engine.limits.vocoder.maxItems)}`);
if (engine.voices.get(VOICE) === undefined) {
  await engine.voices.create({ id: VOICE, model: basename(values.bundle), prompt_text: '这是我平时说话的声音。', prompt_lang: 'zh', ref_audio: referenceWav(4), aux_ref_audio: [], description: 'generated reference' });
}
started = performance.now();
await engine.warmUp();
progress(`warmed up in ${((performance.now() - started) / 1000).toFixed(1)} s`);

const params = (text: string): SynthesisParams => parseOrThrow(ttsRequestSchema(), { text, text_lang: 'zh', voice: VOICE, text_split_method: 'cut5' }).params;
const longText = Array.from({ length: segments }, (_, i) => SENTENCES[i % SENTENCES.length]).join('');

/** Every step from the long request's submission on: when it ended and what it did. */
const steps: { readonly stats: StepStats; readonly endedMs: number }[] = [];
let decodeSteps = 0;
let shortStarting: Promise<AudioStream> | undefined;
const t0 = performance.now();
onStep = (stats) => {
  steps.push({ stats, endedMs: performance.now() - t0 });
  if (stats.decoded > 0) decodeSteps += 1;
  // The long request's segments decode together: it has `lead` steps left after tokens - lead of them.
  if (shortStarting === undefined && decodeSteps >= tokens - lead) shortStarting = engine.synthesize({ requestId: 'short', params: params('好的。'), seed: 2 });
};
const long = await engine.synthesize({ requestId: 'long', params: params(longText), seed: 1 });
const longDone = long.collect().then(async () => long.done);
await until(() => shortStarting !== undefined);
const submittedMs = performance.now() - t0;
const short = await (shortStarting ?? Promise.reject(new Error('the short request was never submitted')));
await short.collect();
const shortSummary = await short.done;
const longSummary = await longDone;
await engine.close();

const longest = Math.max(...steps.map(({ stats }) => stats.milliseconds));
const vocoderMs = steps.reduce((sum, { stats }) => sum + stats.vocoderMs, 0);
report('short', shortSummary);
report('long', longSummary);
progress(`short submitted ${submittedMs.toFixed(0)} ms after the long one; longest step ${longest.toFixed(0)} ms; vocoder ${vocoderMs.toFixed(0)} ms in all`);
emitResult({
  metrics: {
    short_ttfa_ms: shortSummary.timeToFirstAudioMs,
    short_total_ms: shortSummary.totalMs,
    short_tokens: shortSummary.tokens,
    long_ttfa_ms: longSummary.timeToFirstAudioMs,
    long_total_ms: longSummary.totalMs,
    long_tokens: longSummary.tokens,
    long_audio_seconds: longSummary.audioSeconds,
    short_submitted_ms: submittedMs,
    longest_step_ms: longest,
    vocoder_ms: vocoderMs,
    vocoder_share: engine.limits.vocoderShare,
    vocoder_batch: engine.limits.vocoder.maxItems,
  },
  notes: [`long: ${String(segments)} segments capped at ${String(tokens)} tokens; short submitted with ${String(lead)} decode steps of the long one left`],
});

function report(name: string, summary: SynthesisSummary): void {
  progress(`${name}: first audio ${summary.timeToFirstAudioMs.toFixed(0)} ms, total ${summary.totalMs.toFixed(0)} ms, ${String(summary.tokens)} tokens, ${summary.audioSeconds.toFixed(1)} s of audio`);
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 5));
}

function referenceWav(seconds: number): string {
  const rate = 32000;
  const samples = Float32Array.from({ length: seconds * rate }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 180 * i) / rate) * (1 + 0.5 * Math.sin((2 * Math.PI * 3 * i) / rate)));
  return Buffer.from(encodeWav(floatToPcm16(samples), rate)).toString('base64');
}
