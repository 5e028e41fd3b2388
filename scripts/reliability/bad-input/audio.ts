/**
 * Uploads that are not what a voice needs: random bytes, other formats' magic numbers followed by garbage, WAV
 * files cut short, and WAV headers with every odd field (format tags, channel counts, rates, sample sizes, chunk
 * sizes past the file), NaN samples, recordings too short or too long; and the base64 around them written wrong.
 * @module
 */
import fc from 'fast-check';

/** A mono 16-bit WAV of a voiced sweep, `seconds` long: small enough to send many times, long enough to be valid. */
export function smallWav(seconds: number, rate = 8000): Uint8Array {
  const samples = new Int16Array(Math.round(seconds * rate));
  for (let i = 0; i < samples.length; i += 1) {
    const t = i / rate;
    samples[i] = Math.round(9000 * (0.6 + 0.4 * Math.sin(2 * Math.PI * 3 * t)) * Math.sin(2 * Math.PI * (150 + 20 * Math.sin(2 * Math.PI * 5 * t)) * t));
  }
  return wav({ format: 1, channels: 1, rate, bits: 16, data: new Uint8Array(samples.buffer) });
}

interface WavFields {
  readonly format: number;
  readonly channels: number;
  readonly rate: number;
  readonly bits: number;
  readonly data: Uint8Array;
  /** Declared sizes, when they should lie. */
  readonly dataSize?: number;
  readonly riffSize?: number;
  readonly fmtSize?: number;
  readonly blockAlign?: number;
  readonly extraChunk?: { readonly id: string; readonly size: number; readonly bytes: Uint8Array };
  readonly omit?: 'fmt' | 'data';
}

export function wav(fields: WavFields): Uint8Array {
  const chunks: Uint8Array[] = [];
  const header = (id: string, size: number): Uint8Array => {
    const bytes = new Uint8Array(8);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < 4; i += 1) bytes[i] = id.charCodeAt(i) & 0xff;
    view.setUint32(4, size >>> 0, true);
    return bytes;
  };
  if (fields.omit !== 'fmt') {
    const fmt = new Uint8Array(16);
    const view = new DataView(fmt.buffer);
    view.setUint16(0, fields.format & 0xffff, true);
    view.setUint16(2, fields.channels & 0xffff, true);
    view.setUint32(4, fields.rate >>> 0, true);
    const blockAlign = fields.blockAlign ?? Math.max(1, (fields.channels * fields.bits) >> 3);
    view.setUint32(8, (fields.rate * blockAlign) >>> 0, true);
    view.setUint16(12, blockAlign & 0xffff, true);
    view.setUint16(14, fields.bits & 0xffff, true);
    chunks.push(header('fmt ', fields.fmtSize ?? 16), fmt);
  }
  if (fields.extraChunk !== undefined) chunks.push(header(fields.extraChunk.id, fields.extraChunk.size), fields.extraChunk.bytes);
  if (fields.omit !== 'data') chunks.push(header('data', fields.dataSize ?? fields.data.length), fields.data);
  const bodyLength = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  const file = new Uint8Array(12 + bodyLength);
  file.set([0x52, 0x49, 0x46, 0x46], 0);
  new DataView(file.buffer).setUint32(4, (fields.riffSize ?? 4 + bodyLength) >>> 0, true);
  file.set([0x57, 0x41, 0x56, 0x45], 8);
  let at = 12;
  for (const chunk of chunks) {
    file.set(chunk, at);
    at += chunk.length;
  }
  return file;
}

const MAGIC: readonly (readonly number[])[] = [
  [0x66, 0x4c, 0x61, 0x43], // fLaC
  [0x4f, 0x67, 0x67, 0x53, 0x00, 0x02], // OggS
  [0x49, 0x44, 0x33, 0x04, 0x00, 0x00], // ID3
  [0xff, 0xfb, 0x90, 0x64], // an MP3 frame header
  [0xff, 0xf1, 0x50, 0x80], // an ADTS (AAC) header
  [0x00, 0x00, 0x00, 0x20, 0x66, 0x74, 0x79, 0x70, 0x4d, 0x34, 0x41, 0x20], // ftyp M4A
  [0x1a, 0x45, 0xdf, 0xa3], // Matroska / WebM
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], // PNG
  [0x25, 0x50, 0x44, 0x46], // %PDF
  [0x50, 0x4b, 0x03, 0x04], // zip
  [0x52, 0x49, 0x46, 0x46, 0xff, 0xff, 0xff, 0xff, 0x57, 0x45, 0x42, 0x50], // RIFF WEBP
  [0x52, 0x46, 0x36, 0x34], // RF64
  [0x46, 0x4f, 0x52, 0x4d], // FORM (AIFF)
  [0x2e, 0x73, 0x6e, 0x64], // .snd (AU)
];

