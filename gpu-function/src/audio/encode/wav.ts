/**
 * `wav`: 16-bit PCM WAV, streamed. The header goes out with the first chunk, before the length is known, so it
 * carries ../wav.ts's streaming sizes (0xFFFFFFFF, "read to the end", which ffmpeg and browsers accept);
 * `finalHeader()` has the real sizes for a buffered response. No codec package: the header is ../wav.ts's.
 * @module
 */
import { floatToPcm16, pcm16Bytes } from '../pcm.ts';
import { STREAMING_DATA_SIZE, wavHeader } from '../wav.ts';
import { BaseEncoder, concatBytes } from './encoder.ts';

export class WavEncoder extends BaseEncoder {
  readonly format = 'wav';
  readonly contentType = 'audio/wav';
  readonly outputSampleRate: number;
  #headerSent = false;
  #dataBytes = 0;

  constructor(sampleRate: number) {
    super();
    this.outputSampleRate = sampleRate;
  }

  protected encode(samples: Float32Array): Uint8Array {
    const data = pcm16Bytes(floatToPcm16(samples));
    this.#dataBytes += data.length;
    if (this.#headerSent) return data;
    this.#headerSent = true;
    return concatBytes([wavHeader(this.outputSampleRate, STREAMING_DATA_SIZE), data]);
  }

  protected flush(): Uint8Array {
    if (this.#headerSent) return new Uint8Array(0);
    // Nothing was streamed yet, so the one header can carry the real (empty) size.
    this.#headerSent = true;
    return wavHeader(this.outputSampleRate, 0);
  }

  protected override header(): Uint8Array {
    return wavHeader(this.outputSampleRate, this.#dataBytes);
  }
}
