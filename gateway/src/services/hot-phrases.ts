/**
 * This isolate's copies of small phrases it has recently served or stored, least recently used first out, within a
 * byte budget. A phrase id names one immutable piece of audio (the synthesis key, scoped to who may share it), so a
 * copy can never be stale. What it buys: a repeated phrase is known to be a hit before admission, with no I/O, so
 * the request is admitted and billed in one Durable Object call (`KeyAccount.admitHit`) and answered from
 * memory, instead of a Durable Object call overlapped with a Cache API read, then a second call to settle it.
 *
 * Costs nothing per use, so it may be consulted before admission (docs/contract.md, "Admission"). Only whole answers
 * come from here; a Range request still goes to the Cache API or R2.
 * @module
 */
import type { PhraseMeta } from './phrase-cache.ts';

export interface HotPhrase {
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly meta: PhraseMeta;
}

export class HotPhrases {
  readonly capacityBytes: number;
  readonly maxEntryBytes: number;
  /** Map order is use order: the first entry is the least recently used. */
  readonly #entries = new Map<string, HotPhrase>();
  #bytes = 0;

  constructor(capacityBytes: number, maxEntryBytes: number) {
    this.capacityBytes = capacityBytes;
    this.maxEntryBytes = maxEntryBytes;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.#bytes;
  }

  get(phraseId: string): HotPhrase | undefined {
    const entry = this.#entries.get(phraseId);
    if (entry === undefined) return undefined;
    this.#entries.delete(phraseId);
    this.#entries.set(phraseId, entry);
    return entry;
  }

  /** Whether a phrase of `size` bytes would be kept. */
  accepts(size: number): boolean {
    return size > 0 && size <= this.maxEntryBytes && size <= this.capacityBytes;
  }

  /** Keeps a copy of `bytes` (the caller's array may be reused), evicting the least recently used as needed. */
  put(phraseId: string, bytes: Uint8Array, meta: PhraseMeta): void {
    if (!this.accepts(bytes.byteLength)) return;
    this.delete(phraseId);
    while (this.#bytes + bytes.byteLength > this.capacityBytes) {
      const oldest = this.#entries.keys().next();
      if (oldest.done === true) break;
      this.delete(oldest.value);
    }
    this.#entries.set(phraseId, { bytes: bytes.slice(), meta });
    this.#bytes += bytes.byteLength;
  }

  delete(phraseId: string): void {
    const entry = this.#entries.get(phraseId);
    if (entry === undefined) return;
    this.#entries.delete(phraseId);
    this.#bytes -= entry.bytes.byteLength;
  }
}

/**
 * The isolate's phrases: 8 MiB, at most 512 KiB each (about 8 s of 32 kHz WAV). Beside the phrase writers' 30 MiB
 * budget (phrase-writer.ts), within an isolate's 128 MB.
 */
export const ISOLATE_HOT_PHRASES = new HotPhrases(8 * 1024 * 1024, 512 * 1024);

/** A stream of one copy of `bytes` (for answers that must be streams, such as SSE events). */
export function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      // A copy: whoever reads the answer may keep or transfer the chunk.
      controller.enqueue(bytes.slice());
      controller.close();
    },
  });
}

/** Reads `body` to its end into one array, or gives up (`null`) past `maxBytes`. Never throws. */
export async function readUpTo(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array | null> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  try {
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) break;
      total += chunk.value.byteLength;
      if (total > maxBytes) {
        await reader.cancel('larger than a hot phrase');
        return null;
      }
      chunks.push(chunk.value);
    }
  } catch {
    return null;
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
