/**
 * Bench scenario: writes a full-size synthetic GPT-SoVITS model set (T2S 24 × 512, SoVITS of `--version` (default
 * v2), BERT-large, HuBERT-base, for v2Pro/v2ProPlus the ERes2NetV2 speaker-verification model, for v4 its HiFi-GAN
 * vocoder and for v3 the BigVGAN folder; about 540 M parameters for v2) into `--dir`, once: a `complete.json` left
 * after a successful write makes later calls (other suites of the same run, or runs sharing `--work-dir`) reuse it.
 * The marker also names the version and the vocoder, so build.ts compiles the vocoder with the rest, and the size:
 * `--size tiny` writes the tests' tiny set instead (about 1 M parameters), for smoke runs of scripts/device/bench.sh.
 *
 *   npx node gpu-function/bench/bundle/write-models.ts --dir /tmp/work/models [--version v2Pro|v3|v4] [--size tiny]
 * @module
 */
import { rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { writeSyntheticModelSet, type SyntheticModelVersion } from '../../src/synthetic/index.ts';
import { emitResult, progress } from '../scenario-result.ts';
import { MODEL_SET_MARKER, readCompleteModelSet, type CompleteModelSet } from './model-set-paths.ts';

const { values } = parseArgs({
  options: { dir: { type: 'string' }, seed: { type: 'string', default: '1' }, version: { type: 'string', default: 'v2' }, size: { type: 'string', default: 'full' } },
});
if (values.dir === undefined) throw new Error('--dir is required');
const VERSIONS: readonly SyntheticModelVersion[] = ['v1', 'v2', 'v2Pro', 'v2ProPlus', 'v3', 'v4'];
const version = VERSIONS.find((known) => known === values.version);
if (version === undefined) throw new Error(`--version must be one of ${VERSIONS.join(', ')}, got ${values.version}`);
const dir = values.dir;
const size = values.size;
if (size !== 'full' && size !== 'tiny') throw new Error(`--size must be full or tiny, got ${size}`);

const cached = readCompleteModelSet(dir);
// A marker without a version predates v3/v4 sets, so it can only stand for a VITS one; a set of another version in
// the same folder is rewritten rather than built under the wrong name.
const cachedVersion = cached === undefined ? undefined : (cached.version ?? (version === 'v3' || version === 'v4' ? undefined : version));
// A marker without a size predates tiny sets: it stands for a full one.
if (cached !== undefined && cachedVersion === version && (cached.size ?? 'full') === size) {
  progress(`${size} ${version} model set already written in ${dir}; reusing it`);
  emitResult({ metrics: { seconds: 0, cached: 1, parameters: cached.parameters }, notes: ['model set reused from an earlier suite or run'] });
} else {
  await rm(dir, { recursive: true, force: true });
  progress(`writing the ${size} ${version} synthetic model set into ${dir}`);
  const started = performance.now();
  const set = await writeSyntheticModelSet(dir, { size, sovitsVersion: version, seed: Number(values.seed) });
  const seconds = (performance.now() - started) / 1000;
  const counts = set.parameters;
  const parameters = counts.gpt + counts.sovits + counts.bert + counts.hubert + counts.sv + counts.vocoder;
  const complete: CompleteModelSet = { parameters, seconds, version, size, ...(set.vocoder === undefined ? {} : { vocoder: relative(dir, set.vocoder) }) };
  await writeFile(join(dir, MODEL_SET_MARKER), `${JSON.stringify(complete)}\n`);
  progress(`written in ${seconds.toFixed(1)} s (${(parameters / 1e6).toFixed(0)} M parameters${set.vocoder === undefined ? '' : `, vocoder ${(counts.vocoder / 1e6).toFixed(0)} M`})`);
  emitResult({ metrics: { seconds, cached: 0, parameters, vocoder_parameters: counts.vocoder }, notes: [] });
}
