/**
 * Raw little-endian bytes <-> typed tensor data, and strided gathers, for any DType. Checkpoint bytes are always
 * copied into a fresh buffer first, so every typed view is aligned.
 * @module
 */
import { DTYPE_BYTES, tensor, type DType, type HostTensor, type TensorDataMap } from '../tensor/index.ts';

export function typedArrayOf<D extends DType>(dtype: D, bytes: Uint8Array): TensorDataMap[D] {
  const size = DTYPE_BYTES[dtype];
  if (bytes.byteLength % size !== 0) throw new RangeError(`${bytes.byteLength} bytes is not a whole number of ${dtype} elements`);
  const aligned = bytes.byteOffset % size === 0 ? bytes : bytes.slice();
  const { buffer, byteOffset } = aligned;
  const length = aligned.byteLength / size;
  const arrays: { [K in DType]: () => TensorDataMap[K] } = {
    float64: () => new Float64Array(buffer, byteOffset, length),
    float32: () => new Float32Array(buffer, byteOffset, length),
    float16: () => new Uint16Array(buffer, byteOffset, length),
    bfloat16: () => new Uint16Array(buffer, byteOffset, length),
    int64: () => new BigInt64Array(buffer, byteOffset, length),
    int32: () => new Int32Array(buffer, byteOffset, length),
    int16: () => new Int16Array(buffer, byteOffset, length),
    int8: () => new Int8Array(buffer, byteOffset, length),
    uint8: () => new Uint8Array(buffer, byteOffset, length),
    bool: () => new Uint8Array(buffer, byteOffset, length),
  };
  return arrays[dtype]();
}

export function tensorFromBytes<D extends DType>(dtype: D, shape: readonly number[], bytes: Uint8Array): HostTensor<D> {
  return tensor(dtype, shape, typedArrayOf(dtype, bytes));
}

/** The bytes of a tensor's data (a view, not a copy). */
export function bytesOf(data: TensorDataMap[DType]): Uint8Array {
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** Reverses the byte order of every element in place (for checkpoints written on big-endian machines). */
export function swapByteOrder(bytes: Uint8Array, elementSize: number): void {
  if (elementSize === 1) return;
  for (let base = 0; base < bytes.length; base += elementSize) {
    for (let i = 0, j = elementSize - 1; i < j; i += 1, j -= 1) {
      const t = bytes[base + i] ?? 0;
      bytes[base + i] = bytes[base + j] ?? 0;
      bytes[base + j] = t;
    }
  }
}

function wordView(bytes: Uint8Array, elementSize: number): Uint8Array | Uint16Array | Uint32Array | BigUint64Array {
  const aligned = bytes.byteOffset % elementSize === 0 ? bytes : bytes.slice();
  const length = aligned.byteLength / elementSize;
  switch (elementSize) {
    case 1: return aligned;
    case 2: return new Uint16Array(aligned.buffer, aligned.byteOffset, length);
    case 4: return new Uint32Array(aligned.buffer, aligned.byteOffset, length);
    case 8: return new BigUint64Array(aligned.buffer, aligned.byteOffset, length);
    default: throw new RangeError(`unsupported element size ${elementSize}`);
  }
}

/**
 * Copies a strided view out of `source` (elements `base + sum(index_i * stride_i)`) into a C-ordered byte array.
 * Element bits are copied as words, so this works for every dtype.
 */
export function gatherStrided(source: Uint8Array, elementSize: number, base: number, shape: readonly number[], stride: readonly number[]): Uint8Array {
  let count = 1;
  for (const size of shape) count *= size;
  const out = new Uint8Array(count * elementSize);
  const from = wordView(source, elementSize);
  const to = wordView(out, elementSize);
  const index = new Array<number>(shape.length).fill(0);
  let position = base;
  for (let n = 0; n < count; n += 1) {
    // The word views share one element type, so this is a bit-exact copy.
    (to as Uint8Array)[n] = (from as Uint8Array)[position] ?? 0;
    for (let axis = shape.length - 1; axis >= 0; axis -= 1) {
      const next = (index[axis] ?? 0) + 1;
      if (next < (shape[axis] ?? 1)) {
        index[axis] = next;
        position += stride[axis] ?? 0;
        break;
      }
      index[axis] = 0;
      position -= ((shape[axis] ?? 1) - 1) * (stride[axis] ?? 0);
    }
  }
  return out;
}
