/**
 * `aac`: AAC-LC in ADTS frames, from FFmpeg's native AAC encoder (libavcodec, LGPL-2.1-or-later) compiled to wasm,
 * as shipped in `@mediabunny/aac-encoder` (MPL-2.0 wrapper). The ADTS headers are written here.
 *
 * The package's public API is a Mediabunny plug-in that runs the codec in a worker thread, which would make every
 * push asynchronous. Its wasm module is also shipped as a standalone emscripten factory
 * (`dist/modules/build/aac.js`, outside the package's `exports`), which this module loads directly and calls
 * synchronously through the C bridge the package compiles in (init_encoder, send_frame, receive_packet, ...). That
 * file is CommonJS text that also reads `import.meta.url`, so neither loader takes it as it is: it is evaluated as an
 * ES module from a data: URL with an `exports` object around it. The package is pinned to an exact version for that
 * reason, and the tests exercise the whole path.
 *
 * ADTS carries no encoder-delay field, so decoders play FFmpeg's 1024 priming samples unless they drop them
 * themselves (FFmpeg does not; FAAD2 does), and the last frame's padding. FAAD2 also decodes AAC-LC at 24 kHz or
 * less at twice the rate, since ADTS cannot rule out implicit SBR; FFmpeg and browsers report the real rate.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { BaseEncoder, concatBytes, type EncoderOptions, loadOnce, UnsupportedEncodingError } from './encoder.ts';

export const AAC_DEFAULT_BITRATE = 96_000;

/** The emscripten module's exports used here (the package's src/bridge.c). */
interface AacWasm {
  readonly HEAPU8: Uint8Array;
  _init_encoder(channels: number, sampleRate: number, bitrate: number): number;
  _get_encoder_frame_size(context: number): number;
  _get_encoder_extradata(context: number): number;
  _get_encoder_extradata_size(context: number): number;
  _get_encode_input_ptr(context: number, bytes: number): number;
  _send_frame(context: number, pts: bigint): number;
  _receive_packet(context: number): number;
  _flush_encoder_start(context: number): void;
  _get_encoded_data(context: number): number;
  _close_encoder(context: number): void;
}

/** The sampling_frequency_index table of ISO/IEC 14496-3; ADTS can only name these rates. */
const ADTS_RATES: readonly number[] = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
const AAC_LC = 2;
const ADTS_HEADER_BYTES = 7;

const loadAac = loadOnce(async () => {
  const entry = createRequire(import.meta.url).resolve('@mediabunny/aac-encoder');
  const source = await readFile(new URL('../modules/build/aac.js', pathToFileURL(entry)), 'utf8');
  const wrapped = `const exports = {};\n${source}\nexport default exports.default;`;
  const loaded = (await import(`data:text/javascript;base64,${Buffer.from(wrapped).toString('base64')}`)) as {
    default: () => Promise<AacWasm>;
  };
  return loaded.default();
});

export async function createAacEncoder(sampleRate: number, options: EncoderOptions = {}): Promise<AacEncoder> {
  const rateIndex = ADTS_RATES.indexOf(sampleRate);
  if (rateIndex < 0) throw new UnsupportedEncodingError(`aac cannot be encoded at ${sampleRate} Hz`);
  const wasm = await loadAac();
  const context = wasm._init_encoder(1, sampleRate, Math.round(options.bitrate ?? AAC_DEFAULT_BITRATE));
  if (context === 0) throw new Error(`the AAC encoder could not be opened at ${sampleRate} Hz`);
  // The AudioSpecificConfig confirms what the ADTS headers will claim: AAC-LC, this rate, one channel.
  const configPointer = wasm._get_encoder_extradata(context);
  const config = wasm.HEAPU8.slice(configPointer, configPointer + wasm._get_encoder_extradata_size(context));
  const objectType = (config[0] ?? 0) >> 3;
  if (objectType !== AAC_LC) {
    wasm._close_encoder(context);
    throw new Error(`the AAC encoder produced object type ${objectType}, not AAC-LC`);
  }
  return new AacEncoder(wasm, context, sampleRate, rateIndex);
}

