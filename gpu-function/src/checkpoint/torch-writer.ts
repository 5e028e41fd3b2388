/**
 * Writes real `torch.save` zip checkpoints: `<folder>/data.pkl` (protocol 2, tensors as `_rebuild_tensor_v2` over
 * persistent storage ids), `<folder>/data/<key>` (stored, little-endian) and `<folder>/version`, via yazl. Storage
 * bytes are produced lazily one at a time while the zip streams to disk, so a full-size model is never held in
 * memory. GPT-SoVITS's `my_save2` header tags can be stamped over the leading `PK`.
 * @module
 */
import { createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';
import { DTYPE_BYTES, numel, type DType } from '../tensor/index.ts';
import type { HeaderTag } from './header.ts';
import {
  PickleInstance,
  PickleOrderedDict,
  PickleTuple,
  PickleWriter,
  isPickleReducible,
  type PickleDictObject,
  type PickleReducible,
  type PickleWriteValue,
} from './pickle-writer.ts';
import { contiguousStrides, storageClassFor } from './torch-types.ts';

/** One storage record: `numel` elements of `dtype`, whose little-endian bytes `bytes()` makes on demand. */
export interface StorageSource {
  readonly key: string;
  readonly dtype: DType;
  readonly numel: number;
  bytes(): Uint8Array | Promise<Uint8Array>;
}

/** A tensor in a pickle: a view (offset, shape, stride in elements) on a storage. Several may share one storage. */
export class TensorWrite implements PickleReducible {
  readonly storage: StorageSource;
  readonly offset: number;
  readonly shape: readonly number[];
  readonly stride: readonly number[];

  constructor(storage: StorageSource, shape: readonly number[], view: { offset?: number; stride?: readonly number[] } = {}) {
    this.storage = storage;
    this.shape = shape;
    this.offset = view.offset ?? 0;
    this.stride = view.stride ?? contiguousStrides(shape);
  }

  writePickle(writer: PickleWriter): void {
    writer.global('torch._utils', '_rebuild_tensor_v2');
    writer.op(0x28); // MARK
    writer.op(0x28); // persistent id tuple
    writer.string('storage');
    writer.global('torch', storageClassFor(this.storage.dtype));
    writer.string(this.storage.key);
    writer.string('cpu');
    writer.int(this.storage.numel);
    writer.op(0x74, 0x51); // TUPLE, BINPERSID
    writer.int(this.offset);
    writer.tuple(this.shape);
    writer.tuple(this.stride);
    writer.op(0x89); // requires_grad False
    writer.value(new PickleOrderedDict([])); // backward hooks
    writer.op(0x74, 0x52); // TUPLE, REDUCE
  }
}

/** A contiguous tensor with its own storage. */
export function ownedTensor(key: string, dtype: DType, shape: readonly number[], bytes: () => Uint8Array | Promise<Uint8Array>): TensorWrite {
  return new TensorWrite({ key, dtype, numel: numel(shape), bytes }, shape);
}

function collectStorages(value: PickleWriteValue, into: Map<string, StorageSource>): void {
  if (value instanceof TensorWrite) {
    const known = into.get(value.storage.key);
    if (known !== undefined && known !== value.storage) throw new Error(`two different storages share the key '${value.storage.key}'`);
    into.set(value.storage.key, value.storage);
  } else if (value instanceof PickleTuple) for (const item of value.items) collectStorages(item, into);
  else if (value instanceof PickleOrderedDict) for (const [key, item] of value.entries) { collectStorages(key, into); collectStorages(item, into); }
  else if (value instanceof PickleInstance) collectStorages(value.state, into);
  else if (Array.isArray(value)) for (const item of value as readonly PickleWriteValue[]) collectStorages(item, into);
  else if (value instanceof Map) for (const [key, item] of value as ReadonlyMap<PickleWriteValue, PickleWriteValue>) { collectStorages(key, into); collectStorages(item, into); }
  else if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array) && !isPickleReducible(value) && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value as PickleDictObject)) collectStorages(item, into);
  }
}

export interface TorchWriteOptions {
  /** Record folder; torch uses `archive` (or the file stem); GPT-SoVITS's my_save leaves a timestamp. */
  readonly folder?: string;
  /** Two bytes to stamp over `PK` (GPT-SoVITS's my_save2 tags `05`, `06`...). */
  readonly header?: HeaderTag;
}

// A fixed timestamp keeps synthetic files byte-identical for a given seed.
const ZIP_OPTIONS = { compress: false, mtime: new Date(Date.UTC(2024, 0, 1)), forceDosTimestamp: true } as const;

/** Writes `root` as a torch zip checkpoint at `file`, streaming each storage's bytes as the zip reaches it. */
export async function writeTorchCheckpoint(file: string, root: PickleWriteValue, options: TorchWriteOptions = {}): Promise<void> {
  const folder = options.folder ?? 'archive';
  const storages = new Map<string, StorageSource>();
  collectStorages(root, storages);
  const writer = new PickleWriter();
  writer.value(root);
  const zip = new ZipFile();
  const failed = new Promise<never>((_, reject) => { zip.on('error', reject); });
  const output = createWriteStream(file);
  const written = pipeline(zip.outputStream, output);
  zip.addBuffer(Buffer.from(writer.finish()), `${folder}/data.pkl`, ZIP_OPTIONS);
  for (const storage of storages.values()) {
    const size = storage.numel * DTYPE_BYTES[storage.dtype];
    zip.addReadStreamLazy(`${folder}/data/${storage.key}`, { ...ZIP_OPTIONS, size }, (callback) => {
      Promise.resolve(storage.bytes()).then(
        (bytes) => {
          if (bytes.byteLength !== size) throw new Error(`storage '${storage.key}' produced ${bytes.byteLength} bytes, expected ${size}`);
          callback(null, Readable.from([Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)]));
        },
      ).catch((error: unknown) => { callback(error, Readable.from([])); });
    });
  }
  zip.addBuffer(Buffer.from('3\n'), `${folder}/version`, ZIP_OPTIONS);
  zip.end();
  try {
    await Promise.race([written, failed]);
  } catch (error) {
    // Stop the file stream too, so the half-written file is closed before the error surfaces.
    output.destroy();
    await written.catch(() => undefined);
    throw error;
  }
  if (options.header !== undefined && options.header !== 'PK') {
    const handle = await open(file, 'r+');
    try {
      await handle.write(Buffer.from(options.header, 'latin1'), 0, 2, 0);
    } finally {
      await handle.close();
    }
  }
}
