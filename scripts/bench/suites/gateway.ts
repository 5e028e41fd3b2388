/**
 * Suite `gateway` (issue 6): runs the gateway's own benchmark (`npm run bench:gateway`,
 * gateway/bench/cached-phrases.ts: wrangler dev + a fake GPU origin) and folds its table in: cached-phrase
 * requests/s and p50/p99 latency per concurrency, with `GET /healthz` under the same load for contrast. When
 * wrangler cannot start, the scenario is reported as failed with wrangler's last words.
 * @module
 */
import { figure, type Figure } from '../figures.ts';
import { parseGatewayOutput } from '../parsers.ts';
import { TIMEOUT_SECONDS, type BenchRun } from '../run-context.ts';

export async function runGatewaySuite(run: BenchRun): Promise<Figure[]> {
  const concurrency = run.options.quick ? [1, 8] : [1, 8, 32];
  const record = await run.run({
    id: 'gateway.cached-phrases',
    suite: 'gateway',
    label: 'npm run bench:gateway (cached-phrase requests through wrangler dev)',
    script: 'gateway/bench/cached-phrases.ts',
    args: [...(run.options.quick ? ['--seconds', '2', '--warmup', '1'] : []), '--concurrency', concurrency.join(',')],
    timeoutSeconds: TIMEOUT_SECONDS.short,
    parse: parseGatewayOutput,
  });
  const figures: Figure[] = [];
  for (const route of ['hit', 'healthz'] as const) {
    const label = route === 'hit' ? 'POST /v1/tts, cached phrase' : 'GET /healthz';
    for (const c of concurrency) {
      const key = `${route}_c${String(c)}`;
      const base = { suite: 'gateway', scenario: record.id } as const;
      figures.push(
        figure({ ...base, id: `gateway.${key}.requests_per_s`, label: `${label}, concurrency ${String(c)}`, unit: 'requests/s', value: record.metrics[`${key}_requests_per_s`] }),
        figure({ ...base, id: `gateway.${key}.p50_ms`, label: `${label}, concurrency ${String(c)}, p50`, unit: 'ms', value: record.metrics[`${key}_p50_ms`] }),
        figure({ ...base, id: `gateway.${key}.p99_ms`, label: `${label}, concurrency ${String(c)}, p99`, unit: 'ms', value: record.metrics[`${key}_p99_ms`] }),
        figure({ ...base, id: `gateway.${key}.errors`, label: `${label}, concurrency ${String(c)}, failed or non-HIT answers`, unit: 'count', value: record.metrics[`${key}_errors`] }),
      );
    }
  }
  return figures;
}
