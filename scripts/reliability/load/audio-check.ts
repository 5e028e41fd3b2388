/**
 * Whether an answer's body is audio of the format it declares: WAV by its header (16-bit mono PCM at the rate the
 * gateway states, a data size that matches the bytes or the streaming "read to the end" size, not all silence),
 * anything else by decoding it with @audio/decode as test/e2e.test.ts does. Identical bodies (cache hits) are
 * checked once.
 * @module
 */
import decodeAudio from '@audio/decode';
import { createHash } from 'node:crypto';

/** The streamed WAV header's data size: "unknown, read to the end" (gpu-function/src/audio/wav.ts). */
const STREAMING_DATA_SIZE = 0xffffffff;
const WAV_HEADER_BYTES = 44;

export class AudioChecker {
  readonly #checked = new Map<string, Promise<string | null>>();

  /** `null` when `bytes` is playable audio of `contentType` at `sampleRate` Hz (when stated); else what is wrong. */
  check(contentType: string | null, sampleRate: string | null, bytes: Uint8Array): Promise<string | null> {
    const digest = createHash('sha256').update(bytes).update(`\n${contentType ?? ''}\n${sampleRate ?? ''}`).digest('hex');
    let verdict = this.#checked.get(digest);
    if (verdict === undefined) {
      verdict = checkAudio(contentType, sampleRate === null ? null : Number(sampleRate), bytes);
      this.#checked.set(digest, verdict);
    }
    return verdict;
  }
}

async function checkAudio(contentType: string | null, sampleRate: number | null, bytes: Uint8Array): Promise<string | null> {
  if (bytes.length === 0) return 'empty body';
  if (contentType?.startsWith('audio/wav') === true) return checkWav(bytes, sampleRate);
  if (contentType?.startsWith('audio/') !== true) return `content-type ${String(contentType)} is not audio`;
  try {
    const decoded = await decodeAudio(bytes);
    const samples = decoded.channelData[0]?.length ?? 0;
    if (samples === 0) return `${contentType} decodes to no samples`;
    if (sampleRate !== null && !contentType.includes('opus') && decoded.sampleRate !== sampleRate) {
      return `${contentType} decodes at ${String(decoded.sampleRate)} Hz, the header says ${String(sampleRate)}`;
    }
    return null;
  } catch (error) {
    return `${contentType} does not decode: ${String(error)}`;
  }
}

function checkWav(bytes: Uint8Array, sampleRate: number | null): string | null {
  if (bytes.length < WAV_HEADER_BYTES) return `WAV of ${String(bytes.length)} bytes, shorter than its header`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const ascii = (offset: number) => String.fromCharCode(...bytes.subarray(offset, offset + 4));
  if (ascii(0) !== 'RIFF' || ascii(8) !== 'WAVE' || ascii(12) !== 'fmt ' || ascii(36) !== 'data') return 'not a RIFF/WAVE file with fmt and data chunks';
  if (view.getUint16(20, true) !== 1 || view.getUint16(22, true) !== 1 || view.getUint16(34, true) !== 16) return 'WAV is not 16-bit mono PCM';
  const rate = view.getUint32(24, true);
  if (sampleRate !== null && rate !== sampleRate) return `WAV at ${String(rate)} Hz, the header says ${String(sampleRate)}`;
  const dataBytes = bytes.length - WAV_HEADER_BYTES;
  const stated = view.getUint32(40, true);
  if (stated !== STREAMING_DATA_SIZE && stated !== dataBytes) return `WAV data size ${String(stated)} but ${String(dataBytes)} bytes follow the header`;
  if (dataBytes === 0 || dataBytes % 2 !== 0) return `WAV with ${String(dataBytes)} data bytes (not whole non-empty samples)`;
  for (let offset = WAV_HEADER_BYTES; offset < bytes.length; offset += 2) {
    if (view.getInt16(offset, true) !== 0) return null;
  }
  return 'WAV of pure silence';
}
