/**
 * How a benchmark scenario (one child process of `npm run bench`) hands its figures to the orchestrator: one stdout
 * line `@@bench-result {...}`. Everything else a scenario prints is progress for people. Kept free of project imports
 * so the orchestrator (scripts/bench/) can parse what the scenarios emit without loading any model code.
 * @module
 */

export const RESULT_MARKER = '@@bench-result ';

/** A scenario's raw measurements: named numbers (null when a figure could not be taken) and free-text notes. */
export interface ScenarioResult {
  readonly metrics: Readonly<Record<string, number | null>>;
  readonly notes: readonly string[];
}

export function emitResult(result: ScenarioResult): void {
  process.stdout.write(`${RESULT_MARKER}${JSON.stringify(result)}\n`);
}

/** Finds the last result line in a scenario's stdout; `undefined` if it printed none or the line is malformed. */
export function parseResult(stdout: string): ScenarioResult | undefined {
  const line = stdout
    .split('\n')
    .reverse()
    .find((candidate) => candidate.startsWith(RESULT_MARKER));
  if (line === undefined) return undefined;
  try {
    const value = JSON.parse(line.slice(RESULT_MARKER.length)) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { metrics, notes } = value as { metrics?: unknown; notes?: unknown };
    if (typeof metrics !== 'object' || metrics === null) return undefined;
    const clean: Record<string, number | null> = {};
    for (const [name, figure] of Object.entries(metrics)) clean[name] = typeof figure === 'number' && Number.isFinite(figure) ? figure : null;
    return { metrics: clean, notes: Array.isArray(notes) ? notes.filter((note): note is string => typeof note === 'string') : [] };
  } catch {
    return undefined;
  }
}

/** Progress for people, on stderr so it never mixes with the result line. */
export function progress(message: string): void {
  process.stderr.write(`  ${message}\n`);
}
