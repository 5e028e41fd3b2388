/**
 * Calls the GPU function: signs each attempt (fresh nonce), tries origins in the pool's order, and moves to the next
 * origin only while nothing has been relayed to the client: on a refused connection, a timeout before the first
 * audio byte, a 5xx/429 answer, an answer the origin refuses to authenticate, or an empty body. Once the first byte
 * is out, the stream is passed through as it comes, and a later failure ends it with an error.
 *
 * What a GPU function answers is not passed to clients as-is: errors about the request (a field, a voice) keep
 * their code, message and field; every other error keeps its code with the gateway's own message, and the origin's
 * words go to the log.
 * @module
 */
import { ApiError, errorEnvelopeSchema, signRequest, type ErrorCode } from '@gsv-edge/shared';
import type { GatewayConfig } from '../config.ts';
import { log } from '../log.ts';
import { OriginPool } from './origin-pool.ts';

export interface OriginCall {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** Internal path with its query, e.g. `/internal/v1/synthesize`. */
  readonly path: string;
  /** Sent as given (an upload is forwarded as the bytes received). */
  readonly body: string | Uint8Array;
  readonly requestId: string;
  /** A 2xx answer without a single body byte is a failure (synthesis must never answer silence). */
  readonly requireBody: boolean;
  /** The origins that may take the call (those carrying the model it needs); every configured origin by default. */
  readonly origins?: readonly string[];
  /**
   * Runs work after the answer (the request's `waitUntil`): with it, origins out of rotation whose probe is due are
   * probed in the background; without it, they come back only through last-resort attempts.
   */
  readonly background?: (work: Promise<unknown>) => void;
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
  | { readonly kind: 'retry'; readonly error: ApiError; readonly cooldownMs?: number; readonly unreachable?: true };

/** Codes with which a GPU function says it did not trust the gateway: a configuration fault, not the caller's. */
const SIGNATURE_CODES = new Set(['invalid_signature', 'stale_request', 'replayed_request']);
const RETRYABLE_STATUSES = new Set([429, 502, 503, 504]);
/** Errors about the request itself: the client can act on the GPU function's message, so it is passed on. */
const REQUEST_ERROR_CODES = new Set<ErrorCode>([
  'invalid_json',
  'invalid_field',
  'unknown_field',
  'language_not_supported',
  'invalid_reference_audio',
  'payload_too_large',
  'unsupported_media_type',
  'not_found',
  'voice_not_found',
  'model_not_found',
  'voice_exists',
  'voice_version_mismatch',
]);
const MAX_PASSED_MESSAGE_CHARS = 300;
/** The gateway's words for everything else a GPU function can answer. */
const GENERIC_MESSAGES: Partial<Record<ErrorCode, string>> = {
  overloaded: 'Every GPU function is busy; retry shortly.',
  not_ready: 'The GPU functions are starting; retry shortly.',
  deadline_exceeded: 'The synthesis took longer than allowed and was stopped.',
};

/** The longest a `/readyz` probe may take (less when ORIGIN_TIMEOUT_MS is shorter). */
const PROBE_TIMEOUT_MS = 5_000;
/** The longest Retry-After sent when no origin could be reached. */
const MAX_UNREACHABLE_RETRY_AFTER_SECONDS = 30;

export async function callOrigin(config: GatewayConfig, secret: string, call: OriginCall): Promise<OriginAnswer> {
  const pool = new OriginPool(call.origins ?? config.origins, config.originStrategy, config.originCooldownMs);
  if (call.background !== undefined) {
    const timeoutMs = Math.min(PROBE_TIMEOUT_MS, config.originTimeoutMs);
    for (const origin of pool.claimProbes(timeoutMs + 1000)) call.background(probeOrigin(pool, config, origin, timeoutMs));
  }
  let failure = new ApiError('origin_unavailable', 'No GPU function origin is configured.');
  let unreachable = 0;
  // A function that said when to come back (503/429 with Retry-After: overloaded, starting).
  let busy: ApiError | undefined;
  const tried = pool.order().slice(0, config.originMaxAttempts);
  for (const origin of tried) {
    const attempt = await attemptOrigin(pool, config, secret, call, origin);
    if (attempt.kind === 'answer') return attempt.answer;
    const fields = { request_id: call.requestId, origin, path: call.path, code: attempt.error.code, error: upstreamMessage(attempt.error), cause: causeOf(attempt.error) };
    if (attempt.kind === 'final') {
      log(config.logLevel, 'info', 'origin refused the request', fields);
      throw attempt.error;
    }
    // An origin that answered or timed out says more than one that could not be reached, whatever the order.
    if (attempt.unreachable === true) unreachable += 1;
    if (attempt.unreachable !== true || unreachable === tried.indexOf(origin) + 1) failure = attempt.error;
    if (attempt.error.retryAfterSeconds !== undefined) busy ??= attempt.error;
    pool.markFailed(origin, attempt.cooldownMs);
    log(config.logLevel, 'warn', 'origin attempt failed', fields);
  }
  if (tried.length > 0 && unreachable === tried.length) {
    // Nothing is listening anywhere (functions restarting or gone): a temporary condition, said as such.
    const retryAfterSeconds = Math.min(MAX_UNREACHABLE_RETRY_AFTER_SECONDS, Math.max(1, Math.ceil(config.originCooldownMs / 1000)));
    throw new ApiError('not_ready', 'No GPU function can be reached right now; retry shortly.', { retryAfterSeconds, cause: failure });
  }
  // When one function was busy and the others failed otherwise, the client is told to come back (the documented
  // overload answer), not that no function could be reached (under load, issue 14: 502 after 503 + a lost connection).
  throw busy ?? failure;
}

/** Asks a suspect origin's `/readyz` (unsigned, as load balancers ask it) whether it takes work again. */
async function probeOrigin(pool: OriginPool, config: GatewayConfig, origin: string, timeoutMs: number): Promise<void> {
  const ready = await fetch(`${origin}/readyz`, { signal: AbortSignal.timeout(timeoutMs) }).then(
    async (response) => {
      await response.body?.cancel();
      return response.status === 200;
    },
    () => false,
  );
  pool.probed(origin, ready);
  log(config.logLevel, ready ? 'info' : 'debug', 'origin probed', { origin, ready });
}

async function attemptOrigin(pool: OriginPool, config: GatewayConfig, secret: string, call: OriginCall, origin: string): Promise<Attempt> {
  const url = new URL(`${origin}${call.path}`);
  const signature = await signRequest({ secret, audience: url.origin, method: call.method, pathAndQuery: `${url.pathname}${url.search}`, body: call.body });
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
    const body = relay(reader, first.done ? null : first.value, config, controller, (failed) => {
      pool.end(origin);
      if (failed) pool.markFailed(origin);
    });
    owned = false;
    return { kind: 'answer', answer: { origin, status: response.status, headers: response.headers, body } };
  } catch (error) {
    if (error instanceof ApiError) return { kind: 'final', error };
    return controller.signal.aborted
      ? { kind: 'retry', error: new ApiError('origin_timeout', `The GPU function did not answer within ${String(config.originTimeoutMs)} ms.`) }
      : { kind: 'retry', error: new ApiError('origin_unavailable', 'The GPU function could not be reached.', { cause: error }), unreachable: true };
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
  const error = publicError(ApiError.fromEnvelope(parsed.data, retryAfter));
  if (RETRYABLE_STATUSES.has(response.status)) {
    return { kind: 'retry', error, ...(retryAfter === undefined ? {} : { cooldownMs: retryAfter * 1000 }) };
  }
  return { kind: 'final', error };
}

/** What a client may see of a GPU function's error (the original stays in the error's `cause`, for the log). */
export function publicError(upstream: ApiError): ApiError {
  const retry = upstream.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: upstream.retryAfterSeconds };
  if (REQUEST_ERROR_CODES.has(upstream.code)) {
    const param = upstream.param?.replace(/^params\./, '') ?? null;
    return new ApiError(upstream.code, upstream.message.slice(0, MAX_PASSED_MESSAGE_CHARS), { param, cause: upstream, ...retry });
  }
  if (upstream.status < 500 && upstream.code !== 'duplicate_request') {
    return new ApiError('origin_unavailable', 'The GPU function refused the request for a reason the gateway does not pass on.', { cause: upstream, ...retry });
  }
  const message = GENERIC_MESSAGES[upstream.code] ?? 'The GPU function failed to synthesize this request.';
  const code: ErrorCode = upstream.code === 'duplicate_request' ? 'origin_unavailable' : upstream.code;
  return new ApiError(code, message, { cause: upstream, ...retry });
}

