/**
 * Tensors in host memory: what checkpoint readers produce, graph builders embed as initializers and the float64
 * reference forwards compute on. Deliberately independent of onnxruntime's `Tensor`, which only `runtime/` touches.
 * @module
 */

export type DType = 'float64' | 'float32' | 'float16' | 'bfloat16' | 'int64' | 'int32' | 'int16' | 'int8' | 'uint8' | 'bool';

export interface TensorDataMap {
  float64: Float64Array;
  float32: Float32Array;
  /** IEEE binary16 bit patterns (Node 22 has no Float16Array). */
  float16: Uint16Array;
  /** bfloat16 bit patterns. */
  bfloat16: Uint16Array;
  int64: BigInt64Array;
  int32: Int32Array;
  int16: Int16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  /** One byte per element, 0 or 1. */
  bool: Uint8Array;
}

export interface HostTensor<D extends DType = DType> {
  readonly dtype: D;
  /** Row-major (C order) dimensions. */
  readonly shape: readonly number[];
  readonly data: TensorDataMap[D];
}

export const DTYPE_BYTES: Readonly<Record<DType, number>> = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  int32: 4,
  int16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
};

export function numel(shape: readonly number[]): number {
  let count = 1;
  for (const dim of shape) count *= dim;
  return count;
}

export function tensor<D extends DType>(dtype: D, shape: readonly number[], data: TensorDataMap[D]): HostTensor<D> {
  if (data.length !== numel(shape)) {
    throw new RangeError(`tensor of shape [${shape.join(', ')}] needs ${String(numel(shape))} elements, got ${String(data.length)}`);
  }
  return { dtype, shape: [...shape], data };
}

export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
