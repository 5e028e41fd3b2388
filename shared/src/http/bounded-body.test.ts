import { describe, expect, it } from 'vitest';
import { boundedBody } from './bounded-body.ts';

const LIMIT = 1000;
const BOUNDS = { maxBytes: LIMIT, drainBytes: 5000, drainMs: 2000 };

/** A streamed body of `total` bytes in 100-byte pieces, counting what was read and whether it was cancelled. */
function streamed(total: number): { stream: ReadableStream<Uint8Array>; read: () => number; cancelled: () => boolean } {
  let sent = 0;
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= total) {
        controller.close();
        return;
      }
      const piece = Math.min(100, total - sent);
      sent += piece;
      controller.enqueue(new Uint8Array(piece).fill(0x61));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, read: () => sent, cancelled: () => cancelled };
}

function post(body: ReadableStream<Uint8Array> | Uint8Array, headers: Record<string, string> = {}): Request {
  return new Request('https://example.test/upload', { method: 'POST', body, headers, duplex: 'half' } as RequestInit);
}

describe('boundedBody', () => {
  it('hands on a body within the limit whole', async () => {
    const body = streamed(LIMIT);
    const request = await boundedBody(post(body.stream), BOUNDS);
    expect((await request.arrayBuffer()).byteLength).toBe(LIMIT);
  });

  it('leaves a body whose Content-Length is within the limit to the runtime, unread', async () => {
    const original = post(new Uint8Array(10), { 'content-length': '10' });
    expect(await boundedBody(original, BOUNDS)).toBe(original);
  });

  it('refuses a body past the limit with 413 only after reading the rest, so the client can read the refusal', async () => {
    const body = streamed(LIMIT + 3000);
    await expect(boundedBody(post(body.stream), BOUNDS)).rejects.toMatchObject({ code: 'payload_too_large', status: 413 });
    expect(body.read()).toBe(LIMIT + 3000);
    expect(body.cancelled()).toBe(false);
  });

  it('gives up on a body far past the limit: reads no more than the drain bound and cancels it', async () => {
    const body = streamed(1_000_000);
    await expect(boundedBody(post(body.stream), BOUNDS)).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(body.read()).toBeLessThanOrEqual(LIMIT + 5000 + 200);
    expect(body.cancelled()).toBe(true);
  });

  it('stops waiting for a client that stalls past the limit', async () => {
    let cancelled = false;
    const stalling = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array(LIMIT + 1));
      },
      cancel() {
        cancelled = true;
      },
    });
    const started = Date.now();
    await expect(boundedBody(post(stalling), { ...BOUNDS, drainMs: 50 })).rejects.toMatchObject({ code: 'payload_too_large' });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(cancelled).toBe(true);
  });
});
