import { describe, expect, it } from 'vitest';
import { float16BitsToNumber, float16ToFloat32, float32ToFloat16, numberToFloat16Bits } from './half.ts';

describe('float16 conversion', () => {
  it('decodes the landmark bit patterns', () => {
    expect(float16BitsToNumber(0x3c00)).toBe(1);
    expect(float16BitsToNumber(0xc000)).toBe(-2);
    expect(float16BitsToNumber(0x7bff)).toBe(65504);
    expect(float16BitsToNumber(0x0001)).toBe(2 ** -24);
    expect(float16BitsToNumber(0x7c00)).toBe(Infinity);
    expect(float16BitsToNumber(0xfc00)).toBe(-Infinity);
    expect(float16BitsToNumber(0x7e00)).toBeNaN();
  });

  it('round-trips every finite half value exactly', () => {
    for (let bits = 0; bits < 0x10000; bits += 1) {
      const exponent = (bits >> 10) & 0x1f;
      if (exponent === 0x1f) continue;
      const back = numberToFloat16Bits(float16BitsToNumber(bits));
      // -0 and +0 both survive with their sign.
      expect(back).toBe(bits);
    }
  });

  it('rounds to nearest even, overflows to infinity and flushes tiny values to zero', () => {
    expect(numberToFloat16Bits(1 + 2 ** -11)).toBe(0x3c00); // halfway, ties to even (down)
    expect(numberToFloat16Bits(1 + 3 * 2 ** -11)).toBe(0x3c02); // halfway, ties to even (up)
    expect(numberToFloat16Bits(65520)).toBe(0x7c00);
    expect(numberToFloat16Bits(2 ** -26)).toBe(0);
    expect(numberToFloat16Bits(Number.NaN) & 0x7c00).toBe(0x7c00);
  });

  it('converts whole arrays exactly as the scalar conversion does, on random bit patterns and edge values', () => {
    let state = 7;
    const words = Uint32Array.from({ length: 100_000 }, () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0));
    const edges = Float32Array.from([0, -0, 65504, 65520, 1e-8, 2 ** -24, 2 ** -25, 3 * 2 ** -26, Infinity, -Infinity, 1 + 2 ** -11, 1 + 3 * 2 ** -11]);
    for (const input of [new Float32Array(words.buffer), edges]) {
      const bulk = float32ToFloat16(input);
      const mismatches = [...input.entries()].filter(([i, value]) => !Number.isNaN(value) && bulk[i] !== numberToFloat16Bits(value));
      expect(mismatches).toEqual([]);
    }
  });

  it('converts arrays both ways', () => {
    const values = new Float32Array([0.5, -1.25, 3.140625, 1e-3]);
    const back = float16ToFloat32(float32ToFloat16(values));
    expect(Array.from(back.subarray(0, 3))).toEqual([0.5, -1.25, 3.140625]);
    expect(back[3]).toBeCloseTo(1e-3, 6);
  });
});
