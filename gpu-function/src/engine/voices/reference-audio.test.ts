import { describe, expect, it } from 'vitest';
import { floatToPcm16 } from '../../audio/pcm.ts';
import { encodeWav } from '../../audio/wav.ts';
import { prepareReference, ReferenceAudioError, SSL_PADDING_SAMPLES } from './reference-audio.ts';

function tone(seconds: number, sampleRate: number, amplitude = 0.5): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * sampleRate) }, (_, i) => amplitude * Math.sin((2 * Math.PI * 220 * i) / sampleRate));
}

/** A float WAV (format 3) so out-of-range and non-finite samples survive encoding. */
function floatWav(samples: Float32Array, sampleRate: number): Uint8Array {
  const data = new Uint8Array(samples.buffer.slice(0));
  const header = new DataView(new ArrayBuffer(44));
  const ascii = (offset: number, text: string) => {
    for (let i = 0; i < text.length; i += 1) header.setUint8(offset + i, text.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  header.setUint32(4, 36 + data.length, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  header.setUint32(16, 16, true);
  header.setUint16(20, 3, true);
  header.setUint16(22, 1, true);
  header.setUint32(24, sampleRate, true);
  header.setUint32(28, sampleRate * 4, true);
  header.setUint16(32, 4, true);
  header.setUint16(34, 32, true);
  ascii(36, 'data');
  header.setUint32(40, data.length, true);
  const file = new Uint8Array(44 + data.length);
  file.set(new Uint8Array(header.buffer), 0);
  file.set(data, 44);
  return file;
}

describe('reference audio (GPT-SoVITS rules)', () => {
  it('produces the 16 kHz HuBERT input with 9600 trailing zeros and the 32 kHz spectrogram input', async () => {
    const prepared = await prepareReference(encodeWav(floatToPcm16(tone(4, 44100)), 44100));
    expect(prepared.sampleRate).toBe(44100);
    expect(prepared.durationSeconds).toBeCloseTo(4, 3);
    expect(Math.abs(prepared.ssl16k.length - (64000 + SSL_PADDING_SAMPLES))).toBeLessThanOrEqual(2);
    expect(prepared.ssl16k.subarray(prepared.ssl16k.length - SSL_PADDING_SAMPLES).every((x) => x === 0)).toBe(true);
    expect(prepared.spec32k.length).toBe(128000);
  });

  it('divides loud references by min(2, peak) on the 32 kHz path only', async () => {
    const prepared = await prepareReference(floatWav(tone(4, 32000, 1.6), 32000));
    const peak32 = prepared.spec32k.reduce((max, x) => Math.max(max, Math.abs(x)), 0);
    expect(peak32).toBeCloseTo(1, 3);
    const peak16 = prepared.ssl16k.reduce((max, x) => Math.max(max, Math.abs(x)), 0);
    expect(peak16).toBeGreaterThan(1.5);
  });

  it.each([
    ['too short', () => encodeWav(floatToPcm16(tone(2.5, 32000)), 32000), /3-10 seconds long, got 2\.50 s/],
    ['too long', () => encodeWav(floatToPcm16(tone(10.5, 16000)), 16000), /3-10 seconds long, got 10\.50 s/],
    ['silent', () => encodeWav(new Int16Array(32000 * 4), 32000), /silent/],
    ['NaN samples', () => floatWav(tone(4, 16000).fill(Number.NaN, 100, 200), 16000), /NaN/],
    ['a rate no voice needs', () => encodeWav(floatToPcm16(tone(4, 4000)), 4000), /sample rate 4000 Hz/],
    ['not audio', () => new TextEncoder().encode('definitely not a wav file'), /could not be decoded|no samples/],
  ])('rejects audio that is %s, saying why', async (_label, make, message) => {
    await expect(prepareReference(make())).rejects.toThrow(ReferenceAudioError);
    await expect(prepareReference(make())).rejects.toThrow(message);
  });
});
