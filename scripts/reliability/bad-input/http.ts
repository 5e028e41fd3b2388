/**
 * Sends generated requests as they are (raw bytes, any content type, any header) through undici pools, one per
 * service, with a deadline: an answer that does not come in time, or a connection dropped before an answer, is an
 * outcome of its own, never a retry. Bodies trickled over a bare socket (slow-loris) are in {@link trickle}.
 * @module
 */
import { connect } from 'node:net';
import { Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { signRequest } from '@gsv-edge/shared';
import { Pool } from 'undici';
import type { BadRequest } from './cases.ts';

export interface Answer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** The body, up to {@link MAX_KEPT_BODY} bytes. */
  readonly body: Uint8Array;
  /** The whole body's length in bytes (also past what is kept). */
  readonly bodyBytes: number;
}

export type Outcome = { readonly answer: Answer } | { readonly error: string };

/** Enough of a body to read an error envelope or check a range; audio past it is counted, not kept. */
const MAX_KEPT_BODY = 64 * 1024;

export interface Sender {
  send(request: BadRequest): Promise<Outcome>;
  close(): Promise<void>;
}

export function createSender(origins: { gateway: string; gpu: string }, options: { connections: number; deadlineMs: number; signingSecret: string }): Sender {
  const pools = {
    gateway: new Pool(origins.gateway, { connections: options.connections, pipelining: 1 }),
    gpu: new Pool(origins.gpu, { connections: options.connections, pipelining: 1 }),
  };
  return {
    async send(request) {
      const headers: Record<string, string> = { ...request.headers };
      if (request.sign === true) {
        const pathAndQuery = canonicalPathAndQuery(request.path);
        Object.assign(headers, await signRequest({ secret: options.signingSecret, audience: origins.gpu, method: request.method, pathAndQuery, body: request.body ?? new Uint8Array(0) }));
      }
      const abort = AbortSignal.timeout(options.deadlineMs);
      try {
        const response = await pools[request.target].request({
          method: request.method,
          path: request.path,
          headers,
          body: bodyOf(request),
          signal: abort,
          headersTimeout: options.deadlineMs,
          bodyTimeout: options.deadlineMs,
        });
        const kept: Buffer[] = [];
        let bodyBytes = 0;
        // undici hands over the bytes as sent; an answer compressed for an Accept-Encoding the case sent is read as
        // a client would read it.
        const empty = request.method === 'HEAD' || response.statusCode === 204 || response.statusCode === 304;
        for await (const chunk of empty ? response.body : decoded(response.body, response.headers['content-encoding'])) {
          const bytes = chunk as Buffer;
          if (bodyBytes < MAX_KEPT_BODY) kept.push(bytes.subarray(0, MAX_KEPT_BODY - bodyBytes));
          bodyBytes += bytes.length;
        }
        return { answer: { status: response.statusCode, headers: flatHeaders(response.headers), body: Buffer.concat(kept), bodyBytes } };
      } catch (error) {
        return { error: abort.aborted ? `no answer within ${String(options.deadlineMs)} ms` : describeError(error) };
      }
    },
    async close() {
      await Promise.all([pools.gateway.destroy(), pools.gpu.destroy()]);
    },
  };
}

function decoded(body: Readable, encoding: string | string[] | undefined): Readable {
  switch (typeof encoding === 'string' ? encoding.trim().toLowerCase() : '') {
    case 'gzip':
      return body.pipe(createGunzip());
    case 'deflate':
      return body.pipe(createInflate());
    case 'br':
      return body.pipe(createBrotliDecompress());
    default:
      return body;
  }
}

function bodyOf(request: BadRequest): Buffer | Readable | null {
  const body = request.body;
  if (body === undefined) return null;
  const bytes = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  if (request.chunked !== true) return bytes;
  return Readable.from(
    (function* chunks() {
      for (let at = 0; at < bytes.length; at += 64 * 1024) yield bytes.subarray(at, at + 64 * 1024);
    })(),
  );
}

/** The path and query as a server's URL parser sees them, which is what a signature covers. */
function canonicalPathAndQuery(path: string): string {
  const url = new URL(path, 'http://127.0.0.1');
  return `${url.pathname}${url.search}`;
}

function flatHeaders(headers: Readonly<Record<string, string | string[] | undefined>>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  return flat;
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as Error & { code?: unknown }).code;
  return `${typeof code === 'string' ? `${code}: ` : ''}${error.message}`;
}

export interface TrickleOptions {
  readonly port: number;
  /** The request line and headers, without the blank line; Content-Length is added. */
  readonly head: string;
  readonly body: Uint8Array;
  /** Bytes per write and the pause between writes. */
  readonly chunkBytes: number;
  readonly intervalMs: number;
  /** Gives up (an outcome of its own) this long after the first byte. */
  readonly deadlineMs: number;
}

/**
 * Sends one request over a bare socket with its body trickled a few bytes at a time (slow-loris), and reads the
 * answer's status line, headers and body (`Connection: close`, so the body ends with the connection).
 */
export function trickle(options: TrickleOptions): Promise<Outcome> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port: options.port });
    const received: Buffer[] = [];
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const finish = (outcome: Outcome): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(deadline);
      socket.destroy();
      resolve(outcome);
    };
    const deadline = setTimeout(() => {
      finish({ error: `no answer within ${String(options.deadlineMs)} ms` });
    }, options.deadlineMs);
    const writeNext = (): void => {
      if (sent >= options.body.length || socket.destroyed) return;
      const chunk = options.body.subarray(sent, sent + options.chunkBytes);
      sent += chunk.length;
      socket.write(chunk);
      timer = setTimeout(writeNext, options.intervalMs);
    };
    socket.on('connect', () => {
      socket.write(`${options.head}\r\nContent-Length: ${String(options.body.length)}\r\nConnection: close\r\n\r\n`);
      writeNext();
    });
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    socket.on('error', (error) => {
      // A server may answer and close before the whole body was written; what it answered still counts.
      const parsed = parseRawAnswer(Buffer.concat(received));
      finish(parsed === null ? { error: describeError(error) } : { answer: parsed });
    });
    socket.on('end', () => {
      const parsed = parseRawAnswer(Buffer.concat(received));
      finish(parsed === null ? { error: 'the connection closed without an answer' } : { answer: parsed });
    });
  });
}

/** Status, headers and body of an HTTP/1.1 answer read to the connection's end (chunked bodies are de-chunked). */
export function parseRawAnswer(raw: Buffer): Answer | null {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) return null;
  const [statusLine = '', ...lines] = raw.subarray(0, split).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
  if (status === null) return null;
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  let body = raw.subarray(split + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') body = dechunk(body);
  return { status: Number(status[1]), headers, body: body.subarray(0, MAX_KEPT_BODY), bodyBytes: body.length };
}

function dechunk(data: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < data.length) {
    const lineEnd = data.indexOf('\r\n', at);
    if (lineEnd < 0) break;
    const size = Number.parseInt(data.subarray(at, lineEnd).toString('latin1'), 16);
    if (!Number.isFinite(size) || size === 0) break;
    parts.push(data.subarray(lineEnd + 2, lineEnd + 2 + size));
    at = lineEnd + 2 + size + 2;
  }
  return Buffer.concat(parts);
}
