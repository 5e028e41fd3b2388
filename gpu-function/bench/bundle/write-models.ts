/**
 * Bench scenario: writes the full-size synthetic GPT-SoVITS v2 model set (T2S 24 × 512, SoVITS v2, BERT-large,
 * HuBERT-base; about 540 M parameters) into `--dir`, once: a `complete.json` left after a successful write makes
 * later calls (other suites of the same run, or runs sharing `--work-dir`) reuse it.
 *
 *   npx node gpu-function/bench/bundle/write-models.ts --dir /tmp/work/models
 * @module
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSyntheticModelSet } from '../../src/synthetic/index.ts';
import { emitResult, progress } from '../scenario-result.ts';
import { MODEL_SET_MARKER, type CompleteModelSet } from './model-set-paths.ts';

const { values } = parseArgs({ options: { dir: { type: 'string' }, seed: { type: 'string', default: '1' } } });
if (values.dir === undefined) throw new Error('--dir is required');
const dir = values.dir;
const marker = join(dir, MODEL_SET_MARKER);

const cached = await readFile(marker, 'utf8').then((text) => JSON.parse(text) as CompleteModelSet, () => undefined);
if (cached !== undefined) {
  progress(`full v2 model set already written in ${dir}; reusing it`);
  emitResult({ metrics: { seconds: 0, cached: 1, parameters: cached.parameters }, notes: ['model set reused from an earlier suite or run'] });
} else {
  await rm(dir, { recursive: true, force: true });
  progress(`writing the full v2 synthetic model set into ${dir}`);
  const started = performance.now();
  const set = await writeSyntheticModelSet(dir, { size: 'full', sovitsVersion: 'v2', seed: Number(values.seed) });
  const seconds = (performance.now() - started) / 1000;
  const parameters = set.parameters.gpt + set.parameters.sovits + set.parameters.bert + set.parameters.hubert;
  const complete: CompleteModelSet = { parameters, seconds };
  await writeFile(marker, `${JSON.stringify(complete)}\n`);
  progress(`written in ${seconds.toFixed(1)} s (${(parameters / 1e6).toFixed(0)} M parameters)`);
  emitResult({ metrics: { seconds, cached: 0, parameters }, notes: [] });
}
