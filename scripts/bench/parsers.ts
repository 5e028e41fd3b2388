/**
 * Reads the figures out of the two benches that predate the orchestrator and print text for people
 * (`npm run bench:frontend`, `npm run bench:gateway`). A line that is not found leaves its metric out; the
 * figure then shows as missing, so a changed output format is visible instead of silently zero.
 * @module
 */
import type { LoadRow } from '../../gateway/bench/load-row.ts';
import type { ScenarioResult } from '../../gpu-function/bench/scenario-result.ts';

const number = (text: string | undefined): number | null => (text === undefined ? null : Number(text.replaceAll(',', '')));

/** gpu-function/bench/zh-frontend.ts */
export function parseFrontendOutput(stdout: string): ScenarioResult | undefined {
  const metrics: Record<string, number | null> = {};
  const take = (pattern: RegExp, names: readonly string[]): void => {
    const match = pattern.exec(stdout);
    if (match === null) return;
    names.forEach((name, i) => (metrics[name] = number(match[i + 1])));
  };
  take(/first call[^:]*: ([\d.]+) ms/, ['first_call_ms']);
  take(/sentences one by one \((\d+) chars\): ([\d,]+) chars\/s/, ['corpus_chars', 'zh_g2p_chars_per_s']);
  take(/as one \d+-char text: ([\d,]+) chars\/s/, ['zh_g2p_long_chars_per_s']);
  take(/BERT: synthetic \d+-wide, (\d+) layers/, ['bert_layers']);
  take(/BERT one call per segment: (\d+) segments \((\d+) tokens\) in ([\d.]+) ms, ([\d.]+) runner call/, ['bert_segments', 'bert_tokens', 'bert_per_segment_ms', 'bert_per_segment_calls']);
  take(/BERT one batched call: \d+ segments \(\d+ tokens\) in ([\d.]+) ms, ([\d.]+) runner call/, ['bert_batched_ms', 'bert_batched_calls']);
  return Object.keys(metrics).length === 0 ? undefined : { metrics, notes: [] };
}

/** The markdown table gateway/bench/cached-phrases.ts prints. */
export function parseGatewayRows(stdout: string): LoadRow[] {
  const rows: LoadRow[] = [];
  for (const line of stdout.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    // | route | concurrency | requests | errors | requests/s | p50 ms | p99 ms |  → 9 pieces around the pipes
    if (cells.length !== 9 || !/^\d+$/.test(cells[2] ?? '')) continue;
    const [, route = '', concurrency, requests, errors, rps, p50, p99] = cells;
    rows.push({ route, concurrency: Number(concurrency), requests: Number(requests), errors: Number(errors), rps: Number(rps), p50: Number(p50), p99: Number(p99) });
  }
  return rows;
}

/** Route → the short name figure ids use. */
export function gatewayRouteKey(route: string): string {
  if (route.startsWith('POST /v1/tts')) return 'hit';
  if (route.startsWith('GET /healthz')) return 'healthz';
  return route.toLowerCase().replace(/[^a-z0-9]+/g, '_');
}

export function parseGatewayOutput(stdout: string): ScenarioResult | undefined {
  const rows = parseGatewayRows(stdout);
  if (rows.length === 0) return undefined;
  const metrics: Record<string, number | null> = {};
  for (const row of rows) {
    const key = `${gatewayRouteKey(row.route)}_c${String(row.concurrency)}`;
    metrics[`${key}_requests`] = row.requests;
    metrics[`${key}_errors`] = row.errors;
    metrics[`${key}_requests_per_s`] = row.rps;
    metrics[`${key}_p50_ms`] = Number.isFinite(row.p50) ? row.p50 : null;
    metrics[`${key}_p99_ms`] = Number.isFinite(row.p99) ? row.p99 : null;
  }
  const header = /Gateway cached-phrase benchmark: (\d+)-byte/.exec(stdout);
  if (header !== null) metrics['phrase_bytes'] = Number(header[1]);
  return { metrics, notes: [] };
}
