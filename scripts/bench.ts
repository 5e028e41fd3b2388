/**
 * `npm run bench`: measures the speed and memory targets of the model bundle (issue 3), the engine (issue 4), the
 * text frontend (issue 5), the gateway (issue 6), the whole local stack end to end (issue 11) and the SoVITS versions
 * side by side (issue 12: v2, v2Pro, v2ProPlus, and v4/v3 at few CFM steps), each scenario in its own Node process,
 * and prints per-suite tables and a summary with every target judged. `--json [path]` also writes every figure
 * (docs/benchmarks.md documents the fields). A scenario that fails is reported and the run goes on; the exit status
 * is non-zero only when the harness itself fails (bad arguments, an unwritable report).
 *
 *   npm run bench                                  # every suite, full length (about 50 minutes on 2 cores; versions alone 36)
 *   npm run bench -- --suite engine --quick        # one suite, short smoke run
 *   npm run bench -- --json bench.json --work-dir /tmp/gsv-bench   # keep models and bundle for the next run
 *   npm run bench -- --suite versions --work-dir /tmp/gsv-bench    # the versions side by side (long: v4/v3 on CPU)
 *   npm run bench -- --suite engine --gpt-sovits-dir ~/GPT-SoVITS --python ~/venv/bin/python   # + its PyTorch loop and SoVITS decode
 * @module
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BenchUsageError, parseBenchArgs, USAGE, type BenchOptions, type SuiteName } from './bench/args.ts';
import type { Figure } from './bench/figures.ts';
import { describeMachine } from './bench/machine.ts';
import { buildReport } from './bench/report.ts';
import { BenchRun } from './bench/run-context.ts';
import { runBundleSuite } from './bench/suites/bundle.ts';
import { runEngineSuite } from './bench/suites/engine.ts';
import { runFrontendSuite } from './bench/suites/frontend.ts';
import { runGatewaySuite } from './bench/suites/gateway.ts';
import { runStackSuite, stackLoadTable } from './bench/suites/stack.ts';
import { runVersionsSuite, versionsTable } from './bench/suites/versions.ts';
import { figureTable, scenarioTable, targetTable } from './bench/tables.ts';

interface Suite {
  readonly title: string;
  readonly run: (run: BenchRun) => Promise<Figure[]>;
  /** A table of the suite's own shape, printed after its figures. */
  readonly table?: (figures: readonly Figure[]) => string;
}

const SUITES: Readonly<Record<SuiteName, Suite>> = {
  bundle: { title: 'Bundle build (issue 3)', run: runBundleSuite },
  engine: { title: 'Engine: T2S throughput, decode steps, first audio, memory (issue 4)', run: runEngineSuite },
  frontend: { title: 'Text frontend (issue 5)', run: runFrontendSuite },
  gateway: { title: 'Gateway cached phrases (issue 6)', run: runGatewaySuite },
  stack: { title: 'End to end through the local stack (issue 11)', run: runStackSuite, table: stackLoadTable },
  versions: { title: 'SoVITS versions side by side: v2, v2Pro, v2ProPlus, v4, v3 on CPU (issue 12; v4/v3 at few CFM steps)', run: runVersionsSuite, table: versionsTable },
};

async function main(argv: readonly string[]): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchArgs(argv);
  } catch (error) {
    if (!(error instanceof BenchUsageError)) throw error;
    process.stderr.write(`${error.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  const startedAt = new Date();
  const workDir = options.workDir === undefined ? await mkdtemp(join(tmpdir(), 'gsv-edge-bench-')) : resolve(options.workDir);
  await mkdir(workDir, { recursive: true });
  process.stderr.write(`bench: suites ${options.suites.join(', ')}${options.quick ? ' (quick)' : ''}; work folder ${workDir}\n`);
  const run = new BenchRun(options, workDir);
  const figures: Figure[] = [];
  try {
    for (const name of options.suites) {
      const suite = SUITES[name];
      const suiteFigures = await suite.run(run);
      figures.push(...suiteFigures);
      console.log(`\n## ${suite.title}\n\n${figureTable(suiteFigures)}${suite.table === undefined ? '' : `\n\n${suite.table(suiteFigures)}`}`);
    }
  } finally {
    if (options.workDir === undefined) await rm(workDir, { recursive: true, force: true });
  }
  const report = buildReport({
    options,
    command: ['node', 'scripts/bench.ts', ...argv].join(' '),
    startedAt,
    finishedAt: new Date(),
    workDir,
    machine: describeMachine(),
    scenarios: run.scenarios,
    figures,
  });
  const { machine, summary } = report;
  console.log(`\n## Summary\n\nmachine: ${machine.cpu_model} × ${String(machine.cpus)}, node ${machine.node}, load average ${machine.load_average.join(' / ')}${options.quick ? '; QUICK run' : ''}\n`);
  console.log(`${scenarioTable(run.scenarios)}\n\n${targetTable(figures)}\n`);
  console.log(
    `targets: ${String(summary.figures.pass)} met, ${String(summary.figures.fail)} not met, ${String(summary.figures.missing)} missing; ` +
      `scenarios: ${String(summary.scenarios.ok)} ok, ${String(summary.scenarios.failed)} failed, ${String(summary.scenarios.skipped)} skipped`,
  );
  if (options.json !== undefined) {
    const path = resolve(options.json);
    await writeFile(path, `${JSON.stringify(report, null, 2)}\n`);
    process.stderr.write(`bench: report written to ${path}\n`);
  }
  return 0;
}

process.exitCode = await main(process.argv.slice(2));
