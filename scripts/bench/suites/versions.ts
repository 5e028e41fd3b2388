/**
 * Suite `versions` (issue 12): every servable SoVITS version side by side on CPU. For v2Pro and v2ProPlus a full-size
 * synthetic set (with the ERes2NetV2 speaker-verification model) is written and compiled (fp32 + fp16; target under
 * 2 minutes and 4 GB, as for v2 in the `bundle` suite); then each version's fp32 bundle runs through the Engine at
 * 1 and 8 concurrent requests, and its real-time factor (wall time / audio seconds) is reported with its ratio to
 * v2's, measured in the same run.
 * @module
 */
import { join } from 'node:path';
import type { ScenarioRecord } from '../child.ts';
import { figure, type Figure, type FigureSpec } from '../figures.ts';
import { TIMEOUT_SECONDS, type BenchRun } from '../run-context.ts';
import { table } from '../tables.ts';

const VERSIONS = ['v2', 'v2Pro', 'v2ProPlus'] as const;
type Version = (typeof VERSIONS)[number];
const CONCURRENCY = [1, 8] as const;

export async function runVersionsSuite(run: BenchRun): Promise<Figure[]> {
  const figures: Figure[] = [];
  const tokens = run.options.quick ? 24 : 100;
  for (const version of VERSIONS) {
    const bundle = version === 'v2' ? await run.ensureFp32Bundle() : await buildVersion(run, version, figures);
    for (const concurrency of CONCURRENCY) {
      const record = await run.runIf(
        bundle !== undefined,
        {
          id: `versions.${version}-c${String(concurrency)}`,
          suite: 'versions',
          label: `SoVITS ${version}: Engine real-time factor, ${String(concurrency)} concurrent request(s) of ${String(tokens)} tokens`,
          script: 'gpu-function/bench/engine/realtime.ts',
          args: ['--bundle', bundle ?? '', '--data', join(run.workDir, `versions-data-${version}`), '--concurrency', String(concurrency), '--tokens', String(tokens)],
          timeoutSeconds: TIMEOUT_SECONDS.long,
        },
        `no ${version} bundle could be built`,
      );
      const at = (spec: Omit<FigureSpec, 'suite' | 'scenario'>): Figure => figure({ ...spec, suite: 'versions', scenario: record.id });
      const id = `versions.${version}.c${String(concurrency)}`;
      figures.push(
        at({ id: `${id}.realtime_factor`, label: `${version}: wall time / audio time, ${String(concurrency)} concurrent`, unit: 'ratio', value: record.metrics['realtime_factor'] }),
        at({ id: `${id}.audio_seconds`, label: `${version}: audio produced, ${String(concurrency)} concurrent`, unit: 's', value: record.metrics['audio_seconds'] }),
      );
      if (concurrency === 1) figures.push(at({ id: `versions.${version}.voice_seconds`, label: `${version}: voice registration (HuBERT, reference encoder${version === 'v2' ? '' : ', speaker verification'})`, unit: 's', value: record.metrics['voice_seconds'] }));
    }
  }
  for (const version of VERSIONS.filter((v) => v !== 'v2')) {
    for (const concurrency of CONCURRENCY) {
      const rtf = (v: Version): number | null => figures.find((f) => f.id === `versions.${v}.c${String(concurrency)}.realtime_factor`)?.value ?? null;
      const mine = rtf(version);
      const base = rtf('v2');
      figures.push(
        figure({
          id: `versions.${version}.c${String(concurrency)}.rtf_vs_v2`,
          suite: 'versions',
          scenario: `versions.${version}-c${String(concurrency)}`,
          label: `${version} real-time factor / v2's, ${String(concurrency)} concurrent`,
          unit: 'ratio',
          value: mine === null || base === null ? null : mine / base,
        }),
      );
    }
  }
  return figures;
}

/** Writes and compiles the full-size set of a version; returns its bundle folder, or undefined if either failed. */
async function buildVersion(run: BenchRun, version: Exclude<Version, 'v2'>, figures: Figure[]): Promise<string | undefined> {
  const modelsDir = join(run.workDir, `models-${version}`);
  const bundleDir = join(run.workDir, 'bundles', `full-${version.toLowerCase()}`);
  const models: ScenarioRecord = await run.run({
    id: `versions.${version}-models`,
    suite: 'versions',
    label: `write the full-size synthetic ${version} set (SoVITS ${version} + ERes2NetV2)`,
    script: 'gpu-function/bench/bundle/write-models.ts',
    args: ['--dir', modelsDir, '--version', version],
    timeoutSeconds: TIMEOUT_SECONDS.short,
  });
  const build = await run.runIf(
    models.status === 'ok',
    {
      id: `versions.${version}-build`,
      suite: 'versions',
      label: `buildBundle: ${version} set, fp32 + fp16`,
      script: 'gpu-function/bench/bundle/build.ts',
      args: ['--models', modelsDir, '--out', bundleDir, '--precisions', 'fp32,fp16'],
      timeoutSeconds: TIMEOUT_SECONDS.long,
    },
    `the synthetic ${version} set could not be written`,
  );
  const ok = build.status === 'ok';
  const at = (spec: Omit<FigureSpec, 'suite' | 'scenario'>): Figure => figure({ ...spec, suite: 'versions', scenario: build.id });
  figures.push(
    at({ id: `versions.${version}.build_seconds`, label: `${version}: buildBundle wall time`, unit: 's', value: build.metrics['seconds'], target: { op: '<', value: 120, text: '< 2 min' } }),
    at({ id: `versions.${version}.build_peak_rss_bytes`, label: `${version}: buildBundle peak RSS`, unit: 'bytes', value: ok ? build.peak_rss_bytes : null, target: { op: '<', value: 4e9, text: '< 4 GB' } }),
    at({ id: `versions.${version}.fp32_bytes`, label: `${version}: fp32 graphs + weights on disk`, unit: 'bytes', value: build.metrics['bytes_fp32'] }),
  );
  return ok ? bundleDir : undefined;
}

/** Version × concurrency: the real-time factors side by side. */
export function versionsTable(figures: readonly Figure[]): string {
  const cell = (id: string, digits: number): string => {
    const value = figures.find((f) => f.id === id)?.value ?? null;
    return value === null ? '—' : value.toFixed(digits);
  };
  const rows = VERSIONS.map((version) => [
    version,
    cell(`versions.${version}.voice_seconds`, 1),
    ...CONCURRENCY.flatMap((c) => [cell(`versions.${version}.c${String(c)}.realtime_factor`, 2), version === 'v2' ? '1.00' : cell(`versions.${version}.c${String(c)}.rtf_vs_v2`, 2)]),
  ]);
  return table(['version', 'voice s', 'RTF c1', 'vs v2 c1', 'RTF c8', 'vs v2 c8'], rows);
}
