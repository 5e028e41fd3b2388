/**
 * Bench scenario (issue 4b, the baseline): one step of GPT-SoVITS's own ONNX decoder (its `onnx_export.py` stage
 * decoder, rebuilt in src/models/t2s/official-export/) at given KV-cache lengths, on the same checkpoint, machine
 * and runtime settings as gsv-edge's decode step, so the per-token ratios are measured side by side.
 *
 * The loop is the export's own (`T2SModel.forward` in onnx_export.py): every step feeds the previous step's `y`,
 * `k`, `v` and `y_emb` outputs back in, so the caches grow by one entry per step as they do there. A cache of
 * `length` entries holds `--phones` text entries and `length - phones` audio entries. Each of `--rounds` rounds
 * restarts from `length`, runs `--warmup` untimed steps and times `--steps`; figures are medians over timed steps.
 *
 *   npx node gpu-function/bench/engine/official-steps.ts --models DIR --work DIR [--lengths 150,500,1000]
 *     [--export sdec.onnx]
 * (`--models`: the synthetic model set of write-models.ts; its gpt.ckpt is read. `--export`: a genuine
 * `*_t2s_sdec.onnx` that GPT-SoVITS's onnx_export.py wrote for that same checkpoint, timed beside the rebuilt one;
 * metrics prefixed `export_`.) `ORT_EP` picks the provider; each length also reports the step's input + output bytes
 * (what the CUDA provider copies: this export feeds and returns both whole caches every step).
 * @module
 */
import { mkdir } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { readT2sCheckpoint } from '../../src/checkpoint/index.ts';
import { t2sDimsFromArchitecture } from '../../src/models/t2s/config.ts';
import { OFFICIAL_STAGE, buildOfficialStageDecoder } from '../../src/models/t2s/official-export/stage-decoder.ts';
import { ExternalDataFile, writeModel } from '../../src/onnx/index.ts';
import { ModelSession, runtimeConfigFromEnv } from '../../src/runtime/index.ts';
import { tensor, type HostTensor } from '../../src/tensor/index.ts';
import { modelSetSources } from '../bundle/model-set-paths.ts';
import { emitResult, progress } from '../scenario-result.ts';
import { integerList, median, singleInteger } from './step-options.ts';

const { values } = parseArgs({
  options: {
    models: { type: 'string' },
    work: { type: 'string' },
    lengths: { type: 'string', default: '150,500,1000' },
    warmup: { type: 'string', default: '2' },
    steps: { type: 'string', default: '8' },
    rounds: { type: 'string', default: '2' },
    phones: { type: 'string', default: '10' },
    export: { type: 'string' },
  },
});
if (values.models === undefined || values.work === undefined) throw new Error('--models and --work are required');
const lengths = integerList(values.lengths, 'lengths');
const [warmup, steps, rounds, phones] = [singleInteger(values.warmup, 'warmup', 0), singleInteger(values.steps, 'steps'), singleInteger(values.rounds, 'rounds'), singleInteger(values.phones, 'phones')];


const checkpoint = await readT2sCheckpoint(modelSetSources(values.models).gpt);
const dims = t2sDimsFromArchitecture(checkpoint.architecture);
await mkdir(values.work, { recursive: true });
const weightsFile = new ExternalDataFile(values.work, 'official-stage-decoder.weights');
const built = performance.now();
const written = await writeModel(buildOfficialStageDecoder(checkpoint.weights, dims, { topK: checkpoint.architecture.topK }), {
  dir: values.work,
  fileName: 'official-stage-decoder.onnx',
  externalData: weightsFile,
});
await weightsFile.close();
await checkpoint.weights.close();
progress(`official stage decoder written in ${((performance.now() - built) / 1000).toFixed(1)} s (${written.path})`);
// The genuine export, when given, is timed in the same process and round by round with the rebuilt graph. ORT_EP
// picks the provider (the CPU one when unset), so the baseline runs where gsv-edge's own step is measured.
const runtime = runtimeConfigFromEnv(process.env);
const decoders = [{ prefix: '', label: 'rebuilt official decoder', session: await ModelSession.load(written.path, runtime, 'official-stage-decoder') }];
if (values.export !== undefined) decoders.push({ prefix: 'export_', label: 'genuine onnx_export.py decoder', session: await ModelSession.load(values.export, runtime, 'genuine-stage-decoder') });

