/**
 * Suite `versions` (issue 12): every servable SoVITS version side by side on CPU. For v2Pro, v2ProPlus, v4 and v3 a
 * full-size synthetic set (with the ERes2NetV2 speaker-verification model for v2Pro/v2ProPlus, the vocoder for
 * v4/v3) is written and compiled (fp32 + fp16; target under 2 minutes and 4 GB, as for v2 in the `bundle` suite);
 * then each version's fp32 bundle runs through the Engine at 1 and 8 concurrent requests, and its real-time factor
 * (wall time / audio seconds) is reported with its ratio to v2's, measured in the same run.
 *
 * v4 and v3 run T2S, then a ~330 M-parameter DiT `sample_steps` times per chunk, then the vocoder: on a 2-core CPU
 * one step at 900 frames takes seconds, so at GPT-SoVITS's default of 32 steps one request would take minutes. They
 * run with few steps and short segments instead (8 steps, 40 tokens; 4 steps, 24 tokens in `--quick`), every label says so, and
 * their ratio is taken against v2 run at the same token cap. One v4 `cfm-step` call is also timed alone at batch 1
 * and 8 (900 frames, 500 of them prompt), for the cost per row that batching requests buys.
 * @module
 */
import { join } from 'node:path';
import type { ScenarioRecord } from '../child.ts';
import { figure, type Figure, type FigureSpec } from '../figures.ts';
import { TIMEOUT_SECONDS, type BenchRun } from '../run-context.ts';
import { table } from '../tables.ts';

const VITS_VERSIONS = ['v2', 'v2Pro', 'v2ProPlus'] as const;
const CFM_VERSIONS = ['v4', 'v3'] as const;
type CfmVersion = (typeof CFM_VERSIONS)[number];
type Version = (typeof VITS_VERSIONS)[number] | CfmVersion;
const CONCURRENCY = [1, 8] as const;
/** The batches one `cfm-step` call is timed at. */
const STEP_BATCHES = [1, 8] as const;
// At 8 concurrent, 8 requests each run T2S, every CFM step at batch 8 and the vocoder, twice (warm-up and measured).
const CFM_TIMEOUT_SECONDS = 2 * TIMEOUT_SECONDS.long;

/** What the suite asks of each version: token cap per request, and for v3/v4 the Euler steps and the step scenario. */
interface Settings {
  /** Token cap of the VITS versions' requests. */
  readonly tokens: number;
  /** Token cap of the v3/v4 requests (and of the v2 run they are compared with). */
  readonly cfmTokens: number;
  readonly sampleSteps: number;
  /** The lone `cfm-step` timing: frames per row, prompt frames among them, timed runs after a warm-up. */
  readonly step: { readonly frames: number; readonly prompt: number; readonly runs: number };
}

const FULL: Settings = { tokens: 100, cfmTokens: 40, sampleSteps: 8, step: { frames: 900, prompt: 500, runs: 2 } };
// 4 steps is the fewest the API accepts (fewer gives noise); equal token caps spare quick runs an extra v2 row.
const QUICK: Settings = { tokens: 24, cfmTokens: 24, sampleSteps: 4, step: { frames: 300, prompt: 150, runs: 1 } };

/**
 * One row of the table: a bundle run at a token cap (and for v3/v4 a step count). `key` names its figures; it is
 * the version itself except for v2's extra run at the v3/v4 token cap.
 */
interface Row {
  readonly key: string;
  readonly version: Version;
  readonly tokens: number;
  readonly sampleSteps: number | undefined;
  /** The row whose real-time factor this one is divided by (v2's at the same token cap); none for v2 itself. */
  readonly baseline: string | undefined;
}

