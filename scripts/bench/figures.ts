/**
 * One measured figure of the bench: its stable id (what runs are compared by), its value and unit, and the issue's
 * target when the issue states one, judged pass or fail. A figure whose scenario failed is `missing`, never zero.
 * @module
 */

export type Unit = 's' | 'ms' | 'bytes' | 'tokens/s' | 'chars/s' | 'requests/s' | 'ratio' | 'share' | 'count';
export type Comparison = '<' | '<=' | '>=' | '>' | '=';

export interface Target {
  readonly op: Comparison;
  readonly value: number;
  /** The target in the words, e.g. "< 2 min". */
  readonly text: string;
}

export type FigureStatus = 'pass' | 'fail' | 'info' | 'missing';

export interface Figure {
  readonly id: string;
  readonly suite: string;
  /** Id of the scenario (child process) that measured it. */
  readonly scenario: string;
  readonly label: string;
  readonly unit: Unit;
  readonly value: number | null;
  readonly target: Target | null;
  readonly status: FigureStatus;
  readonly note: string | null;
}

export interface FigureSpec {
  readonly id: string;
  readonly suite: string;
  readonly scenario: string;
  readonly label: string;
  readonly unit: Unit;
  readonly value: number | null | undefined;
  readonly target?: Target;
  readonly note?: string;
}

export function figure(spec: FigureSpec): Figure {
  const value = typeof spec.value === 'number' && Number.isFinite(spec.value) ? spec.value : null;
  const target = spec.target ?? null;
  const status: FigureStatus = value === null ? 'missing' : target === null ? 'info' : meets(value, target) ? 'pass' : 'fail';
  return { id: spec.id, suite: spec.suite, scenario: spec.scenario, label: spec.label, unit: spec.unit, value, target, status, note: spec.note ?? null };
}

export function meets(value: number, target: Target): boolean {
  switch (target.op) {
    case '<':
      return value < target.value;
    case '<=':
      return value <= target.value;
    case '>=':
      return value >= target.value;
    case '>':
      return value > target.value;
    case '=':
      return value === target.value;
  }
}

/** A value for people: bytes in GB, shares in percent, ratios with ×. */
export function formatValue(value: number | null, unit: Unit): string {
  if (value === null) return '—';
  switch (unit) {
    case 'bytes':
      return `${(value / 1e9).toFixed(2)} GB`;
    case 'share':
      return `${(value * 100).toFixed(1)} %`;
    case 'ratio':
      return `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)}×`;
    case 'count':
      return Number.isInteger(value) ? String(value) : value.toFixed(1);
    case 'ms':
      return `${value.toFixed(value >= 100 ? 0 : 1)} ms`;
    case 's':
      return `${value.toFixed(1)} s`;
    default:
      return `${value >= 100 ? Math.round(value).toLocaleString('en') : value.toFixed(1)} ${unit}`;
  }
}
