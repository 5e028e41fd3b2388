/**
 * 16-bit mono PCM WAV. The 44-byte header is written by hand: it is fixed, and a streamed response needs a header
 * before the length is known, which WAV libraries do not offer.
 * @module
 */
import { pcm16Bytes } from './pcm.ts';

/** The data size used in a streamed header, as ffmpeg and browsers accept: "unknown, read to the end". */
export const STREAMING_DATA_SIZE = 0xffffffff;

export function wavHeader(sampleRate: number, dataBytes: number): Uint8Array {
  const header = new Uint8Array(44);
  const view = new DataView(header.buffer);
  const ascii = (offset: number, text: string): void => {
    for (let i = 0; i < text.length; i += 1) view.setUint8(offset + i, text.charCodeAt(i));
  };
  const streaming = dataBytes === STREAMING_DATA_SIZE;
  ascii(0, 'RIFF');
  view.setUint32(4, streaming ? STREAMING_DATA_SIZE : 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true); // PCM fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  return header;
}

export function encodeWav(pcm: Int16Array, sampleRate: number): Uint8Array {
  const data = pcm16Bytes(pcm);
  const file = new Uint8Array(44 + data.length);
  file.set(wavHeader(sampleRate, data.length), 0);
  file.set(data, 44);
  return file;
}
