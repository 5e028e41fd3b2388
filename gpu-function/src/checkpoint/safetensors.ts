/**
 * safetensors reader: u64 little-endian header length, a JSON header `{name: {dtype, shape, data_offsets}}`, then raw
 * little-endian data. Hand-written because no npm package reads it, and it is a few lines. Tensors are read lazily.
 * @module
 */
import type { FileHandle } from 'node:fs/promises';
import { DTYPE_BYTES, formatShape, numel, type DType } from '../tensor/index.ts';
import { CheckpointError, errorMessage } from './errors.ts';
import { openModelFile } from './open-file.ts';
import { LazyTensorStore, type LazyTensor } from './tensor-store.ts';
import { tensorFromBytes } from './typed-bytes.ts';

export const SAFETENSORS_DTYPES: ReadonlyMap<string, DType> = new Map<string, DType>([
  ['F64', 'float64'],
  ['F32', 'float32'],
  ['F16', 'float16'],
  ['BF16', 'bfloat16'],
  ['I64', 'int64'],
  ['I32', 'int32'],
  ['I16', 'int16'],
  ['I8', 'int8'],
  ['U8', 'uint8'],
  ['BOOL', 'bool'],
]);

const MAX_HEADER_BYTES = 100 * 1024 * 1024;

async function readExactly(handle: FileHandle, length: number, position: number): Promise<Uint8Array> {
  const out = new Uint8Array(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(out, done, length - done, position + done);
    if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
  return out;
}

function parseEntry(file: string, name: string, raw: unknown, dataBytes: number): { dtype: DType; shape: number[]; begin: number } {
  const fail = (message: string): never => { throw new CheckpointError(file, message, { tensor: name }); };
  if (typeof raw !== 'object' || raw === null) fail('has no header entry object');
  const entry = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
  const dtype = typeof entry.dtype === 'string' ? SAFETENSORS_DTYPES.get(entry.dtype) : undefined;
  if (dtype === undefined) fail(`has unsupported dtype ${JSON.stringify(entry.dtype)}`);
  const shape = entry.shape;
  if (!Array.isArray(shape) || !shape.every((size) => Number.isInteger(size) && (size as number) >= 0)) fail(`has a bad shape ${JSON.stringify(shape)}`);
  const offsets = entry.data_offsets;
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => Number.isInteger(o))) fail(`has bad data_offsets ${JSON.stringify(offsets)}`);
  const [begin, end] = offsets as [number, number];
  const checkedShape = shape as number[];
  const checkedDtype = dtype as DType;
  const expected = numel(checkedShape) * DTYPE_BYTES[checkedDtype];
  if (end - begin !== expected) fail(`holds ${end - begin} bytes but ${checkedDtype} ${formatShape(checkedShape)} needs ${expected}`);
  if (begin < 0 || end > dataBytes) fail(`data [${begin}, ${end}) lies outside the file's ${dataBytes} data bytes (truncated?)`);
  return { dtype: checkedDtype, shape: checkedShape, begin };
}

/** Opens a `.safetensors` file as a lazy store; a truncated file or a malformed header fails naming file and tensor. */
export async function openSafetensors(file: string): Promise<LazyTensorStore> {
  const handle = await openModelFile(file);
  try {
    const { size } = await handle.stat();
    if (size < 8) throw new CheckpointError(file, `is ${size} bytes long; not a safetensors file`);
    const headerLength = new DataView((await readExactly(handle, 8, 0)).buffer).getBigUint64(0, true);
    if (headerLength > BigInt(Math.min(MAX_HEADER_BYTES, size - 8))) {
      throw new CheckpointError(file, `declares a ${headerLength} byte header in a ${size} byte file; not a safetensors file, or truncated`);
    }
    const length = Number(headerLength);
    let header: unknown;
    try {
      header = JSON.parse(new TextDecoder().decode(await readExactly(handle, length, 8)));
    } catch (error) {
      throw new CheckpointError(file, `has an unreadable safetensors header: ${errorMessage(error)}`, { cause: error });
    }
    if (typeof header !== 'object' || header === null || Array.isArray(header)) throw new CheckpointError(file, 'has a safetensors header that is not an object');
    const dataStart = 8 + length;
    const tensors = new Map<string, LazyTensor>();
    for (const [name, raw] of Object.entries(header)) {
      if (name === '__metadata__') continue;
      const { dtype, shape, begin } = parseEntry(file, name, raw, size - dataStart);
      const bytes = numel(shape) * DTYPE_BYTES[dtype];
      tensors.set(name, {
        info: { dtype, shape },
        load: async () => tensorFromBytes(dtype, shape, await readExactly(handle, bytes, dataStart + begin)),
      });
    }
    return new LazyTensorStore(file, tensors, () => handle.close());
  } catch (error) {
    await handle.close();
    throw error;
  }
}
