/**
 * What a cached-phrase HIT costs next to a no-op route, measured side by side: `GET /healthz` and the same whole
 * `POST /v1/tts` HIT (same key, same phrase), alternated request by request so that both see the same machine,
 * first one at a time, then from several clients at once. Each answer is read to its end; an answer that is not a
 * 200 (with `X-Cache: HIT` for the phrase) is counted as an error and left out of the latencies.
 * @module
 */
import { Pool } from 'undici';
import { percentile } from '../report.ts';

export interface HitCostRow {
  readonly concurrency: number;
  readonly healthzP50Ms: number;
  readonly hitP50Ms: number;
  readonly healthzP95Ms: number;
  readonly hitP95Ms: number;
  readonly samples: number;
  readonly errors: number;
}

export interface HitRequest {
  readonly path: string;
  readonly body: string;
  readonly secret: string;
}

export async function measureHitCost(baseUrl: string, hit: HitRequest, concurrency: number, rounds: number): Promise<HitCostRow> {
  const pool = new Pool(baseUrl, { connections: concurrency, pipelining: 1 });
  const healthz: number[] = [];
  const hits: number[] = [];
  let errors = 0;
  const timed = async (ok: (status: number, cache: unknown) => boolean, send: () => Promise<{ statusCode: number; headers: Record<string, unknown>; body: { arrayBuffer(): Promise<ArrayBuffer> } }>, into: number[]) => {
    const started = performance.now();
    try {
      const answer = await send();
      await answer.body.arrayBuffer();
      if (ok(answer.statusCode, answer.headers['x-cache'])) into.push(performance.now() - started);
      else errors += 1;
    } catch {
      errors += 1;
    }
  };
  const headers = { authorization: `Bearer ${hit.secret}`, 'content-type': 'application/json' };
  const client = async () => {
    for (let round = 0; round < rounds; round += 1) {
      await timed((status) => status === 200, () => pool.request({ path: '/healthz', method: 'GET', signal: AbortSignal.timeout(10_000) }), healthz);
      await timed((status, cache) => status === 200 && cache === 'HIT', () => pool.request({ path: hit.path, method: 'POST', headers, body: hit.body, signal: AbortSignal.timeout(10_000) }), hits);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, client));
  } finally {
    await pool.close();
  }
  return {
    concurrency,
    healthzP50Ms: percentile(healthz, 50),
    hitP50Ms: percentile(hits, 50),
    healthzP95Ms: percentile(healthz, 95),
    hitP95Ms: percentile(hits, 95),
    samples: Math.min(healthz.length, hits.length),
    errors,
  };
}
