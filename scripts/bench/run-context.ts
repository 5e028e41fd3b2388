/**
 * State of one `npm run bench`: the work folder, every scenario record in the order they ran, and the artefacts that
 * suites share (the synthetic model set is written once per run; the engine reuses the bundle the bundle suite
 * built, or builds an fp32 one itself).
 * @module
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchOptions } from './args.ts';
import { runScenario, skippedScenario, type ScenarioRecord, type ScenarioSpec } from './child.ts';
import { formatValue } from './figures.ts';

/** Scenario time limits: generous, so a slow machine reports slow figures rather than failures. */
export const TIMEOUT_SECONDS = { short: 300, long: 900 } as const;

export class BenchRun {
  readonly options: BenchOptions;
  readonly workDir: string;
  readonly scenarios: ScenarioRecord[] = [];
  /** Set by the bundle suite when its build (fp32 + fp16) succeeded. */
  bundleBuilt = false;
  #models: Promise<ScenarioRecord> | undefined;
  #fp32Bundle: Promise<string | undefined> | undefined;

  constructor(options: BenchOptions, workDir: string) {
    this.options = options;
    this.workDir = workDir;
  }

  get modelsDir(): string {
    return join(this.workDir, 'models');
  }

  get bundleDir(): string {
    return join(this.workDir, 'bundles', 'full-v2');
  }

  get dataDir(): string {
    return join(this.workDir, 'engine-data');
  }

  async run(spec: ScenarioSpec): Promise<ScenarioRecord> {
    process.stderr.write(`\n▶ ${spec.id}: ${spec.label}\n`);
    const record = await runScenario(spec, this.workDir);
    this.scenarios.push(record);
    const rss = record.peak_rss_bytes === null ? '' : `, peak RSS ${formatValue(record.peak_rss_bytes, 'bytes')}`;
    process.stderr.write(
      record.status === 'ok'
        ? `✔ ${spec.id} in ${(record.wall_seconds ?? 0).toFixed(1)} s${rss}\n`
        : `✘ ${spec.id} failed: ${(record.error ?? '').split('\n')[0] ?? ''}\n`,
    );
    return record;
  }

  skip(spec: ScenarioSpec, reason: string): ScenarioRecord {
    process.stderr.write(`\n⏭ ${spec.id} skipped: ${reason}\n`);
    const record = skippedScenario(spec, reason);
    this.scenarios.push(record);
    return record;
  }

  /** Runs a scenario unless a prerequisite is missing, in which case it is recorded as skipped. */
  async runIf(ready: boolean, spec: ScenarioSpec, reason: string): Promise<ScenarioRecord> {
    return ready ? this.run(spec) : this.skip(spec, reason);
  }

  /** Writes the full synthetic v2 set once per run (write-models.ts also reuses a complete set in `--work-dir`). */
  ensureModels(): Promise<ScenarioRecord> {
    this.#models ??= this.run({
      id: 'prepare.models',
      suite: 'prepare',
      label: 'write the full-size synthetic GPT-SoVITS v2 model set (once per run)',
      script: 'gpu-function/bench/bundle/write-models.ts',
      args: ['--dir', this.modelsDir],
      timeoutSeconds: TIMEOUT_SECONDS.short,
    });
    return this.#models;
  }

  /** The fp32 bundle the engine suite loads: the bundle suite's, one left in `--work-dir`, or a fresh fp32 build. */
  ensureFp32Bundle(): Promise<string | undefined> {
    this.#fp32Bundle ??= (async () => {
      if (this.bundleBuilt || (await exists(join(this.bundleDir, 'fp32', 't2s-decode.onnx')))) return this.bundleDir;
      const models = await this.ensureModels();
      const spec: ScenarioSpec = {
        id: 'prepare.bundle-fp32',
        suite: 'prepare',
        label: 'build the fp32 bundle the engine suite loads (not timed against a target)',
        script: 'gpu-function/bench/bundle/build.ts',
        args: ['--models', this.modelsDir, '--out', this.bundleDir, '--precisions', 'fp32'],
        timeoutSeconds: TIMEOUT_SECONDS.short,
      };
      const record = await this.runIf(models.status === 'ok', spec, 'the synthetic model set could not be written');
      return record.status === 'ok' ? this.bundleDir : undefined;
    })();
    return this.#fp32Bundle;
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}
