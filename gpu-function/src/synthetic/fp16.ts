/**
 * Bulk float32 -> float16 with the same round-to-nearest-even results as `numberToFloat16Bits`, reading the float
 * bits through a Uint32Array view instead of a DataView per element: about 5x faster, which matters when a
 * full-size synthetic model is 120 M fp16 values.
 * @module
 */

export function float32ArrayToFloat16Bits(values: Float32Array): Uint16Array {
  const words = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < words.length; i += 1) {
    const bits = words[i] ?? 0;
    const sign = (bits >>> 16) & 0x8000;
    const exponent = (bits >>> 23) & 0xff;
    let mantissa = bits & 0x7fffff;
    if (exponent === 0xff) {
      out[i] = sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
      continue;
    }
    const halfExponent = exponent - 112;
    if (halfExponent >= 0x1f) {
      out[i] = sign | 0x7c00;
    } else if (halfExponent <= 0) {
      if (halfExponent < -10) {
        out[i] = sign;
        continue;
      }
      mantissa |= 0x800000;
      const shift = 14 - halfExponent;
      const half = mantissa >>> shift;
      const remainder = mantissa & ((1 << shift) - 1);
      const halfway = 1 << (shift - 1);
      out[i] = sign | (half + (remainder > halfway || (remainder === halfway && (half & 1) === 1) ? 1 : 0));
    } else {
      const half = mantissa >>> 13;
      const remainder = mantissa & 0x1fff;
      out[i] = sign | ((halfExponent << 10) + half + (remainder > 0x1000 || (remainder === 0x1000 && (half & 1) === 1) ? 1 : 0));
    }
  }
  return out;
}
