/**
 * Calls the GPU function: signs each attempt (fresh nonce), tries origins in the pool's order, and moves to the next
 * origin only while nothing has been relayed to the client: on a refused connection, a timeout before the first
 * audio byte, a 5xx/429 answer, an answer the origin refuses to authenticate, or an empty body. Once the first byte
 * is out, the stream is passed through as it comes, and a later failure ends it with an error.
 * @module
 */
import { ApiError, errorEnvelopeSchema, signRequest } from '@gsv-edge/shared';
import type { GatewayConfig } from '../config.ts';
import { log } from '../log.ts';
import { OriginPool } from './origin-pool.ts';

export interface OriginCall {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Internal path with its query, e.g. `/internal/v1/synthesize`. */
  readonly path: string;
  readonly body: string;
  readonly requestId: string;
  /** A 2xx answer without a single body byte is a failure (synthesis must never answer silence). */
  readonly requireBody: boolean;
}

export interface OriginAnswer {
  readonly origin: string;
  readonly status: number;
  readonly headers: Headers;
  /** Begins with the bytes already read; errors with an {@link ApiError} if the origin fails mid-stream. */
  readonly body: ReadableStream<Uint8Array>;
}

type Attempt =
  | { readonly kind: 'answer'; readonly answer: OriginAnswer }
  | { readonly kind: 'final'; readonly error: ApiError }
  | { readonly kind: 'retry'; readonly error: ApiError; readonly cooldownMs?: number };

/** Codes with which a GPU function says it did not trust the gateway: a configuration fault, not the caller's. */
const SIGNATURE_CODES = new Set(['invalid_signature', 'stale_request', 'replayed_request']);
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);

export async function callOrigin(config: GatewayConfig, secret: string, call: OriginCall): Promise<OriginAnswer> {
  const pool = new OriginPool(config.origins, config.originStrategy, config.originCooldownMs);
  let failure = new ApiError('origin_unavailable', 'No GPU function origin is configured.');
  for (const origin of pool.order().slice(0, config.originMaxAttempts)) {
    const attempt = await attemptOrigin(pool, config, secret, call, origin);
    if (attempt.kind === 'answer') return attempt.answer;
    if (attempt.kind === 'final') throw attempt.error;
    failure = attempt.error;
    pool.markFailed(origin, attempt.cooldownMs);
    log(config.logLevel, 'warn', 'origin attempt failed', {
      request_id: call.requestId,
      origin,
      path: call.path,
      code: attempt.error.code,
      error: attempt.error.message,
    });
  }
  throw failure;
}

async function attemptOrigin(pool: OriginPool, config: GatewayConfig, secret: string, call: OriginCall, origin: string): Promise<Attempt> {
  const url = new URL(`${origin}${call.path}`);
  const signature = await signRequest({ secret, method: call.method, pathAndQuery: `${url.pathname}${url.search}`, body: call.body });
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort();
  }, config.originTimeoutMs);
  pool.begin(origin);
  // Until the body is handed to the relay, this attempt owns the origin's in-flight count.
  let owned = true;
  try {
    const response = await fetch(url, {
      method: call.method,
      headers: { ...signature, 'content-type': 'application/json', 'x-request-id': call.requestId },
      ...(call.method === 'GET' ? {} : { body: call.body }),
      signal: controller.signal,
    });
    if (!response.ok) return await classifyFailure(response);
    const reader = ((response.body ?? new ReadableStream()) as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    if (first.done && call.requireBody) {
      return { kind: 'retry', error: new ApiError('synthesis_failed', 'The GPU function answered without any audio.') };
    }
    pool.markHealthy(origin);
    const body = relay(reader, first.done ? null : first.value, config.originIdleTimeoutMs, controller, (failed) => {
      pool.end(origin);
      if (failed) pool.markFailed(origin);
    });
    owned = false;
    return { kind: 'answer', answer: { origin, status: response.status, headers: response.headers, body } };
  } catch (error) {
    if (error instanceof ApiError) return { kind: 'final', error };
    return controller.signal.aborted
      ? { kind: 'retry', error: new ApiError('origin_timeout', `The GPU function did not answer within ${String(config.originTimeoutMs)} ms.`) }
      : { kind: 'retry', error: new ApiError('origin_unavailable', 'The GPU function could not be reached.', { cause: error }) };
  } finally {
    clearTimeout(timer);
    if (owned) pool.end(origin);
  }
}

async function classifyFailure(response: Response): Promise<Attempt> {
  const retryAfter = parseRetryAfter(response.headers.get('retry-after'));
  const parsed = errorEnvelopeSchema.safeParse(await response.json().catch(() => null));
  if (!parsed.success) {
    const error = new ApiError('origin_unavailable', `The GPU function answered ${String(response.status)} without an error envelope.`);
    return response.status >= 500 || response.status === 404 ? { kind: 'retry', error } : { kind: 'final', error };
  }
  const { code } = parsed.data.error;
  if (SIGNATURE_CODES.has(code)) {
    return {
      kind: 'retry',
      error: new ApiError('origin_unavailable', `The GPU function refused the gateway's signature (${code}); check SIGNING_SECRET and clocks.`),
    };
  }
  const error = ApiError.fromEnvelope(parsed.data, retryAfter);
  if (RETRYABLE_STATUSES.has(response.status)) {
    return { kind: 'retry', error, ...(retryAfter === undefined ? {} : { cooldownMs: retryAfter * 1000 }) };
  }
  return { kind: 'final', error };
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/**
 * Passes the origin's body on chunk by chunk (nothing is read ahead of the client), with an idle timeout between
 * chunks, and calls `onEnd` once: when it completes, fails, or the client cancels.
 */
function relay(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  first: Uint8Array | null,
  idleTimeoutMs: number,
  controller: AbortController,
  onEnd: (failed: boolean) => void,
): ReadableStream<Uint8Array> {
  let pending = first;
  let ended = false;
  const end = (failed: boolean) => {
    if (!ended) onEnd(failed);
    ended = true;
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(stream) {
        if (pending !== null) {
          stream.enqueue(pending);
          pending = null;
          return;
        }
        const timer = setTimeout(() => {
          controller.abort();
        }, idleTimeoutMs);
        try {
          const chunk = await reader.read();
          if (chunk.done) {
            stream.close();
            end(false);
          } else {
            stream.enqueue(chunk.value);
          }
        } catch (error) {
          const reason = controller.signal.aborted ? `no audio for ${String(idleTimeoutMs)} ms` : 'the connection broke';
          stream.error(new ApiError('synthesis_failed', `The GPU function stopped mid-stream: ${reason}.`, { cause: error }));
          end(true);
        } finally {
          clearTimeout(timer);
        }
      },
      async cancel(reason) {
        end(false);
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
