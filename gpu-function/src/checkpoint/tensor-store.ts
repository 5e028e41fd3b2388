/**
 * The lazy tensor store every reader returns: names and shapes are known up front, data is read from disk only when
 * one tensor is asked for, so a whole model never has to sit in memory at once.
 * @module
 */
import { formatShape, type DType, type HostTensor } from '../tensor/index.ts';
import { CheckpointError, errorMessage } from './errors.ts';

export interface TensorInfo {
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface TensorStore {
  /** The file (or folder) the tensors come from, as given by the caller. */
  readonly file: string;
  /** Tensor names in file order. */
  names(): readonly string[];
  info(name: string): TensorInfo | undefined;
  /** Reads one tensor; a name that is not in the store fails with a message naming the file and the tensor. */
  read(name: string): Promise<HostTensor>;
  /** Releases the file; reading afterwards fails. */
  close(): Promise<void>;
}

export interface LazyTensor {
  readonly info: TensorInfo;
  load(): Promise<HostTensor>;
}

export class LazyTensorStore implements TensorStore {
  readonly file: string;
  readonly #tensors: ReadonlyMap<string, LazyTensor>;
  readonly #release: () => Promise<void>;
  #closed = false;

  constructor(file: string, tensors: ReadonlyMap<string, LazyTensor>, release: () => Promise<void>) {
    this.file = file;
    this.#tensors = tensors;
    this.#release = release;
  }

  names(): readonly string[] {
    return [...this.#tensors.keys()];
  }

  info(name: string): TensorInfo | undefined {
    return this.#tensors.get(name)?.info;
  }

  /** The lazy entry itself, for stores that wrap this one. */
  lazy(name: string): LazyTensor | undefined {
    return this.#tensors.get(name);
  }

  async read(name: string): Promise<HostTensor> {
    if (this.#closed) throw new CheckpointError(this.file, 'the file was already closed', { tensor: name });
    const entry = this.#tensors.get(name);
    if (entry === undefined) throw new CheckpointError(this.file, 'is missing from this file', { tensor: name });
    try {
      return await entry.load();
    } catch (error) {
      if (error instanceof CheckpointError) throw error;
      throw new CheckpointError(this.file, `cannot be read: ${errorMessage(error)}`, { tensor: name, cause: error });
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#release();
  }
}

/** Fails unless the store holds `name` with exactly `shape`; returns the info. */
export function requireShape(store: TensorStore, name: string, shape: readonly number[]): TensorInfo {
  const info = store.info(name);
  if (info === undefined) throw new CheckpointError(store.file, 'is missing', { tensor: name });
  if (info.shape.length !== shape.length || info.shape.some((size, axis) => size !== shape[axis])) {
    throw new CheckpointError(store.file, `has shape ${formatShape(info.shape)}, expected ${formatShape(shape)}`, { tensor: name });
  }
  if (info.dtype !== 'float16' && info.dtype !== 'float32' && info.dtype !== 'bfloat16' && info.dtype !== 'float64') {
    throw new CheckpointError(store.file, `has dtype ${info.dtype}, expected a floating-point type`, { tensor: name });
  }
  return info;
}

/** The shape of `name`, failing with the file and tensor named when it is absent or has the wrong rank. */
export function shapeOf(store: TensorStore, name: string, rank: number): readonly number[] {
  const info = store.info(name);
  if (info === undefined) throw new CheckpointError(store.file, 'is missing', { tensor: name });
  if (info.shape.length !== rank) {
    throw new CheckpointError(store.file, `has shape ${formatShape(info.shape)}, expected ${rank} dimensions`, { tensor: name });
  }
  return info.shape;
}

/** Counts consecutive indices `0, 1, 2...` for which `pattern(i)` is a tensor in the store. */
export function countIndexed(store: TensorStore, pattern: (index: number) => string): number {
  let count = 0;
  while (store.info(pattern(count)) !== undefined) count += 1;
  return count;
}

/** A view of `source` under new names (`rename` returns undefined to leave a tensor out); closing it closes source. */
export function renameStore(source: LazyTensorStore, rename: (name: string) => string | undefined): LazyTensorStore {
  const tensors = new Map<string, LazyTensor>();
  for (const name of source.names()) {
    const renamed = rename(name);
    const lazy = source.lazy(name);
    if (renamed === undefined || lazy === undefined) continue;
    if (tensors.has(renamed)) throw new CheckpointError(source.file, `appears twice after renaming (from '${name}')`, { tensor: renamed });
    tensors.set(renamed, { info: lazy.info, load: () => source.read(name) });
  }
  return new LazyTensorStore(source.file, tensors, () => source.close());
}
