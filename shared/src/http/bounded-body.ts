/**
 * A request body limit that lets the client read its 413.
 *
 * Hono's `bodyLimit` answers as soon as a body passes the limit and leaves the rest unread; the server then closes a
 * connection the client is still writing to, and the client's next write meets a reset (EPIPE, ECONNRESET) that can
 * discard the 413 before it is read. The bad-input suite saw exactly that for chunked uploads past the limit, at the
 * gateway under `wrangler dev` and at a GPU function. So, like a web server's lingering close, a body over the limit
 * is read on and thrown away, up to a bound in bytes and time, before the refusal; past that bound the connection
 * is given up (a client sending that much past a documented limit is not one to wait for). Nothing past the limit
 * is kept. Written here, not taken from a library, because no Hono middleware drains; shared so that both sides
 * (workerd and Node) refuse alike.
 * @module
 */
import { ApiError } from '../errors/api-error.ts';

export interface BodyBounds {
  /** The largest body accepted. */
  readonly maxBytes: number;
  /** How much past the limit is still read (and discarded) so the client can read the refusal. */
  readonly drainBytes: number;
  /** How long that reading may take. */
  readonly drainMs: number;
}

/** At least this much past a small limit is drained: a few round trips' worth of what a client has in flight. */
const MIN_DRAIN_BYTES = 1024 * 1024;
const DRAIN_MS = 5_000;

/** The bounds both sides use: drain as much again as the limit (at least 1 MiB), for up to 5 s. */
export function drainingBounds(maxBytes: number): BodyBounds {
  return { maxBytes, drainBytes: Math.max(maxBytes, MIN_DRAIN_BYTES), drainMs: DRAIN_MS };
}

/**
 * Resolves to the request to go on with: the same one when its Content-Length is within the limit (the runtime
 * holds the body to that length), or a copy holding the body read in full when it came without a length. Throws
 * `payload_too_large` (413) for a body past the limit, once what can be drained of it has been.
 */
export async function boundedBody(request: Request, bounds: BodyBounds): Promise<Request> {
  // Request bodies are byte streams in both runtimes; the DOM typings leave their chunks untyped.
  const body = request.body as ReadableStream<Uint8Array> | null;
  if (body === null) return request;
  const declared = request.headers.has('transfer-encoding') ? null : request.headers.get('content-length');
  if (declared !== null) {
    const length = Number(declared);
    if (Number.isFinite(length) && length <= bounds.maxBytes) return request;
    const reader = body.getReader();
    if (length <= bounds.maxBytes + bounds.drainBytes) await drain(reader, bounds.maxBytes + bounds.drainBytes, bounds.drainMs);
    else await reader.cancel().catch(() => undefined);
    throw tooLarge(bounds.maxBytes);
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > bounds.maxBytes) {
      await drain(reader, bounds.maxBytes + bounds.drainBytes - size, bounds.drainMs);
      throw tooLarge(bounds.maxBytes);
    }
    chunks.push(value);
  }
  const whole = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    whole.set(chunk, at);
    at += chunk.byteLength;
  }
  return new Request(request, { body: whole });
}

/** Reads and discards up to `budget` bytes within `ms`; cancels the body when either runs out first. */
async function drain(reader: ReadableStreamDefaultReader<Uint8Array>, budget: number, ms: number): Promise<void> {
  let left = budget;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeUp = new Promise<'time'>((resolve) => {
    timer = setTimeout(() => {
      resolve('time');
    }, ms);
  });
  try {
    while (left > 0) {
      const next = await Promise.race([reader.read(), timeUp]);
      if (next === 'time') break;
      if (next.done) return;
      left -= next.value.byteLength;
    }
    await reader.cancel().catch(() => undefined);
  } catch {
    // The client went away while sending: nothing is left to drain.
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

function tooLarge(maxBytes: number): ApiError {
  return new ApiError('payload_too_large', `The request body is larger than ${String(maxBytes)} bytes.`);
}
