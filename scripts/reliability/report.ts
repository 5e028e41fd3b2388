/**
 * How a reliability suite reports: named checks (each passed or failed, with what was seen), named figures and
 * notes, printed for people and as one stdout line `@@reliability-result {...}` that `npm run reliability` collects.
 * Every suite is a script run on its own (`node scripts/reliability/<suite>.ts [--quick] [--verbose]`) through
 * {@link suiteMain}, which exits non-zero when any check failed or the suite threw.
 * @module
 */
import { parseArgs } from 'node:util';

export const RESULT_MARKER = '@@reliability-result ';

export interface Check {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

export interface SuiteResult {
  readonly suite: string;
  readonly checks: readonly Check[];
  readonly figures: Readonly<Record<string, number | string | null>>;
  readonly notes: readonly string[];
  /** Set when the suite itself failed (threw) before it finished its checks. */
  readonly error: string | null;
}

export interface SuiteOptions {
  /** The short version CI runs (fewer clients, shorter times). */
  readonly quick: boolean;
  readonly verbose: boolean;
  /** Duration for the suites that run for a time (soak); undefined is the suite's own default. */
  readonly minutes: number | undefined;
}

export class SuiteReport {
  readonly suite: string;
  readonly #checks: Check[] = [];
  readonly #figures: Record<string, number | string | null> = {};
  readonly #notes: string[] = [];

  constructor(suite: string) {
    this.suite = suite;
  }

  /** Records a check and prints it; returns `ok` so callers can branch on it. */
  check(name: string, ok: boolean, detail: string): boolean {
    this.#checks.push({ name, ok, detail });
    progress(`${ok ? 'PASS' : 'FAIL'}  ${name}: ${detail}`);
    return ok;
  }

  figure(name: string, value: number | string | null): void {
    this.#figures[name] = typeof value === 'number' && !Number.isFinite(value) ? null : value;
  }

  note(text: string): void {
    this.#notes.push(text);
  }

  get failed(): number {
    return this.#checks.filter((check) => !check.ok).length;
  }

  result(error: string | null = null): SuiteResult {
    return { suite: this.suite, checks: [...this.#checks], figures: { ...this.#figures }, notes: [...this.#notes], error };
  }
}

/** Progress for people, on stderr so it never mixes with the result line. */
export function progress(line: string): void {
  process.stderr.write(`  ${line}\n`);
}

/** Runs a suite as a script: parses the common flags, prints the result line, sets the exit code. */
export async function suiteMain(suite: string, run: (report: SuiteReport, options: SuiteOptions) => Promise<void>): Promise<void> {
  const { values } = parseArgs({ options: { quick: { type: 'boolean', default: false }, verbose: { type: 'boolean', default: false }, minutes: { type: 'string' } }, strict: true });
  const minutes = values.minutes === undefined ? undefined : Number(values.minutes);
  if (minutes !== undefined && !(minutes > 0)) throw new Error(`--minutes must be a positive number, got ${String(values.minutes)}`);
  const report = new SuiteReport(suite);
  let error: string | null = null;
  try {
    await run(report, { quick: values.quick, verbose: values.verbose, minutes });
  } catch (thrown) {
    error = thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown);
    progress(`suite ${suite} failed: ${error}`);
  }
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(report.result(error))}\n`);
  process.exitCode = error !== null || report.failed > 0 ? 1 : 0;
}

/** The last result line in a suite's stdout; undefined when there is none or it is malformed. */
export function parseSuiteResult(stdout: string): SuiteResult | undefined {
  const line = stdout
    .split('\n')
    .reverse()
    .find((candidate) => candidate.startsWith(RESULT_MARKER));
  if (line === undefined) return undefined;
  try {
    const value = JSON.parse(line.slice(RESULT_MARKER.length)) as Partial<SuiteResult>;
    if (typeof value.suite !== 'string' || !Array.isArray(value.checks)) return undefined;
    return {
      suite: value.suite,
      checks: (value.checks as unknown[]).filter(isCheck),
      figures: value.figures ?? {},
      notes: Array.isArray(value.notes) ? value.notes.filter((note): note is string => typeof note === 'string') : [],
      error: typeof value.error === 'string' ? value.error : null,
    };
  } catch {
    return undefined;
  }
}

function isCheck(value: unknown): value is Check {
  if (typeof value !== 'object' || value === null) return false;
  const { name, ok, detail } = value as Record<string, unknown>;
  return typeof name === 'string' && typeof ok === 'boolean' && typeof detail === 'string';
}

/** Percentile (nearest rank) of unsorted samples; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? Number.NaN;
}
