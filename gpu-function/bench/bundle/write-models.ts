/**
 * Bench scenario: writes a full-size synthetic GPT-SoVITS model set (T2S 24 × 512, SoVITS of `--version` (default
 * v2), BERT-large, HuBERT-base, and for v2Pro/v2ProPlus the ERes2NetV2 speaker-verification model; about 540 M
 * parameters for v2) into `--dir`, once: a `complete.json` left after a successful write makes later calls (other
 * suites of the same run, or runs sharing `--work-dir`) reuse it.
 *
 *   npx node gpu-function/bench/bundle/write-models.ts --dir /tmp/work/models [--version v2Pro]
 * @module
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSyntheticModelSet, type SyntheticSovitsVersion } from '../../src/synthetic/index.ts';
import { emitResult, progress } from '../scenario-result.ts';
import { MODEL_SET_MARKER, type CompleteModelSet } from './model-set-paths.ts';

const { values } = parseArgs({ options: { dir: { type: 'string' }, seed: { type: 'string', default: '1' }, version: { type: 'string', default: 'v2' } } });
if (values.dir === undefined) throw new Error('--dir is required');
const VERSIONS: readonly SyntheticSovitsVersion[] = ['v1', 'v2', 'v2Pro', 'v2ProPlus'];
const version = VERSIONS.find((known) => known === values.version);
if (version === undefined) throw new Error(`--version must be one of ${VERSIONS.join(', ')}, got ${values.version}`);
const dir = values.dir;
const marker = join(dir, MODEL_SET_MARKER);

const cached = await readFile(marker, 'utf8').then((text) => JSON.parse(text) as CompleteModelSet, () => undefined);
if (cached !== undefined) {
  progress(`full ${version} model set already written in ${dir}; reusing it`);
  emitResult({ metrics: { seconds: 0, cached: 1, parameters: cached.parameters }, notes: ['model set reused from an earlier suite or run'] });
} else {
  await rm(dir, { recursive: true, force: true });
  progress(`writing the full ${version} synthetic model set into ${dir}`);
  const started = performance.now();
  const set = await writeSyntheticModelSet(dir, { size: 'full', sovitsVersion: version, seed: Number(values.seed) });
  const seconds = (performance.now() - started) / 1000;
  const parameters = set.parameters.gpt + set.parameters.sovits + set.parameters.bert + set.parameters.hubert + set.parameters.sv;
  const complete: CompleteModelSet = { parameters, seconds };
  await writeFile(marker, `${JSON.stringify(complete)}\n`);
  progress(`written in ${seconds.toFixed(1)} s (${(parameters / 1e6).toFixed(0)} M parameters)`);
  emitResult({ metrics: { seconds, cached: 0, parameters }, notes: [] });
}
