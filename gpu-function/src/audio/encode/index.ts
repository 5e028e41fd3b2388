/**
 * Streaming encoders for every OpenAI `response_format`: one module per format, all behind `AudioEncoder`.
 *
 * | format | codec (package, licence)                                            | container          |
 * |--------|---------------------------------------------------------------------|--------------------|
 * | mp3    | LAME (wasm-media-encoders, MIT; LAME LGPL-2.0)                      | MPEG audio frames  |
 * | opus   | libopus 1.3.1 (opus-encdec, MIT; libopus BSD-3-Clause)              | Ogg, ./ogg.ts      |
 * | aac    | FFmpeg AAC-LC (@mediabunny/aac-encoder, MPL-2.0; FFmpeg LGPL-2.1+)  | ADTS, ./aac.ts     |
 * | flac   | libFLAC (libflacjs, MIT; libFLAC BSD-3-Clause)                      | native FLAC        |
 * | wav    | none: 16-bit PCM (../pcm.ts)                                        | RIFF, ../wav.ts    |
 * | pcm    | none: 16-bit little-endian PCM                                      | none               |
 *
 * Each codec's wasm is loaded once per process, on first use; creating an encoder afterwards costs a few
 * milliseconds at most (Opus at a rate it does not take directly also creates a resampler, ~10 ms).
 * @module
 */
import type { AudioFormat } from '@gsv-edge/shared';
import { createAacEncoder } from './aac.ts';
import { type AudioEncoder, concatBytes, type EncoderOptions, UnsupportedEncodingError } from './encoder.ts';
import { createFlacEncoder } from './flac.ts';
import { createMp3Encoder } from './mp3.ts';
import { createOpusEncoder } from './opus.ts';
import { PcmEncoder } from './pcm.ts';
import { WavEncoder } from './wav.ts';

export { type AudioEncoder, concatBytes, type EncoderOptions, UnsupportedEncodingError } from './encoder.ts';

export const CONTENT_TYPES: Readonly<Record<AudioFormat, string>> = {
  mp3: 'audio/mpeg',
  opus: 'audio/ogg; codecs=opus',
  aac: 'audio/aac',
  flac: 'audio/flac',
  wav: 'audio/wav',
  pcm: 'audio/pcm',
};

/**
 * Creates an encoder for one response. Throws `UnsupportedEncodingError` for a sample rate the format cannot carry
 * (mp3 and aac take the usual rates from 8 to 48 kHz; the others take any rate).
 */
export async function createEncoder(
  format: AudioFormat,
  sampleRate: number,
  options: EncoderOptions = {},
): Promise<AudioEncoder> {
  if (!Number.isInteger(sampleRate) || sampleRate <= 0) throw new RangeError(`invalid sample rate ${sampleRate}`);
  switch (format) {
    case 'mp3':
      return createMp3Encoder(sampleRate, options);
    case 'opus':
      return createOpusEncoder(sampleRate, options);
    case 'aac':
      return createAacEncoder(sampleRate, options);
    case 'flac':
      return createFlacEncoder(sampleRate);
    case 'wav':
      return new WavEncoder(sampleRate);
    case 'pcm':
      return new PcmEncoder(sampleRate);
    default:
      // Unreachable for typed callers; a value that slipped past validation still gets the error the server maps.
      throw new UnsupportedEncodingError(`unknown audio format ${JSON.stringify(format)}`);
  }
}

/**
 * Encodes a whole signal at once, for buffered (non-streamed) responses: the output carries its real length
 * wherever the format has a field for it (WAV sizes, FLAC STREAMINFO).
 */
export async function encodeAudio(
  format: AudioFormat,
  sampleRate: number,
  samples: Float32Array,
  options: EncoderOptions = {},
): Promise<Uint8Array> {
  const encoder = await createEncoder(format, sampleRate, options);
  let file: Uint8Array;
  try {
    file = concatBytes([encoder.push(samples), encoder.end()]);
  } finally {
    encoder.close();
  }
  const header = encoder.finalHeader();
  if (header) {
    // concatBytes may return one of the encoder's own arrays; copy before writing into it.
    file = file.slice();
    file.set(header, 0);
  }
  return file;
}
