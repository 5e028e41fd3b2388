/**
 * `npm run reliability` (issue 14): the reliability suites against the local stack, each in its own process, one
 * after another (they would skew each other's timings and memory otherwise), with a summary of every check.
 *
 *   npm run reliability                           # every suite, full size (the soak runs 30 minutes)
 *   npm run reliability -- --quick                # the short versions CI runs
 *   npm run reliability -- --suite faults,security --json out.json
 *   node scripts/reliability/<suite>.ts [--quick] # one suite alone
 *
 * Exits non-zero when any check failed or any suite crashed.
 * @module
 */
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseSuiteResult, type SuiteResult } from './reliability/report.ts';

export const SUITES = ['bad-input', 'security', 'faults', 'load', 'soak'] as const;

const { values } = parseArgs({
  options: {
    suite: { type: 'string' },
    quick: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    minutes: { type: 'string' },
    json: { type: 'string' },
  },
});
const chosen = values.suite === undefined ? [...SUITES] : values.suite.split(',').map((name) => name.trim());
for (const name of chosen) {
  if (!(SUITES as readonly string[]).includes(name)) throw new Error(`unknown suite "${name}" (known: ${SUITES.join(', ')})`);
}

const results: SuiteResult[] = [];
for (const suite of chosen) {
  const args = [join(import.meta.dirname, 'reliability', `${suite}.ts`)];
  if (values.quick) args.push('--quick');
  if (values.verbose) args.push('--verbose');
  if (values.minutes !== undefined && suite === 'soak') args.push('--minutes', values.minutes);
  process.stderr.write(`\n== ${suite}\n`);
  const started = performance.now();
  const { stdout, code } = await runSuite(process.execPath, args);
  const parsed = parseSuiteResult(stdout);
  results.push(
    parsed ?? { suite, checks: [], figures: {}, notes: [], error: `the suite printed no result (exit ${String(code)})` },
  );
  process.stderr.write(`== ${suite}: ${((performance.now() - started) / 1000).toFixed(0)} s\n`);
}

const lines = ['| suite | check | result | detail |', '|---|---|---|---|'];
for (const result of results) {
  for (const check of result.checks) lines.push(`| ${result.suite} | ${check.name} | ${check.ok ? 'PASS' : 'FAIL'} | ${check.detail.replaceAll('|', '\\|')} |`);
  if (result.error !== null) lines.push(`| ${result.suite} | (suite) | CRASH | ${(result.error.split('\n')[0] ?? '').replaceAll('|', '\\|')} |`);
}
process.stdout.write(`${lines.join('\n')}\n`);
const checks = results.flatMap((result) => result.checks);
const failed = checks.filter((check) => !check.ok).length + results.filter((result) => result.error !== null).length;
process.stdout.write(`\n${String(checks.length - checks.filter((check) => !check.ok).length)} checks passed, ${String(failed)} failed\n`);
if (values.json !== undefined) await writeFile(values.json, `${JSON.stringify({ quick: values.quick, results }, null, 2)}\n`);
process.exitCode = failed > 0 ? 1 : 0;

function runSuite(program: string, args: readonly string[]): Promise<{ stdout: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      stdout += text;
      // Tables and progress are for people; the result line is for this script.
      for (const line of text.split('\n')) if (line !== '' && !line.startsWith('@@reliability-result')) process.stdout.write(`${line}\n`);
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      resolve({ stdout, code });
    });
  });
}
