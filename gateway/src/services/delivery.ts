/**
 * Relays a synthesized answer to the client and reports, as soon as it is known, what the client got: everything
 * (`completed`), an answer it left early (`client_aborted`, known the moment it leaves, whether or not the synthesis
 * goes on), or a broken one (`failed`: the origin failed). Each chunk also goes to the phrase writer, so the phrase
 * is cached without ever being held whole.
 *
 * When the client leaves and the phrase is being cached, the rest of the answer is still read from the origin and
 * written (a retry then becomes a cache hit); otherwise the origin's answer is cancelled at once, which stops the
 * GPU job.
 * @module
 */
import type { PhraseWriter } from './phrase-writer.ts';

export type DeliveryOutcome = 'completed' | 'client_aborted' | 'failed';

export interface Delivery {
  readonly outcome: DeliveryOutcome;
  /** Bytes relayed to the client. */
  readonly bytes: number;
}

export interface TrackedBody {
  readonly body: ReadableStream<Uint8Array>;
  /** Settles as soon as the client's fate is known. */
  readonly delivered: Promise<Delivery>;
  /** Settles once the origin's answer is finished with (read to its end and cached, failed, or cancelled). */
  readonly drained: Promise<void>;
}

/** Wraps `source`, pulling a chunk only when the client asks for one (no read-ahead, no buffering). */
export function trackDelivery(source: ReadableStream<Uint8Array>, writer: PhraseWriter | null): TrackedBody {
  const reader = source.getReader();
  let bytes = 0;
  let reportDelivery: (delivery: Delivery) => void = () => undefined;
  let reportDrained: () => void = () => undefined;
  const delivered = new Promise<Delivery>((resolve) => {
    reportDelivery = resolve;
  });
  const drained = new Promise<void>((resolve) => {
    reportDrained = resolve;
  });
  const end = async (outcome: DeliveryOutcome) => {
    reportDelivery({ outcome, bytes });
    if (outcome === 'completed') await writer?.finish();
    else await writer?.abandon();
    reportDrained();
  };

  // A pull may still be reading when the client cancels: the drain starts after it, so no chunk is lost or reordered.
  let cancelled = false;
  let inFlight: Promise<void> = Promise.resolve();
  const pullOnce = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    let chunk: ReadableStreamReadResult<Uint8Array>;
    try {
      chunk = await reader.read();
    } catch (error) {
      if (!cancelled) controller.error(error);
      await end('failed');
      return;
    }
    if (chunk.done) {
      if (!cancelled) controller.close();
      await end('completed');
      return;
    }
    if (!cancelled) {
      bytes += chunk.value.byteLength;
      controller.enqueue(chunk.value);
    }
    await writer?.write(chunk.value);
  };

  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        inFlight = pullOnce(controller);
        return inFlight;
      },
      cancel() {
        cancelled = true;
        reportDelivery({ outcome: 'client_aborted', bytes });
        // Not awaited: the client is gone, and the drain runs on under the request's waitUntil.
        void inFlight.then(() => drainForCache(reader, writer)).finally(reportDrained);
      },
    },
    { highWaterMark: 0 },
  );
  return { body, delivered, drained };
}

/** Reads the rest of an answer into the phrase writer, or cancels it when there is nothing to cache it into. */
async function drainForCache(reader: ReadableStreamDefaultReader<Uint8Array>, writer: PhraseWriter | null): Promise<void> {
  try {
    for (;;) {
      if (writer === null || !writer.active) {
        await reader.cancel('the client left and the phrase is not being cached');
        return;
      }
      const chunk = await reader.read();
      if (chunk.done) {
        await writer.finish();
        return;
      }
      await writer.write(chunk.value);
    }
  } catch {
    await writer?.abandon();
  }
}
