/**
 * Counts per endpoint and answer class, the failures kept as examples, and the report table.
 * @module
 */
import type { BadRequest } from './cases.ts';
import type { AnswerClass, Verdict } from './classify.ts';

export interface Example {
  readonly kind: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly failure: string;
  /** The start of the request body, for reproducing. */
  readonly body: string;
}

export interface EndpointTally {
  readonly endpoint: string;
  requests: number;
  readonly classes: Record<AnswerClass, number>;
  readonly statuses: Map<number, number>;
  readonly failures: Example[];
  /** Documented 5xx answers, kept as examples: right, but worth a look when bad input caused them. */
  readonly documented: Example[];
  /** Failures per distinct reason (status and the start of the reason). */
  readonly reasons: Map<string, number>;
  durationMs: number;
}

const KEPT_EXAMPLES = 12;

export function newTally(endpoint: string): EndpointTally {
  return { endpoint, requests: 0, classes: { accepted: 0, refused: 0, 'documented 5xx': 0, FAIL: 0 }, statuses: new Map(), failures: [], documented: [], reasons: new Map(), durationMs: 0 };
}

export function record(tally: EndpointTally, request: BadRequest, verdict: Verdict): void {
  tally.requests += 1;
  tally.classes[verdict.cls] += 1;
  tally.statuses.set(verdict.status, (tally.statuses.get(verdict.status) ?? 0) + 1);
  if (verdict.cls === 'documented 5xx' && tally.documented.length < 4) tally.documented.push(example(request, verdict, `${String(verdict.status)} ${verdict.code ?? ''}`));
  if (verdict.failure === null) return;
  const reason = `${request.kind}: ${verdict.failure.replace(/\d{3,}/g, 'N').slice(0, 90)}`;
  tally.reasons.set(reason, (tally.reasons.get(reason) ?? 0) + 1);
  if (tally.failures.length < KEPT_EXAMPLES && tally.reasons.get(reason) === 1) {
    tally.failures.push(example(request, verdict, verdict.failure));
  }
}

function example(request: BadRequest, verdict: Verdict, what: string): Example {
  return {
    kind: request.kind,
    method: request.method,
    path: `${request.path.slice(0, 200)}${request.headers['content-type'] === undefined ? '' : ` (content-type ${JSON.stringify(request.headers['content-type'])})`}`,
    status: verdict.status,
    failure: what,
    body: request.body === undefined ? '' : JSON.stringify(new TextDecoder().decode(request.body.subarray(0, 300))),
  };
}

export function table(tallies: readonly EndpointTally[]): string {
  const lines = [
    '| endpoint | requests | accepted (2xx) | refused (4xx envelope) | documented 5xx | FAIL | statuses | s |',
    '|---|---:|---:|---:|---:|---:|---|---:|',
  ];
  for (const tally of tallies) {
    const statuses = [...tally.statuses.entries()].sort(([a], [b]) => a - b).map(([status, count]) => `${status === 0 ? 'none' : String(status)}×${String(count)}`).join(' ');
    lines.push(`| ${tally.endpoint} | ${String(tally.requests)} | ${String(tally.classes.accepted)} | ${String(tally.classes.refused)} | ${String(tally.classes['documented 5xx'])} | ${String(tally.classes.FAIL)} | ${statuses} | ${(tally.durationMs / 1000).toFixed(0)} |`);
  }
  return lines.join('\n');
}
