/**
 * One client request through an undici pool, ended by its own deadline (AbortSignal.timeout), and what the client
 * saw of it: status, X-Cache, time to the first body byte and to the last, and whether the answer is acceptable —
 * a 2xx whose body decodes as the audio it declares, or an error in the JSON envelope that is a 4xx or a documented
 * overload answer (429/503 with Retry-After). Anything else (another 5xx, a broken stream, no answer within the
 * deadline) is a problem, described.
 * @module
 */
import { countCharacters } from '@gsv-edge/shared';
import type { Dispatcher } from 'undici';
import type { Observation } from '../../../gateway/test/expected-ledger.ts';
import type { AudioChecker } from './audio-check.ts';
import { requestOf, type RequestSpec } from './traffic.ts';

export interface Exchange {
  readonly spec: RequestSpec;
  readonly keyId: string;
  /** `null`: no answer (deadline or connection error). */
  readonly status: number | null;
  readonly cache: string | null;
  readonly synthesisKey: string | null;
  readonly received: Observation['received'];
  readonly errorCode: string | null;
  readonly retryAfterSeconds: number | null;
  readonly ttfbMs: number | null;
  readonly totalMs: number;
  /** What makes this exchange unacceptable; `null` when it is fine. */
  readonly problem: string | null;
}

/** Overload answers the contract documents: the client is told when to come back. */
const OVERLOAD_STATUSES = new Set([429, 503]);

export async function exchange(pool: Dispatcher, secret: string, keyId: string, spec: RequestSpec, deadlineMs: number, audio: AudioChecker): Promise<Exchange> {
  const { path, body } = requestOf(spec);
  const signal = AbortSignal.timeout(deadlineMs);
  const started = performance.now();
  let ttfbMs: number | null = null;
  const base = { spec, keyId, cache: null, synthesisKey: null, errorCode: null, retryAfterSeconds: null };
  let answer: Dispatcher.ResponseData;
  try {
    answer = await pool.request({ path, method: 'POST', headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' }, body, signal });
  } catch (error) {
    const problem = signal.aborted ? `no answer within the ${String(deadlineMs)} ms deadline` : `no answer: ${describe(error)}`;
    return { ...base, status: null, received: 'none', ttfbMs, totalMs: performance.now() - started, problem };
  }
  const status = answer.statusCode;
  const header = (name: string): string | null => {
    const value = answer.headers[name];
    return typeof value === 'string' ? value : null;
  };
  const seen = { ...base, status, cache: header('x-cache'), synthesisKey: header('x-gsv-synthesis-key') };
  const chunks: Buffer[] = [];
  let received: Observation['received'] = 'whole';
  let broken: string | null = null;
  try {
    for await (const chunk of answer.body as AsyncIterable<Buffer>) {
      ttfbMs ??= performance.now() - started;
      chunks.push(chunk);
      if (spec.leave && status >= 200 && status < 300) {
        received = 'left';
        break;
      }
    }
  } catch (error) {
    received = status >= 200 && status < 300 ? (signal.aborted ? 'left' : 'broken') : 'none';
    broken = signal.aborted ? `the body was still coming at the ${String(deadlineMs)} ms deadline` : `the body broke: ${describe(error)}`;
  }
  const totalMs = performance.now() - started;
  const bytes = Buffer.concat(chunks);
  if (status >= 200 && status < 300) {
    if (broken !== null) return { ...seen, received, ttfbMs, totalMs, problem: broken };
    if (status !== 200) return { ...seen, received, ttfbMs, totalMs, problem: `status ${String(status)} for a request without Range` };
    if (seen.cache !== 'HIT' && seen.cache !== 'MISS') return { ...seen, received, ttfbMs, totalMs, problem: `X-Cache ${String(seen.cache)}` };
    const problem = received === 'left' ? null : await audio.check(header('content-type'), header('x-gsv-sample-rate'), bytes);
    return { ...seen, received, ttfbMs, totalMs, problem };
  }
  const retryAfter = header('retry-after');
  const retryAfterSeconds = retryAfter !== null && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
  const errorCode = envelopeCode(bytes);
  const failed = { ...seen, received: 'none' as const, errorCode, retryAfterSeconds, ttfbMs, totalMs };
  if (broken !== null) return { ...failed, problem: broken };
  if (errorCode === null) return { ...failed, problem: `${String(status)} without the JSON error envelope: ${JSON.stringify(bytes.subarray(0, 80).toString('utf8'))}` };
  if (OVERLOAD_STATUSES.has(status)) {
    return { ...failed, problem: retryAfterSeconds === null ? `${String(status)} ${errorCode} without Retry-After` : null };
  }
  return { ...failed, problem: status < 500 ? null : `${String(status)} ${errorCode} (a 5xx that is not a documented overload answer)` };
}

/** The envelope's `error.code`, or `null` when the body is not the envelope. */
function envelopeCode(bytes: Buffer): string | null {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { error?: { code?: unknown; type?: unknown; message?: unknown } };
    const error = parsed.error;
    return typeof error?.code === 'string' && typeof error.type === 'string' && typeof error.message === 'string' ? error.code : null;
  } catch {
    return null;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as Error & { code?: unknown }).code;
  return typeof code === 'string' ? `${code} (${error.message})` : error.message;
}

/** What the billing oracle needs of an exchange. */
export function observationOf(seen: Exchange): Observation {
  return {
    key: seen.keyId,
    characters: countCharacters(seen.spec.text),
    status: seen.status ?? 0,
    cache: seen.cache,
    synthesisKey: seen.synthesisKey,
    idempotencyKey: null,
    received: seen.received,
  };
}
