/**
 * How torch pickles tensors: storage classes (`torch.HalfStorage`...) carry the dtype, `_rebuild_tensor_v2` places a
 * view (offset, size, stride) on a storage. These are the values the unpickler hands back for them.
 * @module
 */
import type { DType } from '../tensor/index.ts';
import type { PickleExtension } from './pickle-values.ts';

/** torch storage class name (in module `torch`) -> element type. */
export const STORAGE_DTYPES: ReadonlyMap<string, DType> = new Map<string, DType>([
  ['HalfStorage', 'float16'],
  ['FloatStorage', 'float32'],
  ['DoubleStorage', 'float64'],
  ['BFloat16Storage', 'bfloat16'],
  ['LongStorage', 'int64'],
  ['IntStorage', 'int32'],
  ['ShortStorage', 'int16'],
  ['CharStorage', 'int8'],
  ['ByteStorage', 'uint8'],
  ['BoolStorage', 'bool'],
  // An untyped storage counts bytes; torch only pairs it with uint8 views.
  ['UntypedStorage', 'uint8'],
]);

export function storageClassFor(dtype: DType): string {
  for (const [name, candidate] of STORAGE_DTYPES) if (candidate === dtype) return name;
  throw new Error(`no torch storage class for ${dtype}`);
}

export interface TorchStorageRef extends PickleExtension {
  readonly pickleExtension: 'torch.storage';
  /** Record name under `<folder>/data/`. */
  readonly key: string;
  readonly dtype: DType;
  /** Elements in the storage. */
  readonly numel: number;
}

export interface TorchTensorRef extends PickleExtension {
  readonly pickleExtension: 'torch.tensor';
  readonly storage: TorchStorageRef;
  /** In elements. */
  readonly offset: number;
  readonly shape: readonly number[];
  /** In elements. */
  readonly stride: readonly number[];
}

export function isTorchTensorRef(value: unknown): value is TorchTensorRef {
  return typeof value === 'object' && value !== null && (value as Partial<TorchTensorRef>).pickleExtension === 'torch.tensor';
}

export function isTorchStorageRef(value: unknown): value is TorchStorageRef {
  return typeof value === 'object' && value !== null && (value as Partial<TorchStorageRef>).pickleExtension === 'torch.storage';
}

/** C-order strides for a shape. */
export function contiguousStrides(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let i = shape.length - 2; i >= 0; i -= 1) strides[i] = (strides[i + 1] ?? 1) * (shape[i + 1] ?? 1);
  return strides;
}

/** True when a view walks memory in C order; strides of size-1 dimensions do not matter. */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let i = shape.length - 1; i >= 0; i -= 1) {
    const size = shape[i] ?? 1;
    if (size !== 1 && stride[i] !== expected) return false;
    expected *= size;
  }
  return true;
}
