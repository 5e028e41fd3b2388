/**
 * Follows a streamed answer to its end, so that metering and the phrase cache act on what actually happened:
 * the client received everything (`completed`), the client left early (`client_aborted`), or the origin failed
 * (`failed`). When the client leaves, the rest is still read from the origin, so the audio the GPU made is cached
 * and a retry becomes a cache hit.
 * @module
 */

export type DeliveryOutcome = 'completed' | 'client_aborted' | 'failed';

export interface Delivery {
  readonly outcome: DeliveryOutcome;
  readonly bytes: number;
  /** Every byte, when the origin finished and the total stayed within the collection limit; else `null`. */
  readonly audio: Uint8Array | null;
}

export interface TrackedBody {
  readonly body: ReadableStream<Uint8Array>;
  readonly finished: Promise<Delivery>;
}

/** Wraps `source`, pulling a chunk only when the client asks for one (no read-ahead, no buffering). */
export function trackDelivery(source: ReadableStream<Uint8Array>, collectLimit: number): TrackedBody {
  const reader = source.getReader();
  let chunks: Uint8Array[] | null = [];
  let bytes = 0;
  let settle: (delivery: Delivery) => void = () => undefined;
  const finished = new Promise<Delivery>((resolve) => {
    settle = resolve;
  });
  const keep = (chunk: Uint8Array) => {
    bytes += chunk.byteLength;
    if (chunks !== null && bytes <= collectLimit) chunks.push(chunk);
    else chunks = null;
  };
  const finish = (outcome: DeliveryOutcome) => {
    const audio = outcome !== 'failed' && chunks !== null ? concat(chunks, bytes) : null;
    settle({ outcome, bytes, audio });
  };

  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const chunk = await reader.read();
          if (chunk.done) {
            controller.close();
            finish('completed');
            return;
          }
          keep(chunk.value);
          controller.enqueue(chunk.value);
        } catch (error) {
          controller.error(error);
          finish('failed');
        }
      },
      cancel() {
        // Not awaited: the client is gone, and the drain runs on under the request's waitUntil.
        void (async () => {
          try {
            for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) keep(chunk.value);
            finish('client_aborted');
          } catch {
            finish('failed');
          }
        })();
      },
    },
    { highWaterMark: 0 },
  );
  return { body, finished };
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
