/**
 * Benchmark: one real-size `cfm-step` (GPT-SoVITS v4's DiT: 1024 wide, 22 blocks, 16 heads; random weights built from
 * the dims alone) and `cfm-text`, written to a temporary folder with external weights and run on onnxruntime's CPU
 * provider for batch 1 at N frames. Prints the parameter counts, the write and load times, and the run times.
 *
 *   node gpu-function/bench/cfm-step.ts                          # N = 1000, fp32, every core
 *   node gpu-function/bench/cfm-step.ts --frames 500 --runs 3 --precision fp16
 * @module
 */
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { DitDims } from '../src/models/cfm/config.ts';
import { ditParameterCount } from '../src/models/cfm/dims-from-weights.ts';
import { buildCfmStepGraph, buildCfmTextGraph } from '../src/models/cfm/graph/build-graphs.ts';
import { CFM_STEP_IO, CFM_TEXT_IO } from '../src/models/cfm/io.ts';
import { syntheticDitWeights } from '../src/models/cfm/testing/synthetic-dit.ts';
import { ExternalDataFile } from '../src/onnx/external-data.ts';
import { writeModel } from '../src/onnx/writer.ts';
import { DEFAULT_RUNTIME_CONFIG, ModelSession } from '../src/runtime/index.ts';
import { Prng } from '../src/synthetic/prng.ts';
import { tensor } from '../src/tensor/tensor.ts';

const { values } = parseArgs({
  options: {
    frames: { type: 'string', default: '1000' },
    prompt: { type: 'string', default: '300' },
    runs: { type: 'string', default: '1' },
    precision: { type: 'string', default: 'fp32' },
    'ort-threads': { type: 'string', default: '0' },
  },
});
const frames = Number(values.frames);
const promptFrames = Number(values.prompt);
const runs = Number(values.runs);
const precision = values.precision === 'fp16' ? 'fp16' : 'fp32';

/** GPT-SoVITS's v3/v4 DiT: `DiT(dim=1024, depth=22, heads=16, ff_mult=2, text_dim=512, conv_layers=4)`. */
const REAL_DIT: DitDims = {
  dim: 1024, depth: 22, heads: 16, dimHead: 64, ffDim: 2048, melDim: 100, textDim: 512,
  convLayers: 4, convInner: 1024, convKernel: 7, freqEmbedDim: 256, posConvKernel: 31, posConvGroups: 16,
};
// The encp half of the dims is not used by the step and text graphs; real widths for completeness.
const dims = {
  version: 'v4' as const,
  encp: {
    sslDim: 768, codebookSize: 1024, symbols: 732, hidden: 192, gin: 512,
    encoder: { sslLayers: 3, textLayers: 6, encoder2Layers: 3, heads: 2, window: 4, filter: 768, ffnKernel: 3 },
    mrte: { hidden: 512, heads: 4 },
    refEncoder: { bins: 704, hidden: 128, heads: 2, kernel: 5, temporalLayers: 2 },
    featureDim: 512,
    wns1: { hidden: 512, kernel: 5, layers: 8, dilationRate: 1, out: 512 },
    frameRate: { upsampleNum: 2, upsampleDen: 1, maskFramesPerToken: 4 },
  },
  dit: REAL_DIT,
};

const count = ditParameterCount(REAL_DIT);
console.log(`DiT parameters: ${count.total.toLocaleString('en')} (cfm-step ${count.step.toLocaleString('en')}, cfm-text ${count.text.toLocaleString('en')}); ${cpus().length} CPUs, ${precision}`);

const dir = await mkdtemp(join(tmpdir(), 'gsv-cfm-bench-'));
try {
  const weights = syntheticDitWeights(REAL_DIT, 7);
  let started = performance.now();
  const externalData = new ExternalDataFile(dir, 'dit.weights');
  const options = { weights, dims, precision } as const;
  await writeModel(buildCfmTextGraph(options), { dir, fileName: CFM_TEXT_IO.file, externalData });
  await writeModel(buildCfmStepGraph(options), { dir, fileName: CFM_STEP_IO.file, externalData });
  await externalData.close();
  console.log(`wrote ${((await stat(externalData.path)).size / 2 ** 20).toFixed(0)} MiB of weights in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const config = { ...DEFAULT_RUNTIME_CONFIG, intraOpThreads: Number(values['ort-threads']) };
  started = performance.now();
  const text = await ModelSession.load(join(dir, CFM_TEXT_IO.file), config);
  const step = await ModelSession.load(join(dir, CFM_STEP_IO.file), config);
  console.log(`loaded both sessions in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const prng = new Prng(3);
  const random = (n: number, scale: number): Float32Array => {
    const out = new Float32Array(n);
    prng.fillNormal(out, 0, scale);
    return out;
  };
  const n = frames;
  const lengths = tensor('int64', [1], BigInt64Array.of(BigInt(n)));
  started = performance.now();
  const embedded = await text.run({ mu: tensor('float32', [1, n, 512], random(n * 512, 1)), lengths });
  console.log(`cfm-text  N=${n}: ${(performance.now() - started).toFixed(0)} ms`);
  const textEmbed = embedded['text_embed'];
  if (textEmbed === undefined) throw new Error('cfm-text gave no text_embed');
  const feeds = {
    x: tensor('float32', [1, 100, n], random(100 * n, 1)),
    cond: tensor('float32', [1, 100, n], random(100 * n, 0.5)),
    text_embed: textEmbed,
    x_lens: lengths,
    prompt_lens: tensor('int64', [1], BigInt64Array.of(BigInt(promptFrames))),
    t: tensor('float32', [1], Float32Array.of(0.25)),
    d: tensor('float32', [1], Float32Array.of(1 / 8)),
  };
  for (let i = 0; i < runs; i += 1) {
    started = performance.now();
    const out = await step.run(feeds);
    const finite = (out['x_next']?.data as Float32Array | undefined)?.every((v) => Number.isFinite(v)) ?? false;
    console.log(`cfm-step  N=${n} batch 1, run ${i + 1}: ${(performance.now() - started).toFixed(0)} ms (output finite: ${String(finite)})`);
  }
  await text.release();
  await step.release();
} finally {
  await rm(dir, { recursive: true, force: true });
}
