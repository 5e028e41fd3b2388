/**
 * An Ogg page writer (RFC 3533) for a single logical stream. Written by hand: the npm Ogg muxers either bring their
 * own codec pipeline (opus-encdec, whose writer fixes the Opus pre-skip at 3840) or a whole media framework.
 * @module
 */
import { concatBytes } from './encoder.ts';

const FLAG_CONTINUED = 0x01;
const FLAG_FIRST = 0x02;
const FLAG_LAST = 0x04;
const MAX_SEGMENTS = 255;
/** The granule position of a page on which no packet ends. */
const NO_GRANULE = -1;

// CRC-32 as Ogg defines it: polynomial 0x04C11DB7, not reflected, initial value 0, no final XOR (not zlib's CRC).
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i += 1) {
    let crc = i << 24;
    for (let bit = 0; bit < 8; bit += 1) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
    table[i] = crc >>> 0;
  }
  return table;
})();

export function oggCrc32(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) crc = ((crc << 8) ^ (CRC_TABLE[((crc >>> 24) ^ byte) & 0xff] ?? 0)) >>> 0;
  return crc;
}

export interface OggPacket {
  readonly data: Uint8Array;
  /** The stream's granule position once this packet is decoded (for Opus: 48 kHz samples, pre-skip included). */
  readonly granule: number;
}

export class OggPageWriter {
  readonly #serial: number;
  #sequence = 0;
  #started = false;

  constructor(serialNumber: number) {
    this.#serial = serialNumber >>> 0;
  }

  /**
   * Lays packets out on as few pages as the 255-segment limit allows and returns the pages' bytes. A page's granule
   * position is that of the last packet ending on it; `last` marks the final page end-of-stream.
   */
  pages(packets: readonly OggPacket[], last = false): Uint8Array {
    const out: Uint8Array[] = [];
    let segments: number[] = [];
    let body: Uint8Array[] = [];
    let granule = NO_GRANULE;
    let continued = false;
    const emit = (final: boolean, nextContinued: boolean): void => {
      out.push(this.#page(segments, body, granule, continued, final));
      segments = [];
      body = [];
      granule = NO_GRANULE;
      continued = nextContinued;
    };
    packets.forEach((packet, index) => {
      // Lacing: 255-byte segments, then one shorter (possibly empty) segment that ends the packet.
      const lacing = Array.from({ length: Math.floor(packet.data.length / 255) }, () => 255);
      lacing.push(packet.data.length % 255);
      let offset = 0;
      for (let i = 0; i < lacing.length; i += 1) {
        // Only a page that ends inside a packet makes the next one a continuation.
        if (segments.length === MAX_SEGMENTS) emit(false, i > 0);
        const size = lacing[i] ?? 0;
        segments.push(size);
        body.push(packet.data.subarray(offset, offset + size));
        offset += size;
      }
      granule = packet.granule;
      if (index === packets.length - 1) emit(last, false);
    });
    if (packets.length === 0 && last) emit(true, false);
    return concatBytes(out);
  }

  #page(segments: readonly number[], body: readonly Uint8Array[], granule: number, continued: boolean, last: boolean): Uint8Array {
    const bodyLength = body.reduce((sum, part) => sum + part.length, 0);
    const page = new Uint8Array(27 + segments.length + bodyLength);
    const view = new DataView(page.buffer);
    page.set([0x4f, 0x67, 0x67, 0x53], 0); // "OggS"
    page[4] = 0; // version
    page[5] = (continued ? FLAG_CONTINUED : 0) | (this.#started ? 0 : FLAG_FIRST) | (last ? FLAG_LAST : 0);
    this.#started = true;
    if (granule === NO_GRANULE) {
      view.setUint32(6, 0xffffffff, true);
      view.setUint32(10, 0xffffffff, true);
    } else {
      view.setUint32(6, granule % 2 ** 32, true);
      view.setUint32(10, Math.floor(granule / 2 ** 32), true);
    }
    view.setUint32(14, this.#serial, true);
    view.setUint32(18, this.#sequence, true);
    this.#sequence += 1;
    page[26] = segments.length;
    page.set(segments, 27);
    let offset = 27 + segments.length;
    for (const part of body) {
      page.set(part, offset);
      offset += part.length;
    }
    view.setUint32(22, oggCrc32(page), true); // computed with the CRC field still zero
    return page;
  }
}