export async function runVersionsSuite(run: BenchRun): Promise<Figure[]> {
  const figures: Figure[] = [];
  const settings = run.options.quick ? QUICK : FULL;
  const cfmBaseline = settings.cfmTokens === settings.tokens ? 'v2' : `v2-t${String(settings.cfmTokens)}`;
  const rows: Row[] = [
    ...VITS_VERSIONS.map((version): Row => ({ key: version, version, tokens: settings.tokens, sampleSteps: undefined, baseline: version === 'v2' ? undefined : 'v2' })),
    ...(cfmBaseline === 'v2' ? [] : [{ key: cfmBaseline, version: 'v2', tokens: settings.cfmTokens, sampleSteps: undefined, baseline: undefined } satisfies Row]),
    ...CFM_VERSIONS.map((version): Row => ({ key: version, version, tokens: settings.cfmTokens, sampleSteps: settings.sampleSteps, baseline: cfmBaseline })),
  ];
  const bundles = new Map<Version, Promise<string | undefined>>();
  const bundleOf = (version: Version): Promise<string | undefined> => {
    let bundle = bundles.get(version);
    if (bundle === undefined) {
      bundle = version === 'v2' ? run.ensureFp32Bundle() : buildVersion(run, version, figures);
      bundles.set(version, bundle);
    }
    return bundle;
  };

  for (const row of rows) {
    const bundle = await bundleOf(row.version);
    const cfm = row.sampleSteps !== undefined;
    const setting = (spec: Omit<FigureSpec, 'suite' | 'scenario'>): Figure => figure({ ...spec, suite: 'versions', scenario: `versions.${row.key}-c1` });
    // The settings are figures too, so the table (and the JSON report) show what each row ran with.
    figures.push(setting({ id: `versions.${row.key}.tokens`, label: `${row.key}: token cap per request`, unit: 'count', value: row.tokens }));
    if (cfm) figures.push(setting({ id: `versions.${row.key}.sample_steps`, label: `${row.key}: CFM Euler steps per chunk (GPT-SoVITS default 32)`, unit: 'count', value: row.sampleSteps }));
    const what = `${String(row.tokens)} tokens${cfm ? `, ${String(row.sampleSteps)} CFM steps` : ''}`;
    for (const concurrency of CONCURRENCY) {
      const record = await run.runIf(
        bundle !== undefined,
        {
          id: `versions.${row.key}-c${String(concurrency)}`,
          suite: 'versions',
          label: `SoVITS ${row.version}: Engine real-time factor, ${String(concurrency)} concurrent request(s) of ${what}`,
          script: 'gpu-function/bench/engine/realtime.ts',
          args: [
            '--bundle', bundle ?? '',
            '--data', join(run.workDir, `versions-data-${row.key}`),
            '--concurrency', String(concurrency),
            '--tokens', String(row.tokens),
            ...(cfm ? ['--sample-steps', String(row.sampleSteps)] : []),
          ],
          timeoutSeconds: cfm ? CFM_TIMEOUT_SECONDS : TIMEOUT_SECONDS.long,
        },
        `no ${row.version} bundle could be built`,
      );
      const at = (spec: Omit<FigureSpec, 'suite' | 'scenario'>): Figure => figure({ ...spec, suite: 'versions', scenario: record.id });
      const id = `versions.${row.key}.c${String(concurrency)}`;
      figures.push(
        at({ id: `${id}.realtime_factor`, label: `${row.version}: wall time / audio time, ${String(concurrency)} concurrent, ${what}`, unit: 'ratio', value: record.metrics['realtime_factor'] }),
        at({ id: `${id}.audio_seconds`, label: `${row.version}: audio produced, ${String(concurrency)} concurrent, ${what}`, unit: 's', value: record.metrics['audio_seconds'] }),
      );
      if (concurrency === 1) figures.push(at({ id: `versions.${row.key}.voice_seconds`, label: `${row.version}: voice registration (${registrationParts(row.version)})`, unit: 's', value: record.metrics['voice_seconds'] }));
    }
    if (row.version === 'v4') figures.push(...(await stepBatchFigures(run, bundle, settings)));
  }

  const rtf = (key: string, concurrency: number): number | null => figures.find((f) => f.id === `versions.${key}.c${String(concurrency)}.realtime_factor`)?.value ?? null;
  for (const row of rows) {
    if (row.baseline === undefined) continue;
    for (const concurrency of CONCURRENCY) {
      const mine = rtf(row.key, concurrency);
      const base = rtf(row.baseline, concurrency);
      const steps = row.sampleSteps === undefined ? '' : ` (${String(row.sampleSteps)} CFM steps)`;
      figures.push(
        figure({
          id: `versions.${row.key}.c${String(concurrency)}.rtf_vs_v2`,
          suite: 'versions',
          scenario: `versions.${row.key}-c${String(concurrency)}`,
          label: `${row.version}${steps} real-time factor / v2's, ${String(concurrency)} concurrent, both ${String(row.tokens)} tokens`,
          unit: 'ratio',
          value: mine === null || base === null ? null : mine / base,
        }),
      );
    }
  }
  return figures;
}

function registrationParts(version: Version): string {
  if (version === 'v2') return 'HuBERT, reference encoder';
  if (version === 'v2Pro' || version === 'v2ProPlus') return 'HuBERT, reference encoder, speaker verification';
  return 'HuBERT, reference encoder, CFM prompt';
}

