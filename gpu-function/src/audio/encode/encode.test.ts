import decode from '@audio/decode';
import { AUDIO_FORMATS, type AudioFormat } from '@gsv-edge/shared';
import { describe, expect, it } from 'vitest';
import { floatToPcm16 } from '../pcm.ts';
import { type AudioEncoder, CONTENT_TYPES, createEncoder, encodeAudio, UnsupportedEncodingError } from './index.ts';
import { oggCrc32, OggPageWriter } from './ogg.ts';

/** A sweep (200 Hz to 3.8 kHz over 1.5 s) over a low tone: aperiodic, so the alignment search has one answer. */
function signalAt(rate: number, length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => {
    const t = i / rate;
    return 0.45 * Math.sin(2 * Math.PI * (200 * t + 1200 * t * t)) + 0.1 * Math.sin(2 * Math.PI * 150 * t);
  });
}

const CHUNKS = [777, 3200, 1, 4096, 13];

/** Pushes in uneven chunks and concatenates every output, as a streamed response would. */
function encodeInChunks(encoder: AudioEncoder, samples: Float32Array): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let offset = 0, k = 0; offset < samples.length; k += 1) {
    const size = CHUNKS[k % CHUNKS.length] ?? 1;
    parts.push(encoder.push(samples.subarray(offset, offset + size)));
    offset += size;
  }
  parts.push(encoder.end());
  return Buffer.concat(parts);
}

interface Decoded {
  readonly sampleRate: number;
  readonly channels: number;
  readonly samples: Float32Array;
}

async function decoded(bytes: Uint8Array): Promise<Decoded> {
  const { channelData, sampleRate } = await decode(bytes);
  return { sampleRate, channels: channelData.length, samples: channelData[0] ?? new Float32Array(0) };
}

/**
 * Finds the delay (codec priming, decoder delay) by cross-correlation over the middle 80 %, then measures SNR and
 * correlation there at that delay.
 */
function compare(actual: Float32Array, expected: Float32Array, maxLag: number): { lag: number; snrDb: number; correlation: number } {
  const start = Math.floor(expected.length * 0.1);
  const end = Math.floor(expected.length * 0.9);
  let lag = 0;
  let best = -Infinity;
  for (let candidate = -maxLag; candidate <= maxLag; candidate += 1) {
    let sum = 0;
    for (let i = start; i < end; i += 2) sum += (actual[i + candidate] ?? 0) * (expected[i] ?? 0);
    if (sum > best) [best, lag] = [sum, candidate];
  }
  let signal = 0;
  let noise = 0;
  let cross = 0;
  let power = 0;
  for (let i = start; i < end; i += 1) {
    const x = actual[i + lag] ?? 0;
    const y = expected[i] ?? 0;
    signal += y * y;
    noise += (x - y) ** 2;
    cross += x * y;
    power += x * x;
  }
  return { lag, snrDb: 10 * Math.log10(signal / noise), correlation: cross / Math.sqrt(power * signal) };
}

/** The 16-bit values every lossless format carries, as floats. */
function quantized(samples: Float32Array): Float32Array {
  return Float32Array.from(floatToPcm16(samples), (value) => value / 32768);
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let i = 0; i < Math.max(a.length, b.length); i += 1) max = Math.max(max, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return max;
}

interface OggPage {
  readonly flags: number;
  readonly granule: bigint;
  readonly serial: number;
  readonly sequence: number;
  readonly packets: Uint8Array[];
}

