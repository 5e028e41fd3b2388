/**
 * The tables the bench prints: per suite, every figure with its target and result; at the end, every scenario with
 * its time and peak memory, then every figure that has a target. Markdown pipe tables, aligned, so they read in a
 * terminal and paste into docs/benchmarks.md as they are.
 * @module
 */
import type { ScenarioRecord } from './child.ts';
import { formatValue, type Figure } from './figures.ts';

const RESULT: Readonly<Record<Figure['status'], string>> = { pass: 'PASS', fail: 'FAIL', info: '—', missing: 'MISSING' };

export function figureTable(figures: readonly Figure[]): string {
  return table(
    ['figure', 'id', 'target', 'measured', 'result'],
    figures.map((f) => [f.label, f.id, f.target?.text ?? '', formatValue(f.value, f.unit), RESULT[f.status]]),
  );
}

export function scenarioTable(scenarios: readonly ScenarioRecord[]): string {
  return table(
    ['scenario', 'status', 'wall', 'peak RSS', 'error'],
    scenarios.map((s) => [
      s.id,
      s.status,
      s.wall_seconds === null ? '' : `${s.wall_seconds.toFixed(1)} s`,
      s.peak_rss_bytes === null ? '' : formatValue(s.peak_rss_bytes, 'bytes'),
      (s.error ?? '').split('\n')[0] ?? '',
    ]),
  );
}

export function targetTable(figures: readonly Figure[]): string {
  return figureTable(figures.filter((f) => f.target !== null));
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]): string => `| ${widths.map((width, column) => (cells[column] ?? '').padEnd(width)).join(' | ')} |`;
  return [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)].join('\n');
}
