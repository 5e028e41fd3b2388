/**
 * `mp3`: constant-bit-rate MPEG Layer III from LAME, via `wasm-media-encoders` (MIT wrapper; the LAME inside is
 * LGPL-2.0, shipped unmodified as a separate wasm file that anyone can replace). Measured in
 * /work/shared/reference/frontend-libs.md as about 10x faster than the pure-JS lamejs ports with the same output.
 *
 * There is no Xing/LAME tag: it would have to precede frames whose count is unknown while streaming, so decoders
 * play LAME's encoder delay (576 samples) and the last frame's padding.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createEncoder, type WasmMediaEncoder } from 'wasm-media-encoders';
import { BaseEncoder, concatBytes, type EncoderOptions, loadOnce, UnsupportedEncodingError } from './encoder.ts';

type LameConfig = Parameters<WasmMediaEncoder<'audio/mpeg'>['configure']>[0];
type LameBitrate = NonNullable<LameConfig['bitrate']>;
type LameSampleRate = NonNullable<LameConfig['outputSampleRate']>;

export const MP3_DEFAULT_BITRATE = 128_000;

// The rates LAME encodes without resampling, and the CBR bit rates (kbit/s) each MPEG version allows.
const MPEG1_RATES: readonly number[] = [32000, 44100, 48000];
const MPEG2_RATES: readonly number[] = [16000, 22050, 24000];
const MPEG25_RATES: readonly number[] = [8000, 11025, 12000];
const MPEG1_KBPS: readonly LameBitrate[] = [32, 40, 48, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MPEG2_KBPS: readonly LameBitrate[] = [8, 16, 24, 32, 40, 48, 64, 80, 96, 112, 128, 160];
const MPEG25_KBPS: readonly LameBitrate[] = [8, 16, 24, 32, 40, 48, 64];

function allowedKbps(sampleRate: number): readonly LameBitrate[] | undefined {
  if (MPEG1_RATES.includes(sampleRate)) return MPEG1_KBPS;
  if (MPEG2_RATES.includes(sampleRate)) return MPEG2_KBPS;
  if (MPEG25_RATES.includes(sampleRate)) return MPEG25_KBPS;
  return undefined;
}

function nearest(allowed: readonly LameBitrate[], kbps: number): LameBitrate {
  let best = allowed[0] as LameBitrate;
  for (const value of allowed) if (Math.abs(value - kbps) < Math.abs(best - kbps)) best = value;
  return best;
}

/**
 * A compiled `WebAssembly.Module`. The project's libs (es2024, @types/node) do not declare the WebAssembly namespace,
 * so the one call used is declared here.
 */
type CompiledWasm = object;
declare const WebAssembly: { compile(bytes: Uint8Array): Promise<CompiledWasm> };

// Compiling the wasm happens once. Each LAME instance has its own wasm memory, and instantiating one costs ~10 ms,
// so finished ones are kept for the next request: `configure()` resets an instance completely.
const idle: WasmMediaEncoder<'audio/mpeg'>[] = [];
const MAX_IDLE = 8;
const loadLame = loadOnce(async () => {
  const path = createRequire(import.meta.url).resolve('wasm-media-encoders/wasm/mp3');
  return WebAssembly.compile(await readFile(path));
});

export async function createMp3Encoder(sampleRate: number, options: EncoderOptions = {}): Promise<Mp3Encoder> {
  const allowed = allowedKbps(sampleRate);
  if (allowed === undefined) throw new UnsupportedEncodingError(`mp3 cannot be encoded at ${sampleRate} Hz`);
  const lame = idle.pop() ?? (await createEncoder('audio/mpeg', await loadLame()));
  lame.configure({
    channels: 1,
    sampleRate,
    // Without an explicit output rate LAME may pick a lower one to suit the bit rate.
    outputSampleRate: sampleRate as LameSampleRate,
    bitrate: nearest(allowed, (options.bitrate ?? MP3_DEFAULT_BITRATE) / 1000),
  });
  return new Mp3Encoder(lame, sampleRate);
}

export class Mp3Encoder extends BaseEncoder {
  readonly format = 'mp3';
  readonly contentType = 'audio/mpeg';
  readonly outputSampleRate: number;
  readonly #lame: WasmMediaEncoder<'audio/mpeg'>;
  #samples = 0;

  constructor(lame: WasmMediaEncoder<'audio/mpeg'>, sampleRate: number) {
    super();
    this.#lame = lame;
    this.outputSampleRate = sampleRate;
  }

  // The encoder returns a view into its own memory, valid only until its next call: copy it out.
  protected encode(samples: Float32Array): Uint8Array {
    this.#samples += samples.length;
    return this.#lame.encode([samples]).slice();
  }

  protected flush(): Uint8Array {
    // With no input LAME flushes a single frame, which FFmpeg cannot sync to ("Invalid frame size"); one sample of
    // silence makes it two frames (72 ms of silence at 32 kHz), which every decoder tried accepts.
    const lead = this.#samples === 0 ? this.#lame.encode([new Float32Array(1)]).slice() : new Uint8Array(0);
    return concatBytes([lead, this.#lame.finalize().slice()]);
  }

  protected override release(): void {
    if (idle.length < MAX_IDLE) idle.push(this.#lame);
  }
}