/** One v4 `cfm-step` call alone at batch 1 and 8: ms per step, and the per-row cost of batching. */
async function stepBatchFigures(run: BenchRun, bundle: string | undefined, settings: Settings): Promise<Figure[]> {
  const { frames, prompt, runs } = settings.step;
  const record = await run.runIf(
    bundle !== undefined,
    {
      id: 'versions.v4-cfm-step',
      suite: 'versions',
      label: `v4 cfm-step (fp32 DiT) alone at batch ${STEP_BATCHES.join(' and ')}, N = ${String(frames)} frames (prompt ${String(prompt)}), median of ${String(runs)} after a warm-up`,
      script: 'gpu-function/bench/engine/cfm-step-batch.ts',
      args: ['--bundle', bundle ?? '', '--batches', STEP_BATCHES.join(','), '--frames', String(frames), '--prompt', String(prompt), '--runs', String(runs)],
      timeoutSeconds: TIMEOUT_SECONDS.long,
    },
    'no v4 bundle could be built',
  );
  const at = (spec: Omit<FigureSpec, 'suite' | 'scenario'>): Figure => figure({ ...spec, suite: 'versions', scenario: record.id });
  const where = `N = ${String(frames)} frames (prompt ${String(prompt)})`;
  return [
    ...STEP_BATCHES.map((batch) =>
      at({ id: `versions.v4.cfm_step.b${String(batch)}_ms`, label: `v4: ms per CFM step, batch ${String(batch)}, ${where}`, unit: 'ms', value: record.metrics[`b${String(batch)}_step_ms`] }),
    ),
    ...STEP_BATCHES.filter((batch) => batch > 1).map((batch) =>
      at({
        id: `versions.v4.cfm_step.b${String(batch)}_per_row_ratio`,
        label: `v4: CFM step per-row cost, batch ${String(batch)} / batch 1 (ms at ${String(batch)} / ${String(batch)} / ms at 1), ${where}`,
        unit: 'ratio',
        value: record.metrics[`b${String(batch)}_per_row_ratio`],
      }),
    ),
  ];
}

/** Writes and compiles the full-size set of a version; returns its bundle folder, or undefined if either failed. */
async function buildVersion(run: BenchRun, version: Exclude<Version, 'v2'>, figures: Figure[]): Promise<string | undefined> {
  const modelsDir = join(run.workDir, `models-${version}`);
  const bundleDir = join(run.workDir, 'bundles', `full-${version.toLowerCase()}`);
  const extra = version === 'v4' ? ' + HiFi-GAN 48 kHz vocoder' : version === 'v3' ? ' + BigVGAN 24 kHz vocoder' : ' + ERes2NetV2';
  const models: ScenarioRecord = await run.run({
    id: `versions.${version}-models`,
    suite: 'versions',
    label: `write the full-size synthetic ${version} set (SoVITS ${version}${extra})`,
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

/**
 * Row × concurrency: the real-time factors side by side, each row with the token cap and (v3/v4) the CFM steps it
 * ran with, read from the setting figures so the table shows what this run did (quick or full).
 */
export function versionsTable(figures: readonly Figure[]): string {
  const value = (id: string): number | null => figures.find((f) => f.id === id)?.value ?? null;
  const cell = (id: string, digits: number): string => {
    const found = value(id);
    return found === null ? '—' : found.toFixed(digits);
  };
  const keys = figures.flatMap((f) => /^versions\.(.+)\.tokens$/.exec(f.id)?.[1] ?? []);
  const rows = keys.map((key) => {
    // v2 rows are the baseline (ratio 1 by definition); every other row has its own rtf_vs_v2 figures.
    const baseline = key === 'v2' || key.startsWith('v2-t');
    return [
      key,
      cell(`versions.${key}.tokens`, 0),
      cell(`versions.${key}.sample_steps`, 0),
      cell(`versions.${key}.voice_seconds`, 1),
      ...CONCURRENCY.flatMap((c) => [cell(`versions.${key}.c${String(c)}.realtime_factor`, 2), baseline ? '1.00' : cell(`versions.${key}.c${String(c)}.rtf_vs_v2`, 2)]),
    ];
  });
  return table(['version', 'tokens', 'CFM steps', 'voice s', 'RTF c1', 'vs v2 c1', 'RTF c8', 'vs v2 c8'], rows);
}
