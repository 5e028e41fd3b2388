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