const FORMAT_TAGS = [0, 1, 2, 3, 6, 7, 0x11, 0x55, 0xfffe, 0xffff];
const CHANNELS = [0, 1, 2, 3, 6, 8, 255, 65_535];
const RATES = [0, 1, 100, 8000, 16_000, 44_100, 48_000, 192_000, 384_000, 2_147_483_647, 4_294_967_295];
const BITS = [0, 1, 4, 8, 12, 16, 20, 24, 32, 48, 64, 65_535];

/** Samples of the given size: noise, silence, or (32/64-bit float) NaN and infinities. */
function sampleData(bits: number, format: number, bytes: number, fill: 'noise' | 'silence' | 'nan', seed: number): Uint8Array {
  const data = new Uint8Array(bytes);
  if (fill === 'silence') return data;
  if (fill === 'nan' && format === 3 && (bits === 32 || bits === 64)) {
    const view = new DataView(data.buffer);
    const step = bits / 8;
    for (let at = 0; at + step <= bytes; at += step) {
      const value = [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e30][(at / step) % 4] ?? 0;
      if (bits === 32) view.setFloat32(at, value, true);
      else view.setFloat64(at, value, true);
    }
    return data;
  }
  let state = seed | 1;
  for (let i = 0; i < bytes; i += 1) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    data[i] = state & 0xff;
  }
  return data;
}

/** Audio bytes a voice upload should refuse with a reason (or, by chance, accept). */
export function badAudio(validClip: Uint8Array): fc.Arbitrary<Uint8Array> {
  const random = fc.uint8Array({ minLength: 0, maxLength: 4096 });
  const magic = fc.tuple(fc.constantFrom(...MAGIC), fc.uint8Array({ maxLength: 4096 })).map(([head, tail]) => new Uint8Array([...head, ...tail]));
  const truncated = fc.integer({ min: 0, max: validClip.length - 1 }).map((cut) => validClip.slice(0, cut));
  const odd = fc
    .record({
      format: fc.constantFrom(...FORMAT_TAGS),
      channels: fc.constantFrom(...CHANNELS),
      rate: fc.constantFrom(...RATES),
      bits: fc.constantFrom(...BITS),
      dataBytes: fc.integer({ min: 0, max: 96_000 }),
      fill: fc.constantFrom<'noise' | 'silence' | 'nan'>('noise', 'silence', 'nan'),
      lie: fc.constantFrom('none', 'dataSize', 'riffSize', 'fmtSize', 'blockAlign', 'extraChunk', 'omitFmt', 'omitData'),
      seed: fc.integer(),
    })
    .map((fields) =>
      wav({
        format: fields.format,
        channels: fields.channels,
        rate: fields.rate,
        bits: fields.bits,
        data: sampleData(fields.bits, fields.format, fields.dataBytes, fields.fill, fields.seed),
        ...(fields.lie === 'dataSize' ? { dataSize: 0xffff_fff0 } : {}),
        ...(fields.lie === 'riffSize' ? { riffSize: 0xffff_ffff } : {}),
        ...(fields.lie === 'fmtSize' ? { fmtSize: 0x7fff_ffff } : {}),
        ...(fields.lie === 'blockAlign' ? { blockAlign: 0 } : {}),
        ...(fields.lie === 'extraChunk' ? { extraChunk: { id: 'LIST', size: 0xffff_fff0, bytes: new Uint8Array(8) } } : {}),
        ...(fields.lie === 'omitFmt' ? { omit: 'fmt' as const } : {}),
        ...(fields.lie === 'omitData' ? { omit: 'data' as const } : {}),
      }),
    );
  const lengths = fc.constantFrom(0.05, 1, 2.9, 10.5, 14).map((seconds) => smallWav(seconds));
  const floatPcm = fc.constantFrom(32, 64).map((bits) => {
    const rate = 8000;
    const data = new Uint8Array(rate * 4 * (bits / 8));
    const view = new DataView(data.buffer);
    for (let i = 0; i < rate * 4; i += 1) {
      const value = Math.sin(i / 10) * 0.5;
      if (bits === 32) view.setFloat32(i * 4, value, true);
      else view.setFloat64(i * 8, value, true);
    }
    return wav({ format: 3, channels: 1, rate, bits, data });
  });
  return fc.oneof(random, magic, truncated, { arbitrary: odd, weight: 4 }, lengths, floatPcm);
}

/** Base64 of `bytes` as clients get it wrong (or, for `plain`, right). */
export function base64Variants(bytes: Uint8Array): fc.Arbitrary<{ text: string; plain: boolean }> {
  const plain = Buffer.from(bytes).toString('base64');
  return fc.constantFrom(
    { text: plain, plain: true },
    { text: Buffer.from(bytes).toString('base64url'), plain: false },
    { text: plain.replace(/=+$/, ''), plain: false },
    { text: plain.replace(/(.{76})/g, '$1\n'), plain: false },
    { text: `data:audio/wav;base64,${plain}`, plain: false },
    { text: ` ${plain} `, plain: false },
    { text: `${plain}====`, plain: false },
    { text: plain.slice(0, -3), plain: false },
  );
}
