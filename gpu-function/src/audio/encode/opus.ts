/**
 * `opus`: Ogg Opus (RFC 7845). The codec is libopus 1.3.1 (BSD-3-Clause) compiled to wasm, taken from the
 * `opus-encdec` package (MIT) as its bare library module (`dist/libopus-encoder.wasm.min.js`); the package's own Ogg
 * writer is not used, because it hard-codes a pre-skip of 3840 samples, which shifts the audio by ~70 ms. The Ogg
 * pages come from ./ogg.ts instead, with the pre-skip that libopus reports (OPUS_GET_LOOKAHEAD: 312 at 48 kHz).
 *
 * `opusscript` was rejected: its wrapper copies 16-bit input into `HEAPU16.subarray(pointer, ...)`, i.e. at twice
 * the address it allocated, so concurrent encoders in one wasm instance can overwrite each other's memory.
 *
 * Opus takes 8, 12, 16, 24 or 48 kHz; other rates (GPT-SoVITS's 32 kHz) are resampled to 48 kHz first.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { BaseEncoder, concatBytes, type EncoderOptions, loadOnce, NO_BYTES, withoutFetch } from './encoder.ts';
import { OggPageWriter, type OggPacket } from './ogg.ts';
import { StreamingResampler } from './resampler.ts';

export const OPUS_DEFAULT_BITRATE = 64_000;

/** The parts of the emscripten module that are used (libopus's C API plus the heap). */
interface Libopus {
  isReady: boolean;
  onready: (() => void) | null;
  readonly HEAP32: Int32Array;
  readonly HEAPU8: Uint8Array;
  readonly HEAPF32: Float32Array;
  _malloc(bytes: number): number;
  _free(pointer: number): void;
  _opus_encoder_create(sampleRate: number, channels: number, application: number, errorPointer: number): number;
  /** Variadic in C: in wasm the arguments are passed as a pointer to an array of them. */
  _opus_encoder_ctl(encoder: number, request: number, argumentsPointer: number): number;
  _opus_encode_float(encoder: number, pcm: number, frameSize: number, out: number, maxBytes: number): number;
  _opus_encoder_destroy(encoder: number): void;
}

const OPUS_APPLICATION_AUDIO = 2049;
const OPUS_SET_BITRATE_REQUEST = 4002;
const OPUS_GET_LOOKAHEAD_REQUEST = 4027;
const OPUS_RATES: readonly number[] = [8000, 12000, 16000, 24000, 48000];
/** Ogg Opus granule positions always count 48 kHz samples, whatever rate the encoder runs at. */
const GRANULE_RATE = 48000;
const FRAME_MS = 20;
const PACKETS_PER_PAGE = 1000 / FRAME_MS;
/** libopus's recommended output buffer bound for one packet. */
const MAX_PACKET_BYTES = 4000;
const VENDOR = 'libopus 1.3.1 (opus-encdec 0.1.1, gsv-edge)';
const LOAD_TIMEOUT_MS = 30_000;

const loadLibopus = loadOnce(async () => {
  const require = createRequire(import.meta.url);
  const lib = withoutFetch(() => require('opus-encdec/dist/libopus-encoder.wasm.min.js') as unknown) as Libopus;
  if (!lib.isReady) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error('libopus (opus-encdec) did not finish loading'));
      }, LOAD_TIMEOUT_MS);
      lib.onready = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
  return lib;
});

export async function createOpusEncoder(sampleRate: number, options: EncoderOptions = {}): Promise<OpusEncoder> {
  const lib = await loadLibopus();
  const encoderRate = OPUS_RATES.includes(sampleRate) ? sampleRate : GRANULE_RATE;
  const resampler = encoderRate === sampleRate ? undefined : await StreamingResampler.create(sampleRate, encoderRate);
  const frameSize = (encoderRate * FRAME_MS) / 1000;
  // One allocation for the scratch words (error code, ctl arguments and result), the frame and the packet.
  const scratch = lib._malloc(16 + frameSize * 4 + MAX_PACKET_BYTES);
  const encoder = lib._opus_encoder_create(encoderRate, 1, OPUS_APPLICATION_AUDIO, scratch);
  const error = lib.HEAP32[scratch >> 2] ?? -1;
  if (encoder === 0 || error !== 0) {
    lib._free(scratch);
    resampler?.release();
    throw new Error(`opus_encoder_create failed (${error})`);
  }
  const ctl = (request: number, argument: number): void => {
    lib.HEAP32[(scratch + 4) >> 2] = argument;
    const status = lib._opus_encoder_ctl(encoder, request, scratch + 4);
    if (status !== 0) throw new Error(`opus_encoder_ctl(${request}) failed (${status})`);
  };
  const state = { lib, encoder, scratch, encoderRate, inputRate: sampleRate, resampler, lookahead: 0, serial: 0 };
  try {
    ctl(OPUS_SET_BITRATE_REQUEST, Math.round(options.bitrate ?? OPUS_DEFAULT_BITRATE));
    ctl(OPUS_GET_LOOKAHEAD_REQUEST, scratch + 8);
  } catch (ctlError) {
    releaseOpus(state);
    throw ctlError;
  }
  state.lookahead = lib.HEAP32[(scratch + 8) >> 2] ?? 0;
  state.serial = options.oggSerialNumber ?? randomBytes(4).readUInt32LE(0);
  return new OpusEncoder(state);
}

function releaseOpus({ lib, encoder, scratch, resampler }: OpusState): void {
  lib._opus_encoder_destroy(encoder);
  lib._free(scratch);
  resampler?.release();
}

