import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AudioDecodeError, decodeAudio, mixToMono } from './decode.ts';
import { floatToPcm16 } from './pcm.ts';
import { resampleHighQuality } from './resample-hq.ts';
import { resampleSinc } from './resample-sinc.ts';
import { encodeWav } from './wav.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/resample');

function testSignal(sampleRate: number, length: number): Float32Array {
  return Float32Array.from({ length }, (_, i) => {
    const t = i / sampleRate;
    return 0.5 * Math.sin(2 * Math.PI * 440 * t) + 0.2 * Math.sin(2 * Math.PI * 5000 * t) + 0.05 * Math.sin(2 * Math.PI * 13000 * t);
  });
}

function snrDb(actual: Float32Array, expected: Float32Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < expected.length; i += 1) {
    signal += (expected[i] ?? 0) ** 2;
    noise += ((actual[i] ?? 0) - (expected[i] ?? 0)) ** 2;
  }
  return 10 * Math.log10(signal / noise);
}

describe('torchaudio-compatible resampling', () => {
  const { cases } = JSON.parse(readFileSync(join(fixtures, 'cases.json'), 'utf8')) as { cases: [number, number, number, number][] };
  it.each(cases)('%i Hz -> %i Hz matches torchaudio.functional.resample', (from, to, inputLength, outputLength) => {
    const bytes = readFileSync(join(fixtures, `torchaudio_${String(from)}_${String(to)}.f32`));
    const expected = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length));
    const actual = resampleSinc(testSignal(from, inputLength), from, to);
    expect(actual.length).toBe(outputLength);
    // torchaudio computes in float32; the port in float64, so agreement is bounded by float32 rounding.
    expect(snrDb(actual, expected)).toBeGreaterThan(90);
  });

  it('returns a copy when no resampling is needed', () => {
    const input = testSignal(32000, 100);
    const output = resampleSinc(input, 32000, 32000);
    expect(output).toEqual(input);
    expect(output).not.toBe(input);
  });
});

describe('high-quality resampling (16 kHz path)', () => {
  it('keeps a tone in band and the expected length', async () => {
    const input = Float32Array.from({ length: 44100 }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 44100));
    const output = await resampleHighQuality(input, 44100, 16000);
    expect(Math.abs(output.length - 16000)).toBeLessThanOrEqual(2);
    const expected = Float32Array.from({ length: output.length }, (_, i) => Math.sin((2 * Math.PI * 1000 * i) / 16000));
    // Compare away from the edges, where the filter has no history.
    expect(snrDb(output.subarray(200, 15000), expected.subarray(200, 15000))).toBeGreaterThan(40);
  });
});

describe('decoding and PCM', () => {
  it('round-trips a WAV file through the decoder', async () => {
    const tone = testSignal(32000, 3200).map((x) => x * 0.5);
    const decoded = await decodeAudio(encodeWav(floatToPcm16(tone), 32000));
    expect(decoded.sampleRate).toBe(32000);
    expect(decoded.channels).toHaveLength(1);
    expect(snrDb(decoded.channels[0]!, tone)).toBeGreaterThan(80);
  });

  it('refuses empty and undecodable input with a clear message', async () => {
    await expect(decodeAudio(new Uint8Array())).rejects.toThrow(AudioDecodeError);
    await expect(decodeAudio(new TextEncoder().encode('this is not audio at all'))).rejects.toThrow(/could not be decoded|no samples/);
  });

  // Found by the bad-input suite: 36 KB of IMA ADPCM (format 0x11) with a block size of 2 decoded to 451 million
  // samples in 14 s; a voice upload of a few of them took a GPU function to 19 GB.
  it('refuses WAV encodings and headers that would decode to more than the file holds, before decoding', async () => {
    const wav = (tag: number, channels: number, rate: number, blockAlign: number, bits: number, data: number, extensibleTag?: number): Uint8Array => {
      const fmtSize = extensibleTag === undefined ? 16 : 40;
      const bytes = new Uint8Array(12 + 8 + fmtSize + 8 + data);
      const view = new DataView(bytes.buffer);
      bytes.set(new TextEncoder().encode('RIFF'), 0);
      view.setUint32(4, bytes.length - 8, true);
      bytes.set(new TextEncoder().encode('WAVEfmt '), 8);
      view.setUint32(16, fmtSize, true);
      view.setUint16(20, tag, true);
      view.setUint16(22, channels, true);
      view.setUint32(24, rate, true);
      view.setUint32(28, rate * blockAlign, true);
      view.setUint16(32, blockAlign, true);
      view.setUint16(34, bits, true);
      if (extensibleTag !== undefined) view.setUint16(20 + 24, extensibleTag, true);
      bytes.set(new TextEncoder().encode('data'), 20 + fmtSize);
      view.setUint32(24 + fmtSize, data, true);
      return bytes;
    };
    const started = performance.now();
    await expect(decodeAudio(wav(0x11, 1, 8000, 2, 16, 36_000))).rejects.toThrow('WAV encoding 0x0011 is not supported');
    await expect(decodeAudio(wav(0xfffe, 1, 8000, 2, 16, 36_000, 0x11))).rejects.toThrow('WAV encoding 0x0011 is not supported');
    await expect(decodeAudio(wav(1, 6, 16_000, 48, 16, 36_000))).rejects.toThrow("the WAV file's block size 48 does not match 6 channels of 16-bit samples");
    await expect(decodeAudio(wav(1, 0, 16_000, 0, 16, 36_000))).rejects.toThrow('the WAV file has 0 channels');
    await expect(decodeAudio(wav(1, 1, 0, 2, 16, 36_000))).rejects.toThrow('a sample rate of 0 Hz');
    await expect(decodeAudio(wav(1, 1, 16_000, 1, 12, 36_000))).rejects.toThrow('PCM WAV with 12-bit samples is not supported');
    expect(performance.now() - started).toBeLessThan(1000);
    // What is supported still decodes, extensible headers included.
    expect((await decodeAudio(wav(0xfffe, 2, 16_000, 4, 16, 64_000, 1))).channels[0]).toHaveLength(16_000);
    expect((await decodeAudio(wav(3, 1, 16_000, 4, 32, 64_000))).channels[0]).toHaveLength(16_000);
  });

  it('clips full-scale samples instead of wrapping around', () => {
    expect(Array.from(floatToPcm16(Float32Array.of(1, -1, 1.5, 0.5, -0.5)))).toEqual([32767, -32768, 32767, 16384, -16384]);
  });

  it('mixes channels down by averaging', () => {
    expect(Array.from(mixToMono([Float32Array.of(1, 0.5), Float32Array.of(0, -0.5)]))).toEqual([0.5, 0]);
  });
});