/** A strict Ogg reader: checks capture patterns, CRCs and sequence numbers, and reassembles packets. */
function readOgg(bytes: Uint8Array): { pages: OggPage[]; packets: Uint8Array[] } {
  const pages: OggPage[] = [];
  const packets: Uint8Array[] = [];
  let partial: number[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const view = new DataView(bytes.buffer, bytes.byteOffset + offset);
    expect(new TextDecoder().decode(bytes.subarray(offset, offset + 4))).toBe('OggS');
    const count = bytes[offset + 26] ?? 0;
    const lacing = bytes.subarray(offset + 27, offset + 27 + count);
    const length = 27 + count + lacing.reduce((sum, size) => sum + size, 0);
    const page = bytes.slice(offset, offset + length);
    const crc = view.getUint32(22, true);
    page.fill(0, 22, 26);
    expect(oggCrc32(page)).toBe(crc);
    const pagePackets: Uint8Array[] = [];
    let position = offset + 27 + count;
    for (const size of lacing) {
      partial.push(...bytes.subarray(position, position + size));
      position += size;
      if (size < 255) {
        pagePackets.push(Uint8Array.from(partial));
        partial = [];
      }
    }
    packets.push(...pagePackets);
    pages.push({
      flags: bytes[offset + 5] ?? 0,
      granule: view.getBigInt64(6, true),
      serial: view.getUint32(14, true),
      sequence: view.getUint32(18, true),
      packets: pagePackets,
    });
    offset += length;
  }
  expect(pages.map((page) => page.sequence)).toEqual(pages.map((_, index) => index));
  return { pages, packets };
}

const SECONDS = 1.5;

/**
 * Per-format expectations. Duration tolerances, in samples at the input rate:
 * - mp3: LAME's 576-sample encoder delay plus mpg123's 529-sample decoder delay come out as leading samples (no
 *   LAME tag while streaming), and the stream ends on a whole frame (1152 samples): at most 2304 extra.
 * - aac: the stream ends on a whole 1024-sample frame, and a decoder that does not drop FFmpeg's 1024 priming samples
 *   plays them: at most 2048 extra.
 * - opus: exact. The pre-skip and the final granule position trim the codec's lookahead and padding.
 * - flac, wav: exact.
 * SNR thresholds leave a margin under what was measured (mp3 128k 26 dB, opus 64k 36 dB, aac 96k 35-62 dB).
 */
const LOSSY: Record<'mp3' | 'opus' | 'aac', { extra: number; minSnrDb: number }> = {
  mp3: { extra: 2304, minSnrDb: 20 },
  opus: { extra: 0, minSnrDb: 25 },
  aac: { extra: 2048, minSnrDb: 25 },
};

describe.each([32000, 24000, 48000])('encoders at %i Hz', (rate) => {
  const input = signalAt(rate, Math.round(rate * SECONDS));

  it.each(['mp3', 'opus', 'aac'] as const)('%s decodes to the same signal', async (format) => {
    const encoder = await createEncoder(format, rate, { oggSerialNumber: 7 });
    const audio = await decoded(encodeInChunks(encoder, input));
    // Opus always decodes at 48 kHz. A 24 kHz AAC-LC stream may decode at 48 kHz: ADTS cannot rule out implicit
    // SBR, and the decoder (faad2-style) then doubles the rate. Durations are compared in seconds.
    const rates = format === 'opus' ? [48000] : format === 'aac' && rate <= 24000 ? [rate, 2 * rate] : [rate];
    expect(rates).toContain(audio.sampleRate);
    expect(audio.channels).toBe(1);
    const scale = audio.sampleRate / rate;
    const extra = audio.samples.length - Math.round(input.length * scale);
    expect(extra).toBeGreaterThanOrEqual(0);
    expect(extra).toBeLessThanOrEqual(LOSSY[format].extra * scale);
    const reference = signalAt(audio.sampleRate, Math.round(input.length * scale));
    const { lag, snrDb, correlation } = compare(audio.samples, reference, Math.ceil(2500 * scale));
    expect(snrDb).toBeGreaterThan(LOSSY[format].minSnrDb);
    expect(correlation).toBeGreaterThan(0.99);
    if (format === 'opus') expect(lag).toBe(0);
  });

  it.each(['flac', 'wav'] as const)('%s decodes to the 16-bit input exactly', async (format) => {
    const encoder = await createEncoder(format, rate);
    const audio = await decoded(encodeInChunks(encoder, input));
    expect(audio.sampleRate).toBe(rate);
    expect(audio.channels).toBe(1);
    expect(audio.samples.length).toBe(input.length);
    // Decoders scale by 1/32768 or 1/32767; either way within a few 16-bit steps.
    expect(maxAbsDifference(audio.samples, quantized(input))).toBeLessThan(1e-4);
  });

  it('pcm is the 16-bit little-endian input', async () => {
    const bytes = encodeInChunks(await createEncoder('pcm', rate), input);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const pcm = Int16Array.from({ length: bytes.length / 2 }, (_, i) => view.getInt16(2 * i, true));
    expect(pcm).toEqual(floatToPcm16(input));
  });
});

