/**
 * Runs one benchmark scenario in its own Node process (so its peak memory is its own and its failure is a record,
 * not a crash of the run): forwards its progress to stderr, enforces a time limit, and turns its output into a
 * ScenarioRecord.
 * @module
 */
import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseResult, RESULT_MARKER, type ScenarioResult } from '../../gpu-function/bench/scenario-result.ts';
import { RSS_FILE_VARIABLE } from './peak-rss.ts';

export interface ScenarioSpec {
  /** Stable id, `<suite>.<name>`: figures name the scenario that measured them. */
  readonly id: string;
  readonly suite: string;
  readonly label: string;
  /** Script path relative to the repository root. */
  readonly script: string;
  /**
   * The interpreter that runs `script` when it is not a Node script (e.g. a Python for scripts/bench/python/): it is
   * run as `program script ...args`, without the peak-RSS preload, so the script writes GSV_BENCH_RSS_FILE itself.
   */
  readonly program?: string;
  readonly args: readonly string[];
  readonly timeoutSeconds: number;
  /** Variables set for this scenario on top of the parent's environment (e.g. `ORT_EP` to pick the provider). */
  readonly env?: Readonly<Record<string, string>>;
  /** For benches that print tables rather than a result line: turns their stdout into metrics. */
  readonly parse?: (stdout: string) => ScenarioResult | undefined;
}

export type ScenarioStatus = 'ok' | 'failed' | 'skipped';

/** A scenario as the JSON report records it. */
export interface ScenarioRecord {
  readonly id: string;
  readonly suite: string;
  readonly label: string;
  readonly command: readonly string[];
  readonly status: ScenarioStatus;
  readonly exit_code: number | null;
  readonly signal: string | null;
  readonly wall_seconds: number | null;
  readonly peak_rss_bytes: number | null;
  readonly error: string | null;
  readonly notes: readonly string[];
  readonly metrics: Readonly<Record<string, number | null>>;
}

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PRELOAD = pathToFileURL(join(REPO_ROOT, 'scripts/bench/peak-rss.ts')).href;

export function skippedScenario(spec: ScenarioSpec, reason: string): ScenarioRecord {
  return { ...recordBase(spec), status: 'skipped', exit_code: null, signal: null, wall_seconds: null, peak_rss_bytes: null, error: reason, notes: [], metrics: {} };
}

export async function runScenario(spec: ScenarioSpec, scratchDir: string): Promise<ScenarioRecord> {
  const rssFile = join(scratchDir, `${spec.id}.rss.json`);
  await rm(rssFile, { force: true });
  const started = performance.now();
  const [program, preload] = spec.program === undefined ? [process.execPath, ['--import', PRELOAD]] : [spec.program, []];
  const child = spawn(program, [...preload, spec.script, ...spec.args], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...spec.env, [RSS_FILE_VARIABLE]: rssFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  const stderrTail: string[] = [];
  const show = (line: string): void => {
    if (line !== '' && !line.startsWith(RESULT_MARKER)) process.stderr.write(`  [${spec.id}] ${line.trimStart()}\n`);
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stdout.on('data', lines(show));
  child.stderr.setEncoding('utf8').on(
    'data',
    lines((line) => {
      show(line);
      if (line.trim() === '') return;
      stderrTail.push(line);
      if (stderrTail.length > 8) stderrTail.shift();
    }),
  );
  const limit = { hit: false };
  const timer = setTimeout(() => {
    limit.hit = true;
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  }, spec.timeoutSeconds * 1000);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
    child.on('close', (exitCode, exitSignal) => {
      resolve([exitCode, exitSignal]);
    });
    child.on('error', () => {
      resolve([null, null]);
    });
  });
  clearTimeout(timer);
  const wallSeconds = (performance.now() - started) / 1000;
  const peak = await readFile(rssFile, 'utf8').then((text) => (JSON.parse(text) as { max_rss_bytes?: number }).max_rss_bytes ?? null, () => null);
  const result = code === 0 ? (spec.parse ?? parseResult)(stdout) : undefined;
  const error = limit.hit
    ? `timed out after ${String(spec.timeoutSeconds)} s`
    : code !== 0
      ? `exited with ${signal === null ? `code ${String(code)}` : `signal ${signal}`}`
      : result === undefined
        ? 'printed no result'
        : null;
  return {
    ...recordBase(spec),
    status: error === null ? 'ok' : 'failed',
    exit_code: code,
    signal,
    wall_seconds: wallSeconds,
    peak_rss_bytes: peak,
    error: error === null ? null : [error, ...stderrTail.slice(-4)].join('\n'),
    notes: result?.notes ?? [],
    metrics: result?.metrics ?? {},
  };
}

/** A `data` listener that calls `onLine` once per complete line (chunks may split lines anywhere). */
function lines(onLine: (line: string) => void): (chunk: string) => void {
  let partial = '';
  return (chunk) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) onLine(line);
  };
}

function recordBase(spec: ScenarioSpec): Pick<ScenarioRecord, 'id' | 'suite' | 'label' | 'command'> {
  return { id: spec.id, suite: spec.suite, label: spec.label, command: [spec.program ?? 'node', spec.script, ...spec.args] };
}
