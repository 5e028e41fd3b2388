/**
 * The contract every response encoder meets, and the life cycle they share. Encoders are synchronous once created:
 * the server pushes each synthesized chunk and writes whatever comes back straight to the response, so a codec's
 * bytes reach the client as soon as the codec has produced them.
 * @module
 */
import type { AudioFormat } from '@gsv-edge/shared';

export interface AudioEncoder {
  readonly format: AudioFormat;
  /** The response's Content-Type. */
  readonly contentType: string;
  /** The sample rate a decoder will report: the input rate, except for Opus, which always decodes at 48 kHz. */
  readonly outputSampleRate: number;
  /** Encodes the next chunk of mono float samples in [-1, 1]; returns the bytes ready now (possibly none). */
  push(samples: Float32Array): Uint8Array;
  /** Flushes the codec and returns the last bytes. The encoder is closed afterwards. */
  end(): Uint8Array;
  /**
   * After `end()`: bytes to write over the start of the output when it was buffered rather than streamed, so that a
   * seekable file carries the lengths that were unknown while streaming (the WAV sizes, FLAC's STREAMINFO). Undefined
   * when the streamed bytes are already final. Throws before `end()`.
   */
  finalHeader(): Uint8Array | undefined;
  /**
   * Frees the codec's memory without finishing, e.g. when the client went away. Idempotent; `end()` calls it.
   * Codecs share one wasm instance per process, so an encoder that is dropped without `close()` leaks its state there.
   */
  close(): void;
}

export interface EncoderOptions {
  /** Bit rate in bits per second for mp3, opus and aac (snapped to what the codec allows); ignored by the others. */
  readonly bitrate?: number;
  /** Ogg stream serial number (opus). Random by default, as RFC 3533 asks; fixed only to make output reproducible. */
  readonly oggSerialNumber?: number;
}

/** A format or sample rate that no encoder here can produce. The server maps it to a 400 naming `response_format`. */
export class UnsupportedEncodingError extends Error {
  override readonly name = 'UnsupportedEncodingError';
}

export const NO_BYTES: Uint8Array = new Uint8Array(0);

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 0) return NO_BYTES;
  if (parts.length === 1) return parts[0] as Uint8Array;
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * The push/end/close state machine, so that each format module only encodes. Misuse (a push after end) throws rather
 * than writing into a freed codec.
 */
export abstract class BaseEncoder implements AudioEncoder {
  abstract readonly format: AudioFormat;
  abstract readonly contentType: string;
  abstract readonly outputSampleRate: number;
  #state: 'open' | 'ended' | 'closed' = 'open';

  push(samples: Float32Array): Uint8Array {
    this.#assertOpen('push');
    return this.encode(samples);
  }

  end(): Uint8Array {
    this.#assertOpen('end');
    try {
      return this.flush();
    } finally {
      this.#state = 'ended';
      this.release();
    }
  }

  finalHeader(): Uint8Array | undefined {
    if (this.#state !== 'ended') throw new Error(`the ${this.format} encoder has not ended`);
    return this.header();
  }

  close(): void {
    if (this.#state === 'open') {
      this.#state = 'closed';
      this.release();
    }
  }

  protected abstract encode(samples: Float32Array): Uint8Array;
  protected abstract flush(): Uint8Array;
  /** Frees wasm memory; called exactly once. */
  protected release(): void {}
  protected header(): Uint8Array | undefined {
    return undefined;
  }

  #assertOpen(operation: string): void {
    if (this.#state !== 'open') throw new Error(`cannot ${operation}: the ${this.format} encoder is ${this.#state}`);
  }
}

/**
 * Loads a codec module once per process and shares it. A failed load is not cached, so a transient failure (memory)
 * does not disable the format until restart.
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/**
 * Runs a synchronous emscripten loader with `fetch` hidden. Old emscripten glue (libflacjs, opus-encdec) prefers
 * `fetch` whenever it exists and hands it a file path, which Node's fetch rejects; without it the glue reads the wasm
 * file with `fs`. The glue starts loading inside `require`, so restoring `fetch` right after is enough.
 */
export function withoutFetch<T>(load: () => T): T {
  const saved = Object.getOwnPropertyDescriptor(globalThis, 'fetch');
  Object.defineProperty(globalThis, 'fetch', { value: undefined, configurable: true, writable: true });
  try {
    return load();
  } finally {
    if (saved) Object.defineProperty(globalThis, 'fetch', saved);
    else Reflect.deleteProperty(globalThis, 'fetch');
  }
}