describe('streaming', () => {
  const rate = 32000;
  const input = signalAt(rate, rate * SECONDS);

  it.each(['mp3', 'aac', 'flac', 'wav', 'pcm'] as const)('%s: chunked pushes give the same bytes as one push', async (format) => {
    const chunked = encodeInChunks(await createEncoder(format, rate), input);
    const whole = await createEncoder(format, rate);
    expect(chunked).toEqual(Buffer.concat([whole.push(input), whole.end()]));
  });

  it('opus: chunked pushes give the same packets, paged per push', async () => {
    const chunked = readOgg(encodeInChunks(await createEncoder('opus', rate, { oggSerialNumber: 7 }), input));
    const encoder = await createEncoder('opus', rate, { oggSerialNumber: 7 });
    const whole = readOgg(Buffer.concat([encoder.push(input), encoder.end()]));
    expect(chunked.packets).toEqual(whole.packets);
    expect(chunked.pages.at(-1)?.granule).toBe(whole.pages.at(-1)?.granule);
  });

  it.each(['mp3', 'opus'] as const)('%s: an encoder reused after end() or close() starts afresh', async (format) => {
    const first = await encodeAudio(format, rate, input, { oggSerialNumber: 3 });
    const abandoned = await createEncoder(format, rate);
    abandoned.push(input.subarray(0, 5000));
    abandoned.close();
    expect(await encodeAudio(format, rate, input, { oggSerialNumber: 3 })).toEqual(first);
    expect(await encodeAudio(format, rate, input, { oggSerialNumber: 3 })).toEqual(first);
  });

  it.each(['mp3', 'opus', 'aac', 'flac'] as const)('%s: interleaved encoders do not disturb each other', async (format) => {
    // opus, aac and flac encoders share one wasm instance per process.
    const other = signalAt(rate, input.length).map((x) => -0.5 * x);
    const streamedAlone = async (samples: Float32Array): Promise<Buffer> => {
      const encoder = await createEncoder(format, rate, { oggSerialNumber: 1 });
      return Buffer.concat([encoder.push(samples), encoder.end()]);
    };
    const alone = [await streamedAlone(input), await streamedAlone(other)];
    const [a, b] = [await createEncoder(format, rate, { oggSerialNumber: 1 }), await createEncoder(format, rate, { oggSerialNumber: 1 })];
    const parts: [Uint8Array[], Uint8Array[]] = [[], []];
    for (let offset = 0; offset < input.length; offset += 3000) {
      parts[0].push(a.push(input.subarray(offset, offset + 3000)));
      parts[1].push(b.push(other.subarray(offset, offset + 3000)));
    }
    parts[0].push(a.end());
    parts[1].push(b.end());
    const together = parts.map((list) => Buffer.concat(list));
    if (format === 'opus') {
      expect(together.map((bytes) => readOgg(bytes).packets)).toEqual(alone.map((bytes) => readOgg(bytes).packets));
    } else {
      expect(together).toEqual(alone);
    }
  });

  it('returns encoded bytes while the input is still coming', async () => {
    const second = input.subarray(0, rate);
    for (const format of AUDIO_FORMATS) {
      const encoder = await createEncoder(format, rate);
      expect(encoder.push(second).length, format).toBeGreaterThan(0);
      encoder.close();
    }
  });
});

