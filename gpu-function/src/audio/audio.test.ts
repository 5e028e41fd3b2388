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

  it('clips full-scale samples instead of wrapping around', () => {
    expect(Array.from(floatToPcm16(Float32Array.of(1, -1, 1.5, 0.5, -0.5)))).toEqual([32767, -32768, 32767, 16384, -16384]);
  });

  it('mixes channels down by averaging', () => {
    expect(Array.from(mixToMono([Float32Array.of(1, 0.5), Float32Array.of(0, -0.5)]))).toEqual([0.5, 0]);
  });
});
