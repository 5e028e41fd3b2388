/**
 * `flac`: 16-bit FLAC from libFLAC (BSD-3-Clause) in wasm, via `libflacjs` (MIT), compression level 5 (libFLAC's
 * default). Each 4096-sample block leaves as soon as libFLAC has encoded it.
 *
 * A streamed FLAC cannot go back to fill in STREAMINFO, so it carries 0 total samples and no MD5 (decoders then read
 * to the end, as they do for a pipe); `finalHeader()` has the completed STREAMINFO for a buffered response.
 * @module
 */
import { createRequire } from 'node:module';
import type libflacFactory from 'libflacjs';
import { floatToPcm16 } from '../pcm.ts';
import { BaseEncoder, concatBytes, loadOnce, withoutFetch } from './encoder.ts';

type Flac = libflacFactory.Flac;

const COMPRESSION_LEVEL = 5;
const BITS_PER_SAMPLE = 16;
/** "fLaC", the STREAMINFO block header and its 34 bytes: libFLAC always writes STREAMINFO first. */
const STREAMINFO_END = 4 + 4 + 34;
const LOAD_TIMEOUT_MS = 30_000;

const loadLibflac = loadOnce(async () => {
  const require = createRequire(import.meta.url);
  const factory = require('libflacjs') as typeof libflacFactory;
  const flac = withoutFetch(() => factory('wasm'));
  if (!flac.isReady()) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('libFLAC (libflacjs) did not finish loading'));
      }, LOAD_TIMEOUT_MS);
      flac.on('ready', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
  return flac;
});

export async function createFlacEncoder(sampleRate: number): Promise<FlacEncoder> {
  const flac = await loadLibflac();
  // No verification: it decodes every block again, doubling the cost, to catch libFLAC bugs.
  const encoder = flac.create_libflac_encoder(sampleRate, 1, BITS_PER_SAMPLE, COMPRESSION_LEVEL, 0, false);
  if (encoder === 0) throw new Error(`libFLAC could not create an encoder for ${sampleRate} Hz`);
  return new FlacEncoder(flac, encoder, sampleRate);
}

interface FinalStreamInfo {
  readonly minFrameSize: number;
  readonly maxFrameSize: number;
  readonly totalSamples: number;
  readonly md5: string;
}

export class FlacEncoder extends BaseEncoder {
  readonly format = 'flac';
  readonly contentType = 'audio/flac';
  readonly outputSampleRate: number;
  readonly #flac: Flac;
  readonly #encoder: number;
  #written: Uint8Array[] = [];
  readonly #streamInfo: Uint8Array;
  #final: FinalStreamInfo | undefined;

  constructor(flac: Flac, encoder: number, sampleRate: number) {
    super();
    this.#flac = flac;
    this.#encoder = encoder;
    this.outputSampleRate = sampleRate;
    const status = flac.init_encoder_stream(
      encoder,
      (data) => {
        this.#written.push(data);
      },
      (metadata) => {
        // libFLAC reports the finished STREAMINFO once, from FLAC__stream_encoder_finish.
        if (metadata) {
          this.#final = {
            minFrameSize: metadata.min_framesize,
            maxFrameSize: metadata.max_framesize,
            totalSamples: metadata.total_samples,
            md5: metadata.md5sum,
          };
        }
      },
    );
    if (status !== 0) {
      flac.FLAC__stream_encoder_delete(encoder);
      throw new Error(`libFLAC could not start encoding (init status ${status})`);
    }
    // The stream header is written during init; it goes out with the first chunk.
    const header = concatBytes(this.#written);
    this.#streamInfo = header.slice(0, STREAMINFO_END);
  }

  protected encode(samples: Float32Array): Uint8Array {
    if (samples.length > 0) {
      const pcm = Int32Array.from(floatToPcm16(samples));
      if (!this.#flac.FLAC__stream_encoder_process_interleaved(this.#encoder, pcm, pcm.length)) {
        throw new Error(`libFLAC failed to encode (state ${this.#flac.FLAC__stream_encoder_get_state(this.#encoder)})`);
      }
    }
    return this.#drain();
  }

  protected flush(): Uint8Array {
    if (!this.#flac.FLAC__stream_encoder_finish(this.#encoder)) {
      throw new Error(`libFLAC failed to finish (state ${this.#flac.FLAC__stream_encoder_get_state(this.#encoder)})`);
    }
    return this.#drain();
  }

  protected override release(): void {
    this.#flac.FLAC__stream_encoder_delete(this.#encoder);
  }

  protected override header(): Uint8Array | undefined {
    const final = this.#final;
    if (!final) return undefined;
    const patched = this.#streamInfo.slice();
    const data = 8; // STREAMINFO's body starts after "fLaC" and the 4-byte block header
    writeUint24(patched, data + 4, final.minFrameSize);
    writeUint24(patched, data + 7, final.maxFrameSize);
    // Total samples: the low 4 bits of byte 13 and bytes 14-17 (36 bits, big-endian).
    const high = Math.floor(final.totalSamples / 2 ** 32);
    patched[data + 13] = ((patched[data + 13] ?? 0) & 0xf0) | (high & 0x0f);
    new DataView(patched.buffer).setUint32(data + 14, final.totalSamples % 2 ** 32);
    if (/^[0-9a-f]{32}$/i.test(final.md5)) patched.set(Buffer.from(final.md5, 'hex'), data + 18);
    return patched;
  }

  #drain(): Uint8Array {
    const bytes = concatBytes(this.#written);
    this.#written = [];
    return bytes;
  }
}

function writeUint24(bytes: Uint8Array, offset: number, value: number): void {
  bytes[offset] = (value >>> 16) & 0xff;
  bytes[offset + 1] = (value >>> 8) & 0xff;
  bytes[offset + 2] = value & 0xff;
}