describe('Ogg Opus layout', () => {
  it.each([
    [32000, 312],
    [24000, 312],
    [48000, 312],
  ])('%i Hz: OpusHead has the encoder lookahead as pre-skip, and granules end at pre-skip + duration', async (rate, preSkip) => {
    const input = signalAt(rate, 2 * rate);
    const { pages, packets } = readOgg(await encodeAudio('opus', rate, input, { oggSerialNumber: 42 }));
    const head = packets[0] ?? new Uint8Array(0);
    const view = new DataView(head.buffer);
    expect(new TextDecoder().decode(head.subarray(0, 8))).toBe('OpusHead');
    expect([head[8], head[9], view.getUint16(10, true), view.getUint32(12, true), head[18]]).toEqual([1, 1, preSkip, rate, 0]);
    expect(new TextDecoder().decode(packets[1]?.subarray(0, 8))).toBe('OpusTags');
    // Headers on their own pages (RFC 7845 §3), first page flagged beginning-of-stream, last end-of-stream.
    expect(pages[0]?.packets).toHaveLength(1);
    expect(pages[1]?.packets).toHaveLength(1);
    expect(pages.map((page) => page.flags)).toEqual(pages.map((_, i) => (i === 0 ? 2 : i === pages.length - 1 ? 4 : 0)));
    expect(new Set(pages.map((page) => page.serial))).toEqual(new Set([42]));
    // One push of two seconds still goes out in pages of at most one second (50 packets of 20 ms).
    expect(Math.max(...pages.map((page) => page.packets.length))).toBe(50);
    expect(pages.at(-1)?.granule).toBe(BigInt(preSkip + 2 * 48000));
    const granules = pages.map((page) => page.granule);
    expect(granules).toEqual([...granules].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  });

  it('splits packets across pages at 255 segments, with continuation flags and granules only where packets end', () => {
    const bytes = (length: number, fill: number): Uint8Array => new Uint8Array(length).fill(fill);
    const packets = [bytes(255, 1), bytes(70_000, 2), bytes(0, 3), bytes(10, 4)];
    const writer = new OggPageWriter(5);
    const { pages, packets: read } = readOgg(
      writer.pages(packets.map((data, i) => ({ data, granule: 1000 * (i + 1) })), true),
    );
    expect(read).toEqual(packets);
    // 2 + 275 + 1 + 1 lacing values: the 70 kB packet spills over onto a second page.
    expect(pages.map((page) => [page.flags, page.granule])).toEqual([
      [2, 1000n],
      [1 | 4, 4000n],
    ]);
    const onePacketPages = readOgg(new OggPageWriter(5).pages([{ data: bytes(300 * 255, 9), granule: 7 }])).pages;
    // A page on which no packet ends has granule position -1.
    expect(onePacketPages.map((page) => page.granule)).toEqual([-1n, 7n]);
  });

  it('computes the Ogg CRC (polynomial 0x04C11DB7, no reflection, initial value 0)', () => {
    expect(oggCrc32(new TextEncoder().encode('123456789'))).toBe(0x89a1897f);
  });
});

describe('empty input', () => {
  // mp3 and aac are bare frame streams, so an empty input still gets a little silence to be a playable file (two
  // MP3 frames, since FFmpeg cannot sync to one; one AAC frame). The other formats carry a header that says "no
  // samples".
  it.each([
    ['mp3', 2304],
    ['aac', 1024],
    ['opus', 0],
    ['flac', 0],
    ['wav', 0],
  ] as const)('%s: end() right away gives a decodable file of %i samples', async (format, samples) => {
    const encoder = await createEncoder(format, 32000);
    const bytes = encoder.end();
    expect(bytes.length).toBeGreaterThan(0);
    const audio = await decoded(bytes);
    expect(audio.samples.length).toBe(samples);
  });

  it('pcm: end() right away gives no bytes', async () => {
    expect((await createEncoder('pcm', 32000)).end()).toHaveLength(0);
  });
});

describe('buffered output', () => {
  const rate = 32000;
  const input = signalAt(rate, rate);

  it('wav: a streamed header says "to the end"; the buffered one has the real sizes', async () => {
    const encoder = await createEncoder('wav', rate);
    const streamed = Buffer.concat([encoder.push(input), encoder.end()]);
    expect(streamed.readUInt32LE(4)).toBe(0xffffffff);
    expect(streamed.readUInt32LE(40)).toBe(0xffffffff);
    const file = Buffer.from(await encodeAudio('wav', rate, input));
    expect(file.readUInt32LE(4)).toBe(36 + 2 * input.length);
    expect(file.readUInt32LE(40)).toBe(2 * input.length);
    expect(file.subarray(44)).toEqual(streamed.subarray(44));
  });

  it('flac: the buffered STREAMINFO has the total samples and MD5, and still decodes', async () => {
    const encoder = await createEncoder('flac', rate);
    const streamed = Buffer.concat([encoder.push(input), encoder.end()]);
    const totalSamples = (bytes: Buffer): number => (bytes.readUInt8(21) & 0x0f) * 2 ** 32 + bytes.readUInt32BE(22);
    expect(totalSamples(streamed)).toBe(0);
    expect(streamed.subarray(26, 42).every((byte) => byte === 0)).toBe(true);
    const file = Buffer.from(await encodeAudio('flac', rate, input));
    expect(totalSamples(file)).toBe(input.length);
    expect(file.subarray(26, 42).some((byte) => byte !== 0)).toBe(true);
    expect(file.subarray(42)).toEqual(streamed.subarray(42));
    expect((await decoded(file)).samples.length).toBe(input.length);
  });

  it('the compressed formats have nothing to rewrite', async () => {
    for (const format of ['mp3', 'opus', 'aac'] as const) {
      const encoder = await createEncoder(format, rate);
      encoder.end();
      expect(encoder.finalHeader(), format).toBeUndefined();
    }
  });
});

describe('contract', () => {
  it.each(AUDIO_FORMATS)('%s: content type, output rate and life cycle', async (format: AudioFormat) => {
    const encoder = await createEncoder(format, 24000);
    expect(encoder.format).toBe(format);
    expect(encoder.contentType).toBe(CONTENT_TYPES[format]);
    expect(encoder.outputSampleRate).toBe(format === 'opus' ? 48000 : 24000);
    expect(() => encoder.finalHeader()).toThrow(/has not ended/);
    encoder.end();
    expect(() => encoder.push(new Float32Array(10))).toThrow(/ended/);
    expect(() => encoder.end()).toThrow(/ended/);
    encoder.close();
  });

  it('close() frees an unfinished encoder and is idempotent', async () => {
    for (const format of AUDIO_FORMATS) {
      const encoder = await createEncoder(format, 32000);
      encoder.push(signalAt(32000, 5000));
      encoder.close();
      encoder.close();
      expect(() => encoder.push(new Float32Array(1))).toThrow(/closed/);
    }
  });

  it('refuses sample rates a format cannot carry', async () => {
    await expect(createEncoder('mp3', 40000)).rejects.toThrow(UnsupportedEncodingError);
    await expect(createEncoder('aac', 40000)).rejects.toThrow(UnsupportedEncodingError);
    await expect(createEncoder('wav', 0)).rejects.toThrow(RangeError);
    await expect(createEncoder('ogg' as AudioFormat, 32000)).rejects.toThrow(UnsupportedEncodingError);
    // Opus resamples any other rate to 48 kHz.
    const audio = await decoded(await encodeAudio('opus', 22050, signalAt(22050, 22050)));
    expect([audio.sampleRate, audio.samples.length]).toEqual([48000, 48000]);
  });

  it('honours the bit rate option', async () => {
    const input = signalAt(32000, 32000 * 2);
    for (const format of ['mp3', 'opus', 'aac'] as const) {
      const low = await encodeAudio(format, 32000, input, { bitrate: 32_000, oggSerialNumber: 1 });
      const high = await encodeAudio(format, 32000, input, { bitrate: 128_000, oggSerialNumber: 1 });
      expect(high.length, format).toBeGreaterThan(low.length * 2);
    }
  });
});
