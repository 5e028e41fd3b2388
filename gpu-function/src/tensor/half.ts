/**
 * float16 and bfloat16 conversion. Written by hand because Node 22 has no Float16Array and the conversion is a few
 * lines of bit arithmetic; rounding is round-to-nearest-even, as PyTorch's `.half()` does.
 * @module
 */

const scratch = new DataView(new ArrayBuffer(4));

export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x03ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

export function numberToFloat16Bits(value: number): number {
  scratch.setFloat32(0, value);
  return float32BitsToFloat16Bits(scratch.getUint32(0));
}

/** Round-to-nearest-even from the bit pattern of a float32. */
function float32BitsToFloat16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exponent = (bits >>> 23) & 0xff;
  let mantissa = bits & 0x7fffff;
  if (exponent === 0xff) return sign | 0x7c00 | (mantissa === 0 ? 0 : 0x200);
  const halfExponent = exponent - 127 + 15;
  if (halfExponent >= 0x1f) return sign | 0x7c00;
  if (halfExponent <= 0) {
    if (halfExponent < -10) return sign;
    mantissa |= 0x800000;
    const shift = 14 - halfExponent;
    const halfMantissa = mantissa >> shift;
    const remainder = mantissa & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    const roundUp = remainder > halfway || (remainder === halfway && (halfMantissa & 1) === 1);
    return sign | (halfMantissa + (roundUp ? 1 : 0));
  }
  const halfMantissa = mantissa >> 13;
  const remainder = mantissa & 0x1fff;
  const roundUp = remainder > 0x1000 || (remainder === 0x1000 && (halfMantissa & 1) === 1);
  // A carry out of the mantissa correctly bumps the exponent (and may reach infinity).
  return sign | ((halfExponent << 10) + halfMantissa + (roundUp ? 1 : 0));
}

/** Every half value as a float32, built once: converting a checkpoint is then one table lookup per weight. */
let halfTable: Float32Array | undefined;

function halfToFloatTable(): Float32Array {
  if (halfTable === undefined) {
    halfTable = new Float32Array(65536);
    for (let bits = 0; bits < 65536; bits += 1) halfTable[bits] = float16BitsToNumber(bits);
  }
  return halfTable;
}

export function float16ToFloat32(bits: Uint16Array): Float32Array {
  const table = halfToFloatTable();
  const out = new Float32Array(bits.length);
  for (let i = 0; i < bits.length; i += 1) out[i] = table[bits[i] as number] as number;
  return out;
}

export function float32ToFloat16(values: Float32Array | Float64Array): Uint16Array {
  const floats = values instanceof Float32Array ? values : Float32Array.from(values);
  const words = new Uint32Array(floats.buffer, floats.byteOffset, floats.length);
  const out = new Uint16Array(floats.length);
  for (let i = 0; i < words.length; i += 1) out[i] = float32BitsToFloat16Bits(words[i] as number);
  return out;
}

export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const words = new Uint32Array(bits.length);
  for (let i = 0; i < bits.length; i += 1) words[i] = (bits[i] ?? 0) << 16;
  return new Float32Array(words.buffer);
}