/** What a failure came from (a lost connection, a timeout), for the log line. */
function causeOf(error: ApiError): string | null {
  return error.cause instanceof Error && !(error.cause instanceof ApiError) ? `${error.cause.name}: ${error.cause.message}` : null;
}

function upstreamMessage(error: ApiError): string {
  return error.cause instanceof ApiError ? `${error.cause.code}: ${error.cause.message}` : error.message;
}

function parseRetryAfter(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value);
}

/**
 * Passes the origin's body on chunk by chunk (nothing is read ahead of the client), with an idle timeout between
 * chunks and a limit on the whole answer, and calls `onEnd` once: when it completes, fails, times out, or the client
 * cancels. The overall limit is what guarantees `onEnd`: a client that neither reads nor leaves would otherwise hold
 * the origin (and its in-flight count) forever.
 */
function relay(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  first: Uint8Array | null,
  config: Pick<GatewayConfig, 'originIdleTimeoutMs' | 'originStreamTimeoutMs'>,
  controller: AbortController,
  onEnd: (failed: boolean) => void,
): ReadableStream<Uint8Array> {
  const { originIdleTimeoutMs: idleTimeoutMs, originStreamTimeoutMs: streamTimeoutMs } = config;
  let pending = first;
  let ended = false;
  // Read through a function: a timer can end the relay while a read is pending, which a plain read of `ended` after
  // the await would not be typed to allow.
  const hasEnded = () => ended;
  let output: ReadableStreamDefaultController<Uint8Array> | undefined;
  const end = (failed: boolean) => {
    if (!ended) onEnd(failed);
    ended = true;
    clearTimeout(deadline);
  };
  const deadline = setTimeout(() => {
    if (ended) return;
    const error = new ApiError('origin_timeout', `The answer was still open after ${String(streamTimeoutMs)} ms and was cut off.`);
    output?.error(error);
    void reader.cancel(error).catch(() => undefined);
    controller.abort();
    end(false);
  }, streamTimeoutMs);
  return new ReadableStream<Uint8Array>(
    {
      start(stream) {
        output = stream;
      },
      async pull(stream) {
        if (ended) return;
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
          if (hasEnded()) return;
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
