/**
 * Bench scenario (issues 3 and 12): times `buildBundle` on a full-size synthetic set written by write-models.ts — T2S,
 * SoVITS, BERT and HuBERT, plus the speaker-verification model (v2Pro/v2ProPlus) or the CFM and its vocoder (v3/v4),
 * every requested precision — in this process alone, so its peak RSS is the build's. An existing bundle at `--out`
 * is removed before the clock starts.
 *
 *   npx node gpu-function/bench/bundle/build.ts --models DIR --out DIR/full-v2 [--precisions fp32,fp16]
 * @module
 */
import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { buildBundle } from '../../src/models/bundle/build.ts';
import type { BundlePrecision } from '../../src/models/bundle/manifest.ts';
import { emitResult, progress } from '../scenario-result.ts';
import { modelSetSources } from './model-set-paths.ts';

const { values } = parseArgs({
  options: { models: { type: 'string' }, out: { type: 'string' }, precisions: { type: 'string', default: 'fp32,fp16' } },
});
if (values.models === undefined || values.out === undefined) throw new Error('--models and --out are required');
const precisions = values.precisions.split(',').map((name): BundlePrecision => {
  if (name !== 'fp32' && name !== 'fp16') throw new Error(`--precisions: unknown precision "${name}" (fp32, fp16)`);
  return name;
});

await rm(values.out, { recursive: true, force: true });
const started = performance.now();
const manifest = await buildBundle({
  sources: modelSetSources(values.models),
  out: values.out,
  precisions,
  onProgress: (event) => {
    if (event.kind !== 'stage') return;
    progress(`${((performance.now() - started) / 1000).toFixed(1)} s  ${event.message}`);
  },
});
const seconds = (performance.now() - started) / 1000;
const bytesOf = (precision: BundlePrecision): number =>
  manifest.files.filter((file) => file.precision === precision).reduce((sum, file) => sum + file.bytes, 0);
emitResult({
  metrics: {
    seconds,
    bytes_fp32: precisions.includes('fp32') ? bytesOf('fp32') : null,
    bytes_fp16: precisions.includes('fp16') ? bytesOf('fp16') : null,
  },
  notes: [
    `${manifest.gpt_sovits_version} model, precisions ${precisions.join(' + ')}; graphs: ${manifest.files.filter((file) => file.role !== 'weights' && file.precision !== null).length}` +
      (manifest.cfm === null ? '' : `; CFM vocoded by ${manifest.cfm.vocoder.kind}`),
  ],
});
