/**
 * Bench scenario (issue 4c): time to first audio against total time for one long utterance through the real Engine
 * (text frontend, BERT, T2S, vocoder, ordered emission) on the full-size bundle. A voice is registered from a
 * generated 4-second reference (skipped when `--data` already holds it), then one request is warmed up (cancelled
 * after its first audio, so every graph has run once), then the measured request runs.
 *
 *   npx node gpu-function/bench/engine/first-audio.ts --bundle DIR --data DIR --mode stream|segment [--tokens 500]
 *
 * `stream` is GPT-SoVITS streaming mode 3 (min_chunk_length 16, overlap 2; `--chunk-growth 1` keeps every chunk at 16 tokens as
 * GPT-SoVITS does, the engine's default doubles them up to 128); `segment` sends a
 * segment's audio once it is whole. Random weights rarely emit EOS, so the engine's maxTokensPerSegment caps the
 * one segment at `--tokens` (500 tokens = 20 s of audio).
 * @module
 */
import { parseOrThrow, ttsRequestSchema, type SynthesisParams } from '@gsv-edge/shared';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { floatToPcm16 } from '../../src/audio/pcm.ts';
import { encodeWav } from '../../src/audio/wav.ts';
import { Engine, type StepStats } from '../../src/engine/index.ts';
import { DEFAULT_CHUNK_GROWTH } from '../../src/engine/vocoder/index.ts';
import { runtimeConfigFromEnv } from '../../src/runtime/index.ts';
import { emitResult, progress } from '../scenario-result.ts';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    data: { type: 'string' },
    mode: { type: 'string', default: 'stream' },
    tokens: { type: 'string', default: '500' },
    // 1: every chunk min_chunk_length tokens, as GPT-SoVITS cuts (the engine's default grows them).
    'chunk-growth': { type: 'string' },
    text: { type: 'string', default: '今天天气很好，我们一起去公园散步，顺便聊聊最近读的那本书。' },
  },
});
if (values.bundle === undefined || values.data === undefined) throw new Error('--bundle and --data are required');
if (values.mode !== 'stream' && values.mode !== 'segment') throw new Error(`--mode must be stream or segment, got ${values.mode}`);
const tokens = Number(values.tokens);
if (!Number.isInteger(tokens) || tokens < 16) throw new Error(`--tokens must be an integer ≥ 16, got ${values.tokens}`);
const streamed = values.mode === 'stream';
const chunkGrowth = values['chunk-growth'] === undefined ? undefined : Number(values['chunk-growth']);
const VOICE = 'bench-voice';

let started = performance.now();
/** Engine steps of the measured request, with when each ended (ms since the request was sent). */
let steps: { readonly stats: StepStats; readonly endedMs: number }[] = [];
let sent = 0;
const engine = await Engine.start({
  bundles: [values.bundle],
  dataDir: values.data,
  // ORT_EP picks the provider (the CPU one when unset), as the GPU function's own runtime config does.
  runtime: runtimeConfigFromEnv(process.env),
  limits: { maxTokensPerSegment: tokens, ...(chunkGrowth === undefined ? {} : { streamChunkGrowth: { ...DEFAULT_CHUNK_GROWTH, growth: chunkGrowth } }) },
  onStep: (stats) => {
    steps.push({ stats, endedMs: performance.now() - sent });
  },
});
const engineStartSeconds = (performance.now() - started) / 1000;
progress(`engine started in ${engineStartSeconds.toFixed(1)} s`);

started = performance.now();
if (engine.voices.get(VOICE) === undefined) {
  await engine.voices.create({
    id: VOICE,
    model: basename(values.bundle),
    prompt_text: '这是我平时说话的声音。',
    prompt_lang: 'zh',
    ref_audio: referenceWav(4),
    aux_ref_audio: [],
    description: 'generated 4-second reference for the benchmark',
  });
}
const features = await engine.voices.features(engine.voices.get(VOICE) ?? missingVoice());
const voiceSeconds = (performance.now() - started) / 1000;
progress(`voice ready in ${voiceSeconds.toFixed(1)} s (${String(features.promptTokens.length)} prompt tokens, ${String(features.promptPhoneIds.length)} prompt phones)`);

