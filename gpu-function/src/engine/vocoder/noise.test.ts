import { describe, expect, it } from 'vitest';
import { philox4x32 } from '../sampling/philox.ts';
import { decoderNoiseAt, fillDecoderNoise, VOCODER_NOISE_TAG } from './noise.ts';

describe('decoder noise', () => {
  it('is standard normal: mean 0, variance 1, symmetric tails', () => {
    let sum = 0;
    let squares = 0;
    let beyond2 = 0;
    const n = 40_000;
    for (let i = 0; i < n; i += 1) {
      const z = decoderNoiseAt(9, 0, i % 37, Math.floor(i / 37));
      sum += z;
      squares += z * z;
      if (Math.abs(z) > 2) beyond2 += 1;
    }
    expect(sum / n).toBeCloseTo(0, 1);
    expect(squares / n).toBeCloseTo(1, 1);
    expect(beyond2 / n).toBeGreaterThan(0.035); // P(|z| > 2) = 0.0455
    expect(beyond2 / n).toBeLessThan(0.056);
  });

  it('is a pure function of (seed, segment, channel, frame), whichever window it is written in', () => {
    const channels = 6;
    const width = 9;
    const out = new Float32Array(2 * channels * width);
    fillDecoderNoise(out, channels * width, channels, width, { seed: 4, segment: 3, firstFrame: 100, frames: 7, scale: 0.5 });
    for (let c = 0; c < channels; c += 1) {
      for (let j = 0; j < width; j += 1) {
        const value = out[channels * width + c * width + j];
        if (j < 7) expect(value).toBeCloseTo(0.5 * decoderNoiseAt(4, 3, c, 100 + j), 6);
        else expect(value, 'columns past the window stay zero').toBe(0);
      }
    }
    expect(out.subarray(0, channels * width).every((v) => v === 0)).toBe(true);
  });

  it('differs between seeds, segments, channels and frames', () => {
    const base = decoderNoiseAt(1, 0, 0, 0);
    expect(decoderNoiseAt(2, 0, 0, 0)).not.toBe(base);
    expect(decoderNoiseAt(1, 1, 0, 0)).not.toBe(base);
    expect(decoderNoiseAt(1, 0, 1, 0)).not.toBe(base);
    expect(decoderNoiseAt(1, 0, 4, 0)).not.toBe(base);
    expect(decoderNoiseAt(1, 0, 0, 1)).not.toBe(base);
  });

  it('follows the documented stream layout: counter [frame, channel >> 2, tag, 0], key [seed, segment]', () => {
    // The sampler draws from counters [step, token, 0, 0]: the non-zero tag keeps the two streams apart.
    expect(VOCODER_NOISE_TAG).not.toBe(0);
    const [w0, w1, w2, w3] = philox4x32([17, 2, VOCODER_NOISE_TAG, 0], [123456789, 5]);
    const u = (w: number): number => (w + 0.5) / 4294967296;
    const expected = [
      Math.sqrt(-2 * Math.log(u(w0))) * Math.cos(2 * Math.PI * u(w1)),
      Math.sqrt(-2 * Math.log(u(w0))) * Math.sin(2 * Math.PI * u(w1)),
      Math.sqrt(-2 * Math.log(u(w2))) * Math.cos(2 * Math.PI * u(w3)),
      Math.sqrt(-2 * Math.log(u(w2))) * Math.sin(2 * Math.PI * u(w3)),
    ];
    expected.forEach((value, k) => {
      expect(decoderNoiseAt(123456789, 5, 8 + k, 17)).toBeCloseTo(value, 12);
    });
  });

  it('refuses a window wider than the row', () => {
    expect(() => {
      fillDecoderNoise(new Float32Array(8), 0, 2, 4, { seed: 0, segment: 0, firstFrame: 0, frames: 5, scale: 1 });
    }).toThrow(/5 frames does not fit 4 columns/);
  });
});
