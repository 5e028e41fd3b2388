/**
 * Bench scenario (issue 13): is the first request after start slower than the next ones? A fresh engine (a fresh
 * process, so nothing of an earlier run is warm) registers a voice, optionally runs `warmUp()` as the GPU function
 * does before it reports ready, then runs the same request `--runs` times one after another and reports each one's
 * total time and the first / second ratio.
 *
 *   npx node gpu-function/bench/engine/warm-start.ts --bundle DIR --data DIR [--warm-up yes|no] [--runs 3] [--tokens 100]
 * @module
 */
import { parseOrThrow, ttsRequestSchema } from '@gsv-edge/shared';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { floatToPcm16 } from '../../src/audio/pcm.ts';
import { encodeWav } from '../../src/audio/wav.ts';
import { DEFAULT_RUNTIME_CONFIG, Engine } from '../../src/engine/index.ts';
import { emitResult, progress } from '../scenario-result.ts';
import { singleInteger } from './step-options.ts';

const { values } = parseArgs({
  options: {
    bundle: { type: 'string' },
    data: { type: 'string' },
    'warm-up': { type: 'string', default: 'yes' },
    runs: { type: 'string', default: '3' },
    tokens: { type: 'string', default: '100' },
    text: { type: 'string', default: '今天天气很好，我们一起去公园散步。' },
  },
});
if (values.bundle === undefined || values.data === undefined) throw new Error('--bundle and --data are required');
if (values['warm-up'] !== 'yes' && values['warm-up'] !== 'no') throw new Error(`--warm-up takes yes or no, got ${values['warm-up']}`);
const warm = values['warm-up'] === 'yes';
const runs = singleInteger(values.runs, 'runs', 2);
const tokens = singleInteger(values.tokens, 'tokens');
const VOICE = 'bench-voice';

const engine = await Engine.start({ bundles: [values.bundle], dataDir: values.data, runtime: DEFAULT_RUNTIME_CONFIG, limits: { maxTokensPerSegment: tokens } });
if (engine.voices.get(VOICE) === undefined) {
  await engine.voices.create({ id: VOICE, model: basename(values.bundle), prompt_text: '这是我平时说话的声音。', prompt_lang: 'zh', ref_audio: referenceWav(4), aux_ref_audio: [], description: 'generated reference' });
}
// The voice's features are computed (or read from disk) before the clock starts: only synthesis is compared.
await engine.voices.features(engine.voices.get(VOICE) ?? missingVoice());
let warmUpMs: number | null = null;
if (warm) {
  const started = performance.now();
  await engine.warmUp();
  warmUpMs = performance.now() - started;
  progress(`warm-up: ${warmUpMs.toFixed(0)} ms`);
}
const params = parseOrThrow(ttsRequestSchema(), { text: values.text, text_lang: 'zh', voice: VOICE, text_split_method: 'cut0' }).params;
const metrics: Record<string, number | null> = { warm_up_ms: warmUpMs, tokens };
const totals: number[] = [];
for (let run = 1; run <= runs; run += 1) {
  const started = performance.now();
  const stream = await engine.synthesize({ requestId: `run-${String(run)}`, params, seed: 5 });
  // synthesize() returns once the text frontend (and BERT) has prepared the request; the engine steps come after.
  const prepareMs = performance.now() - started;
  metrics[`run${String(run)}_prepare_ms`] = prepareMs;
  await stream.collect();
  const summary = await stream.done;
  const ms = performance.now() - started;
  totals.push(ms);
  metrics[`run${String(run)}_ms`] = ms;
  metrics[`run${String(run)}_ttfa_ms`] = summary.timeToFirstAudioMs;
  progress(`request ${String(run)}: ${ms.toFixed(0)} ms (text frontend ${prepareMs.toFixed(0)} ms, first audio ${summary.timeToFirstAudioMs.toFixed(0)} ms, ${String(summary.tokens)} tokens)`);
}
await engine.close();
const [first = Number.NaN, second = Number.NaN] = totals;
metrics['first_over_second'] = first / second;
progress(`first / second: ${(first / second).toFixed(2)} (${warm ? 'with' : 'without'} warm-up)`);
emitResult({ metrics, notes: [`${warm ? 'with' : 'without'} warmUp(); the same request ${String(runs)} times one after another`] });

function referenceWav(seconds: number): string {
  const rate = 32000;
  const samples = Float32Array.from({ length: seconds * rate }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 180 * i) / rate) * (1 + 0.5 * Math.sin((2 * Math.PI * 3 * i) / rate)));
  return Buffer.from(encodeWav(floatToPcm16(samples), rate)).toString('base64');
}

function missingVoice(): never {
  throw new Error(`voice ${VOICE} was not registered`);
}