const params = (streaming: boolean): SynthesisParams =>
  parseOrThrow(ttsRequestSchema(), {
    text: values.text,
    text_lang: 'zh',
    voice: VOICE,
    text_split_method: 'cut0',
    streaming_mode: streaming ? 3 : 0,
    min_chunk_length: 16,
  }).params;

// Warm-up: run every graph once (prefill, decode, vocoder window), then cancel.
const controller = new AbortController();
const warm = await engine.synthesize({ requestId: 'warm-up', params: params(true), seed: 7, signal: controller.signal });
for await (const _piece of warm) {
  controller.abort();
  break;
}
await warm.done.catch(() => undefined);

steps = [];
// CPU time (every thread of this process, onnxruntime's included) compares the two modes even on a busy machine,
// where wall time mostly measures the other tenants.
const cpuBefore = process.cpuUsage();
sent = performance.now();
const stream = await engine.synthesize({ requestId: 'measured', params: params(streamed), seed: 11 });
const prepareMs = performance.now() - sent;
let firstPieceMs: number | undefined;
let pieces = 0;
for await (const _piece of stream) {
  firstPieceMs ??= performance.now() - sent;
  pieces += 1;
}
const summary = await stream.done;
const cpu = process.cpuUsage(cpuBefore);
const cpuMs = (cpu.user + cpu.system) / 1000;
progress(
  `${values.mode}: first audio after ${summary.timeToFirstAudioMs.toFixed(0)} ms, ${summary.audioSeconds.toFixed(1)} s of audio (${String(summary.tokens)} tokens) in ${(summary.totalMs / 1000).toFixed(1)} s (${(cpuMs / 1000).toFixed(1)} s of CPU), ${String(pieces)} piece(s)`,
);
await engine.close();
// Where the time to first audio went: text frontend + BERT (before synthesize() returns), then engine steps up to
// and including the first that vocoded (T2S prefill and decode, and the vocoder's first window).
const firstVocoded = steps.findIndex(({ stats }) => stats.vocoded > 0);
const firstVocodeStep = steps[firstVocoded];
const prefillStep = steps.find(({ stats }) => stats.prefilled > 0);
emitResult({
  metrics: {
    ttfa_ms: summary.timeToFirstAudioMs,
    client_ttfa_ms: firstPieceMs ?? null,
    total_ms: summary.totalMs,
    cpu_ms: cpuMs,
    audio_seconds: summary.audioSeconds,
    tokens: summary.tokens,
    segments: summary.segments,
    pieces,
    engine_steps: steps.length,
    // Time inside engine steps (T2S and vocoder) and the vocoder's part of it; the rest of total_ms is outside steps.
    step_ms_total: steps.reduce((sum, { stats }) => sum + stats.milliseconds, 0),
    vocoder_ms_total: steps.reduce((sum, { stats }) => sum + stats.vocoderMs, 0),
    prepare_ms: prepareMs,
    prefill_step_ms: prefillStep?.stats.milliseconds ?? null,
    steps_before_first_vocode: firstVocoded < 0 ? null : firstVocoded,
    first_vocode_step_ms: firstVocodeStep?.stats.milliseconds ?? null,
    realtime_factor: summary.totalMs / 1000 / summary.audioSeconds,
    engine_start_seconds: engineStartSeconds,
    voice_seconds: voiceSeconds,
  },
  notes: [
    `${streamed ? `streaming mode 3 (first chunk 16 tokens, growth ${String(chunkGrowth ?? DEFAULT_CHUNK_GROWTH.growth)}, overlap 2)` : 'segment mode (no streaming inside the segment)'}; one segment capped at ${String(tokens)} tokens`,
  ],
});

function referenceWav(seconds: number): string {
  const rate = 32000;
  // A voiced-like tone with a slow amplitude wobble: the reference checks refuse silence.
  const samples = Float32Array.from({ length: seconds * rate }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 180 * i) / rate) * (1 + 0.5 * Math.sin((2 * Math.PI * 3 * i) / rate)));
  return Buffer.from(encodeWav(floatToPcm16(samples), rate)).toString('base64');
}

function missingVoice(): never {
  throw new Error(`voice ${VOICE} was not registered`);
}