const metrics: Record<string, number> = {};
for (const length of lengths) {
  const timed = new Map(decoders.map((decoder) => [decoder.prefix, [] as TimedStep[]]));
  for (let round = 0; round < rounds; round += 1) {
    for (const decoder of decoders) timed.get(decoder.prefix)?.push(...(await timeSteps(decoder.session, initialFeeds(length, round))));
  }
  for (const decoder of decoders) {
    const list = timed.get(decoder.prefix) ?? [];
    const wall = median(list.map((step) => step.wall));
    metrics[`${decoder.prefix}l${String(length)}_step_ms`] = wall;
    metrics[`${decoder.prefix}l${String(length)}_ort_ms`] = median(list.map((step) => step.ort));
    metrics[`${decoder.prefix}l${String(length)}_timed_steps`] = list.length;
    metrics[`${decoder.prefix}l${String(length)}_host_device_bytes_per_step`] = median(list.map((step) => step.ioBytes));
    progress(`${decoder.label}, batch 1, cache ${String(length)}: median ${wall.toFixed(1)} ms/step over ${String(list.length)} steps`);
  }
}
for (const decoder of decoders) await decoder.session.release();
emitResult({
  metrics,
  notes: [
    `GPT-SoVITS onnx_export.py stage decoder rebuilt from its source (fp32, ${String(dims.layers)} layers), outputs fed back each step as its loop does`,
    `${String(rounds)} round(s) of ${String(warmup)} warm-up + ${String(steps)} timed steps per cache length, medians`,
  ],
});

/** `--warmup` + `--steps` steps of the export's loop: this step's outputs are the next step's inputs. */
/** One timed step: wall and onnxruntime milliseconds, and the step's input + output bytes. */
interface TimedStep {
  readonly wall: number;
  readonly ort: number;
  readonly ioBytes: number;
}

async function timeSteps(session: ModelSession, first: Record<string, HostTensor>): Promise<TimedStep[]> {
  const timed: TimedStep[] = [];
  let feeds = first;
  for (let step = 0; step < warmup + steps; step += 1) {
    const before = session.stats.milliseconds;
    const start = performance.now();
    const out = await session.run(feeds);
    feeds = { ...feeds, [OFFICIAL_STAGE.tokens]: need(out, OFFICIAL_STAGE.tokensOut), [OFFICIAL_STAGE.keys]: need(out, OFFICIAL_STAGE.keysOut), [OFFICIAL_STAGE.values]: need(out, OFFICIAL_STAGE.valuesOut), [OFFICIAL_STAGE.audioEmbeddings]: need(out, OFFICIAL_STAGE.audioEmbeddingsOut) };
    if (step >= warmup) timed.push({ wall: performance.now() - start, ort: session.stats.milliseconds - before, ioBytes: session.lastRun?.ioBytes ?? 0 });
  }
  return timed;
}

/** The decoder's inputs with `length` cache entries: arbitrary values of the real shapes (timing depends on no value). */
function initialFeeds(length: number, seed: number): Record<string, HostTensor> {
  const audio = length - phones;
  if (audio < 1) throw new Error(`--lengths: ${String(length)} leaves no audio entry after ${String(phones)} phones`);
  const filled = (count: number): Float32Array => Float32Array.from({ length: count }, (_, i) => Math.sin(i * 0.37 + seed) * 0.1);
  const cache = dims.layers * length * dims.hidden;
  return {
    [OFFICIAL_STAGE.tokens]: tensor('int64', [1, audio + 1], BigInt64Array.from({ length: audio + 1 }, (_, i) => BigInt((i * 13 + seed) % dims.eos))),
    [OFFICIAL_STAGE.keys]: tensor('float32', [dims.layers, length, 1, dims.hidden], filled(cache)),
    [OFFICIAL_STAGE.values]: tensor('float32', [dims.layers, length, 1, dims.hidden], filled(cache)),
    [OFFICIAL_STAGE.audioEmbeddings]: tensor('float32', [1, audio, dims.hidden], filled(audio * dims.hidden)),
    [OFFICIAL_STAGE.textExample]: tensor('float32', [1, phones], new Float32Array(phones)),
  };
}

function need(out: Record<string, HostTensor>, name: string): HostTensor {
  const value = out[name];
  if (value === undefined) throw new Error(`the official decoder returned no ${name}`);
  return value;
}