export class AacEncoder extends BaseEncoder {
  readonly format = 'aac';
  readonly contentType = 'audio/aac';
  readonly outputSampleRate: number;
  readonly #wasm: AacWasm;
  readonly #context: number;
  readonly #rateIndex: number;
  readonly #frame: Float32Array;
  #filled = 0;
  #pts = 0n;

  constructor(wasm: AacWasm, context: number, sampleRate: number, rateIndex: number) {
    super();
    this.#wasm = wasm;
    this.#context = context;
    this.outputSampleRate = sampleRate;
    this.#rateIndex = rateIndex;
    this.#frame = new Float32Array(wasm._get_encoder_frame_size(context));
  }

  protected encode(samples: Float32Array): Uint8Array {
    const frames: Uint8Array[] = [];
    let offset = 0;
    while (offset < samples.length) {
      const take = Math.min(this.#frame.length - this.#filled, samples.length - offset);
      this.#frame.set(samples.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
      if (this.#filled === this.#frame.length) this.#sendFrame(frames);
    }
    return concatBytes(frames);
  }

  protected flush(): Uint8Array {
    const frames: Uint8Array[] = [];
    // The encoder only takes whole frames, so the last one is padded with silence. An empty input also gets one
    // silent frame, as LAME does for mp3: zero ADTS frames would be a zero-byte body that no player accepts.
    if (this.#filled > 0 || this.#pts === 0n) {
      this.#frame.fill(0, this.#filled);
      this.#sendFrame(frames);
    }
    this.#wasm._flush_encoder_start(this.#context);
    this.#receive(frames);
    return concatBytes(frames);
  }

  protected override release(): void {
    this.#wasm._close_encoder(this.#context);
  }

  #sendFrame(frames: Uint8Array[]): void {
    const wasm = this.#wasm;
    const input = wasm._get_encode_input_ptr(this.#context, this.#frame.byteLength);
    if (input === 0) throw new Error('the AAC encoder could not allocate its input buffer');
    wasm.HEAPU8.set(new Uint8Array(this.#frame.buffer), input);
    const status = wasm._send_frame(this.#context, this.#pts);
    if (status < 0) throw new Error(`the AAC encoder rejected a frame (${status})`);
    this.#pts += BigInt(this.#frame.length);
    this.#filled = 0;
    this.#receive(frames);
  }

  #receive(frames: Uint8Array[]): void {
    const wasm = this.#wasm;
    for (;;) {
      const size = wasm._receive_packet(this.#context);
      if (size === 0) return;
      if (size < 0) throw new Error(`the AAC encoder failed (${size})`);
      const data = wasm._get_encoded_data(this.#context);
      frames.push(this.#adts(wasm.HEAPU8.subarray(data, data + size)));
    }
  }

  /** A 7-byte ADTS header (MPEG-4, no CRC, AAC-LC, mono) in front of one raw AAC frame. */
  #adts(payload: Uint8Array): Uint8Array {
    const length = ADTS_HEADER_BYTES + payload.length;
    const frame = new Uint8Array(length);
    frame[0] = 0xff; // syncword 0xFFF ...
    frame[1] = 0xf1; // ... MPEG-4, layer 0, protection absent
    frame[2] = ((AAC_LC - 1) << 6) | (this.#rateIndex << 2); // profile, sampling frequency index, channel config (high bit 0)
    frame[3] = (1 << 6) | ((length >> 11) & 0x03); // channel config 1, frame length bits 12-11
    frame[4] = (length >> 3) & 0xff; // frame length bits 10-3
    frame[5] = ((length & 0x07) << 5) | 0x1f; // frame length bits 2-0, buffer fullness 0x7FF (VBR) ...
    frame[6] = 0xfc; // ... and one raw data block
    frame.set(payload, ADTS_HEADER_BYTES);
    return frame;
  }
}
