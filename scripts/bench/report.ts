/**
 * The JSON report of a bench run (`--json`): options, machine, every scenario and every figure, with counts. Field
 * names are documented in docs/benchmarks.md; `schema` changes whenever one changes meaning.
 * @module
 */
import type { BenchOptions, SuiteName } from './args.ts';
import type { ScenarioRecord } from './child.ts';
import type { Figure, FigureStatus } from './figures.ts';

export const REPORT_SCHEMA = 'gsv-edge-bench/1';

export interface MachineInfo {
  readonly cpu_model: string;
  readonly cpus: number;
  readonly memory_bytes: number;
  readonly node: string;
  readonly platform: string;
  /** 1, 5 and 15 minute load averages when the run ended (other work on the machine skews every figure). */
  readonly load_average: readonly number[];
}

export interface BenchReport {
  readonly schema: typeof REPORT_SCHEMA;
  readonly command: string;
  readonly started_at: string;
  readonly finished_at: string;
  readonly options: { readonly suites: readonly SuiteName[]; readonly quick: boolean; readonly work_dir: string; readonly work_dir_kept: boolean; readonly official_export: string | null; readonly gpt_sovits_dir: string | null; readonly python: string };
  readonly machine: MachineInfo;
  readonly scenarios: readonly ScenarioRecord[];
  readonly figures: readonly Figure[];
  readonly summary: {
    readonly figures: Readonly<Record<FigureStatus, number>>;
    readonly scenarios: Readonly<Record<ScenarioRecord['status'], number>>;
  };
}

export interface ReportInput {
  readonly options: BenchOptions;
  readonly command: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly workDir: string;
  readonly machine: MachineInfo;
  readonly scenarios: readonly ScenarioRecord[];
  readonly figures: readonly Figure[];
}

export function buildReport(input: ReportInput): BenchReport {
  const figures: Record<FigureStatus, number> = { pass: 0, fail: 0, info: 0, missing: 0 };
  for (const figure of input.figures) figures[figure.status] += 1;
  const scenarios: Record<ScenarioRecord['status'], number> = { ok: 0, failed: 0, skipped: 0 };
  for (const scenario of input.scenarios) scenarios[scenario.status] += 1;
  return {
    schema: REPORT_SCHEMA,
    command: input.command,
    started_at: input.startedAt.toISOString(),
    finished_at: input.finishedAt.toISOString(),
    options: { suites: input.options.suites, quick: input.options.quick, work_dir: input.workDir, work_dir_kept: input.options.workDir !== undefined, official_export: input.options.officialExport ?? null, gpt_sovits_dir: input.options.gptSovitsDir ?? null, python: input.options.python },
    machine: input.machine,
    scenarios: input.scenarios,
    figures: input.figures,
    summary: { figures, scenarios },
  };
}
