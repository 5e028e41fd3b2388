/**
 * Decodes an uploaded audio file (WAV, FLAC, MP3, Ogg Vorbis/Opus, AAC/M4A and more) with `@audio/decode`
 * (wasm decoders, no native dependencies).
 * @module
 */
import decode from '@audio/decode';

export interface DecodedAudio {
  /** One array per channel, samples in [-1, 1]. */
  readonly channels: readonly Float32Array[];
  readonly sampleRate: number;
}

export class AudioDecodeError extends Error {
  override readonly name = 'AudioDecodeError';
}

export async function decodeAudio(bytes: Uint8Array): Promise<DecodedAudio> {
  if (bytes.length === 0) throw new AudioDecodeError('the audio file is empty');
  checkWavHeader(bytes);
  let decoded: { channelData: Float32Array[]; sampleRate: number };
  try {
    decoded = await decode(bytes);
  } catch (error) {
    throw new AudioDecodeError(
      `the audio could not be decoded (${error instanceof Error ? error.message : String(error)}); send WAV, FLAC, MP3, Ogg or M4A`,
      { cause: error },
    );
  }
  const channels = decoded.channelData.filter((channel) => channel.length > 0);
  if (channels.length === 0) throw new AudioDecodeError('the audio file holds no samples');
  return { channels, sampleRate: decoded.sampleRate };
}

/** WAV encodings decoded here, by format tag, with the sample sizes each comes in. */
const WAV_ENCODINGS: ReadonlyMap<number, { readonly name: string; readonly bits: readonly number[] }> = new Map([
  [1, { name: 'PCM', bits: [8, 16, 24, 32] }],
  [3, { name: 'IEEE float', bits: [32, 64] }],
  [6, { name: 'A-law', bits: [8] }],
  [7, { name: 'mu-law', bits: [8] }],
]);
const WAV_EXTENSIBLE = 0xfffe;
const MAX_WAV_CHANNELS = 32;

/**
 * Checks a RIFF/WAVE file's format before it is decoded: the encodings above only, with a block size that matches
 * the channels and sample size, so the decoded audio is never larger than the file's own samples. Other encodings
 * (ADPCM and the like) are refused: a few kilobytes of ADPCM with an odd block size decoded to gigabytes of samples
 * (found by the bad-input suite, scripts/reliability/bad-input.ts). Other containers are left to the decoder.
 */
function checkWavHeader(bytes: Uint8Array): void {
  const text = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || text(0) !== 'RIFF' || text(8) !== 'WAVE') return;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 12;
  while (at + 8 <= bytes.length && text(at) !== 'fmt ') at += 8 + view.getUint32(at + 4, true) + (view.getUint32(at + 4, true) % 2);
  if (at + 8 + 16 > bytes.length) throw new AudioDecodeError('the WAV file has no complete fmt chunk');
  const fmt = at + 8;
  let tag = view.getUint16(fmt, true);
  const channels = view.getUint16(fmt + 2, true);
  const sampleRate = view.getUint32(fmt + 4, true);
  const blockAlign = view.getUint16(fmt + 12, true);
  const bits = view.getUint16(fmt + 14, true);
  if (tag === WAV_EXTENSIBLE && view.getUint32(at + 4, true) >= 40 && fmt + 26 <= bytes.length) tag = view.getUint16(fmt + 24, true);
  const encoding = WAV_ENCODINGS.get(tag);
  if (encoding === undefined) {
    throw new AudioDecodeError(`WAV encoding 0x${tag.toString(16).padStart(4, '0')} is not supported; send PCM or float WAV, FLAC, MP3, Ogg or M4A`);
  }
  if (!encoding.bits.includes(bits)) throw new AudioDecodeError(`${encoding.name} WAV with ${String(bits)}-bit samples is not supported (${encoding.bits.join(', ')}-bit are)`);
  if (channels < 1 || channels > MAX_WAV_CHANNELS) throw new AudioDecodeError(`the WAV file has ${String(channels)} channels; 1-${String(MAX_WAV_CHANNELS)} are supported`);
  if (sampleRate === 0) throw new AudioDecodeError('the WAV file has a sample rate of 0 Hz');
  if (blockAlign !== (channels * bits) / 8) throw new AudioDecodeError(`the WAV file's block size ${String(blockAlign)} does not match ${String(channels)} channels of ${String(bits)}-bit samples`);
}

/** Averages all channels, as librosa's `to_mono` does. */
export function mixToMono(channels: readonly Float32Array[]): Float32Array {
  const [first] = channels;
  if (first === undefined) return new Float32Array(0);
  if (channels.length === 1) return first;
  const length = Math.min(...channels.map((channel) => channel.length));
  const mono = new Float32Array(length);
  for (const channel of channels) {
    for (let i = 0; i < length; i += 1) mono[i] = (mono[i] ?? 0) + (channel[i] ?? 0);
  }
  for (let i = 0; i < length; i += 1) mono[i] = (mono[i] ?? 0) / channels.length;
  return mono;
}