interface OpusState {
  readonly lib: Libopus;
  readonly encoder: number;
  readonly scratch: number;
  readonly encoderRate: number;
  readonly inputRate: number;
  readonly resampler: StreamingResampler | undefined;
  /** In encoder-rate samples. */
  readonly lookahead: number;
  readonly serial: number;
}

export class OpusEncoder extends BaseEncoder {
  readonly format = 'opus';
  readonly contentType = 'audio/ogg; codecs=opus';
  readonly outputSampleRate = GRANULE_RATE;
  /** Samples (48 kHz) the decoder drops at the start: the encoder's lookahead. */
  readonly preSkip: number;
  readonly #state: OpusState;
  readonly #pages: OggPageWriter;
  readonly #frame: Float32Array;
  readonly #granulePerFrame: number;
  #filled = 0;
  #inputSamples = 0;
  #granule = 0;
  #headersSent = false;

  constructor(state: OpusState) {
    super();
    this.#state = state;
    this.#pages = new OggPageWriter(state.serial);
    this.#frame = new Float32Array((state.encoderRate * FRAME_MS) / 1000);
    this.#granulePerFrame = (GRANULE_RATE * FRAME_MS) / 1000;
    this.preSkip = (state.lookahead * GRANULE_RATE) / state.encoderRate;
  }

  // Pages per push, holding every packet the push completed: bytes leave as soon as a 20 ms frame is encoded,
  // without paying Ogg's 28-byte page header on every packet (11 kbit/s at 20 ms frames).
  protected encode(samples: Float32Array): Uint8Array {
    this.#inputSamples += samples.length;
    const pcm = this.#state.resampler ? this.#state.resampler.process(samples) : samples;
    const packets = this.#frames(pcm);
    return concatBytes([this.#headers(), ...this.#paged(packets, false)]);
  }

  protected flush(): Uint8Array {
    const packets = this.#state.resampler ? this.#frames(this.#state.resampler.finish()) : [];
    // The last page's granule position tells the decoder where the audio ends (RFC 7845's end trimming); encoding
    // continues with silence until the packets cover it, lookahead included. An empty input still gets one packet,
    // so the stream has the end-of-stream page a decoder needs.
    const end = this.preSkip + Math.round((this.#inputSamples * GRANULE_RATE) / this.#state.inputRate);
    while (this.#granule < end || packets.length === 0) {
      this.#frame.fill(0, this.#filled);
      this.#filled = this.#frame.length;
      packets.push(this.#encodeFrame());
    }
    const last = packets.length - 1;
    packets[last] = { data: (packets[last] as OggPacket).data, granule: end };
    return concatBytes([this.#headers(), ...this.#paged(packets, true)]);
  }

  /**
   * At most one second of packets per page: a large push (a buffered response) would otherwise make pages of up to
   * 255 packets, which delays a player's first sound (opusinfo warns of "high muxing delay") and coarsens seeking.
   */
  #paged(packets: readonly OggPacket[], last: boolean): Uint8Array[] {
    const pages: Uint8Array[] = [];
    for (let start = 0; start < packets.length; start += PACKETS_PER_PAGE) {
      const group = packets.slice(start, start + PACKETS_PER_PAGE);
      pages.push(this.#pages.pages(group, last && start + PACKETS_PER_PAGE >= packets.length));
    }
    return pages;
  }

  protected override release(): void {
    releaseOpus(this.#state);
  }

  #frames(pcm: Float32Array): OggPacket[] {
    const packets: OggPacket[] = [];
    let offset = 0;
    while (offset < pcm.length) {
      const take = Math.min(this.#frame.length - this.#filled, pcm.length - offset);
      this.#frame.set(pcm.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
      if (this.#filled === this.#frame.length) packets.push(this.#encodeFrame());
    }
    return packets;
  }

  #encodeFrame(): OggPacket {
    const { lib, encoder, scratch } = this.#state;
    const pcmPointer = scratch + 16;
    const packetPointer = pcmPointer + this.#frame.length * 4;
    lib.HEAPF32.set(this.#frame, pcmPointer >> 2);
    const bytes = lib._opus_encode_float(encoder, pcmPointer, this.#frame.length, packetPointer, MAX_PACKET_BYTES);
    if (bytes < 0) throw new Error(`opus_encode_float failed (${bytes})`);
    this.#filled = 0;
    this.#granule += this.#granulePerFrame;
    return { data: lib.HEAPU8.slice(packetPointer, packetPointer + bytes), granule: this.#granule };
  }

  /** The identification and comment headers, each on its own page as RFC 7845 requires; sent once. */
  #headers(): Uint8Array {
    if (this.#headersSent) return NO_BYTES;
    this.#headersSent = true;
    const head = new Uint8Array(19);
    const view = new DataView(head.buffer);
    head.set(new TextEncoder().encode('OpusHead'), 0);
    head[8] = 1; // version
    head[9] = 1; // channels
    view.setUint16(10, this.preSkip, true);
    view.setUint32(12, this.#state.inputRate, true); // informational: the rate the audio was made at
    view.setInt16(16, 0, true); // output gain
    head[18] = 0; // channel mapping family 0: mono or stereo, no mapping table
    const vendor = new TextEncoder().encode(VENDOR);
    const tags = new Uint8Array(8 + 4 + vendor.length + 4);
    const tagsView = new DataView(tags.buffer);
    tags.set(new TextEncoder().encode('OpusTags'), 0);
    tagsView.setUint32(8, vendor.length, true);
    tags.set(vendor, 12);
    tagsView.setUint32(12 + vendor.length, 0, true); // no user comments
    return concatBytes([this.#pages.pages([{ data: head, granule: 0 }]), this.#pages.pages([{ data: tags, granule: 0 }])]);
  }
}
