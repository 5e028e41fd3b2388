/**
 * PyTorch zip checkpoints (`torch.save`): `<folder>/data.pkl` unpickled with torch's globals, tensors left on disk
 * as references and read one at a time. The folder name is whatever torch chose (`archive`, a timestamp,
 * `pytorch_model`), never assumed.
 * @module
 */
import { DTYPE_BYTES, formatShape, numel, type HostTensor } from '../tensor/index.ts';
import { CheckpointError, errorMessage } from './errors.ts';
import { readHeaderTag, type HeaderTag } from './header.ts';
import { PickleError, unpickle, type GlobalHandler } from './pickle-reader.ts';
import { PyDict, PyGlobal, PyTuple, describePickleValue, formatPickleValue, type PickleValue } from './pickle-values.ts';
import { LazyTensorStore, type LazyTensor } from './tensor-store.ts';
import { STORAGE_DTYPES, isContiguous, isTorchStorageRef, isTorchTensorRef, type TorchStorageRef, type TorchTensorRef } from './torch-types.ts';
import { gatherStrided, swapByteOrder, tensorFromBytes } from './typed-bytes.ts';
import { openZip, type ZipArchive } from './zip.ts';

export interface TorchCheckpoint {
  readonly file: string;
  /** The first two bytes as found on disk: `PK`, or a GPT-SoVITS version tag that was restored to `PK`. */
  readonly header: HeaderTag;
  /** The unpickled object; tensors in it are TorchTensorRef values. */
  readonly root: PickleValue;
  /** Record folder inside the zip, with its trailing slash. */
  readonly folder: string;
  /** Materializes one tensor (a contiguous copy, in its stored dtype). `name` is only used in error messages. */
  readTensor(ref: TorchTensorRef, name: string): Promise<HostTensor>;
  /** A lazy store over a dict of tensors (a state dict) inside `root`; closing it closes the checkpoint. */
  stateDict(dict: PyDict, options?: StateDictOptions): LazyTensorStore;
  close(): Promise<void>;
}

export interface StateDictOptions {
  /** Maps a stored key to the name exposed by the store, or `undefined` to leave the tensor out. */
  readonly rename?: (key: string) => string | undefined;
}

/**
 * The largest `data.pkl` read: it holds the object tree with tensors as references (kilobytes for GPT-SoVITS, a
 * megabyte or so for the largest Hugging Face models), and it is read and unpickled whole.
 */
export const MAX_PICKLE_BYTES = 64 * 1024 * 1024;

function intList(value: PickleValue, what: string): number[] {
  if (!(value instanceof PyTuple) && !Array.isArray(value)) throw new Error(`${what} is a ${describePickleValue(value)}, expected a tuple`);
  const items = value instanceof PyTuple ? value.items : value;
  return items.map((item) => {
    if (typeof item !== 'number' || !Number.isInteger(item) || item < 0) throw new Error(`${what} holds ${formatPickleValue(item)}, expected non-negative integers`);
    return item;
  });
}

function rebuildTensor(args: readonly PickleValue[]): TorchTensorRef {
  const [storage, offset, size, stride] = args;
  if (!isTorchStorageRef(storage)) throw new Error(`expected a storage, got ${describePickleValue(storage)}`);
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) throw new Error(`bad storage offset ${formatPickleValue(offset)}`);
  const shape = intList(size ?? null, 'size');
  const strides = intList(stride ?? null, 'stride');
  if (strides.length !== shape.length) throw new Error(`size ${formatShape(shape)} and stride ${formatShape(strides)} differ in rank`);
  return { pickleExtension: 'torch.tensor', storage, offset, shape, stride: strides };
}

function passThroughData(args: readonly PickleValue[]): PickleValue {
  const [data] = args;
  if (!isTorchTensorRef(data)) throw new Error(`expected a tensor, got ${describePickleValue(data)}`);
  return data;
}

function orderedDict(args: readonly PickleValue[]): PyDict {
  const dict = new PyDict('collections.OrderedDict');
  const [items] = args;
  if (items === undefined) return dict;
  if (!Array.isArray(items)) throw new Error(`expected a list of pairs, got ${describePickleValue(items)}`);
  for (const pair of items) {
    const entry = pair instanceof PyTuple ? pair.items : Array.isArray(pair) ? pair : [];
    if (entry.length !== 2) throw new Error('expected (key, value) pairs');
    dict.set(entry[0] ?? null, entry[1] ?? null);
  }
  return dict;
}

function codecsEncode(args: readonly PickleValue[]): Uint8Array {
  const [text, encoding] = args;
  if (typeof text !== 'string' || (encoding !== 'latin1' && encoding !== 'latin-1')) throw new Error('only latin1 _codecs.encode is supported');
  return Uint8Array.from(text, (char) => char.charCodeAt(0));
}

/** Everything a torch state dict or GPT-SoVITS checkpoint may reference. Only data is built; nothing runs. */
function torchGlobals(): Map<string, GlobalHandler> {
  const globals = new Map<string, GlobalHandler>([
    ['collections.OrderedDict', { kind: 'function', call: orderedDict }],
    ['torch._utils._rebuild_tensor_v2', { kind: 'function', call: rebuildTensor }],
    ['torch._utils._rebuild_tensor', { kind: 'function', call: rebuildTensor }],
    ['torch._utils._rebuild_parameter', { kind: 'function', call: passThroughData }],
    ['torch._utils._rebuild_parameter_with_state', { kind: 'function', call: passThroughData }],
    ['_codecs.encode', { kind: 'function', call: codecsEncode }],
    // GPT-SoVITS's SoVITS config object (GPT_SoVITS/utils.py): attributes only.
    ['utils.HParams', { kind: 'class' }],
    ['GPT_SoVITS.utils.HParams', { kind: 'class' }],
  ]);
  for (const name of STORAGE_DTYPES.keys()) globals.set(`torch.${name}`, { kind: 'constant' });
  return globals;
}

function persistentLoader(): (pid: PickleValue) => TorchStorageRef {
  const storages = new Map<string, TorchStorageRef>();
  return (pid) => {
    const items = pid instanceof PyTuple ? pid.items : [];
    const [tag, type, key, , count] = items;
    if (tag !== 'storage' || !(type instanceof PyGlobal) || typeof key !== 'string' || typeof count !== 'number') {
      throw new Error(`unexpected persistent id (${describePickleValue(pid)}); expected ('storage', type, key, location, numel)`);
    }
    const dtype = type.module === 'torch' ? STORAGE_DTYPES.get(type.name) : undefined;
    if (dtype === undefined) throw new Error(`unsupported storage type ${type.qualifiedName}`);
    const known = storages.get(key);
    if (known !== undefined) {
      if (known.dtype !== dtype) throw new Error(`storage '${key}' is used as both ${known.dtype} and ${dtype}`);
      return known;
    }
    const storage: TorchStorageRef = { pickleExtension: 'torch.storage', key, dtype, numel: count };
    storages.set(key, storage);
    return storage;
  };
}

function findFolder(zip: ZipArchive): string {
  const candidates = zip.names().filter((name) => name === 'data.pkl' || /^[^/]+\/data\.pkl$/.test(name));
  const [only] = candidates;
  if (only === undefined) throw new CheckpointError(zip.file, 'is a zip file but not a PyTorch checkpoint (no <folder>/data.pkl record)');
  if (candidates.length > 1) throw new CheckpointError(zip.file, `holds several checkpoints (${candidates.join(', ')})`);
  return only.slice(0, -'data.pkl'.length);
}

class ZipTorchCheckpoint implements TorchCheckpoint {
  readonly file: string;
  readonly header: HeaderTag;
  readonly root: PickleValue;
  readonly folder: string;
  readonly #zip: ZipArchive;
  readonly #bigEndian: boolean;

  constructor(zip: ZipArchive, header: HeaderTag, folder: string, root: PickleValue, bigEndian: boolean) {
    this.file = zip.file;
    this.header = header;
    this.folder = folder;
    this.root = root;
    this.#zip = zip;
    this.#bigEndian = bigEndian;
  }

  async readTensor(ref: TorchTensorRef, name: string): Promise<HostTensor> {
    const { storage, offset, shape, stride } = ref;
    const size = DTYPE_BYTES[storage.dtype];
    const record = `${this.folder}data/${storage.key}`;
    const entry = this.#zip.entry(record);
    const fail = (message: string): never => { throw new CheckpointError(this.file, message, { tensor: name }); };
    if (entry === undefined) fail(`its storage record '${record}' is missing`);
    const storageBytes = storage.numel * size;
    if (entry !== undefined && entry.size < storageBytes) {
      fail(`its storage '${record}' holds ${entry.size} bytes but ${storage.numel} ${storage.dtype} elements need ${storageBytes}`);
    }
    const count = numel(shape);
    if (count === 0) return tensorFromBytes(storage.dtype, shape, new Uint8Array(0));
    let last = offset;
    shape.forEach((dim, axis) => { last += (dim - 1) * (stride[axis] ?? 0); });
    if (last >= storage.numel) {
      fail(`view ${formatShape(shape)} (offset ${offset}, stride ${formatShape(stride)}) runs past its storage of ${storage.numel} elements`);
    }
    let bytes: Uint8Array;
    if (isContiguous(shape, stride)) {
      bytes = await this.#zip.read(record, offset * size, count * size);
    } else {
      const span = await this.#zip.read(record, offset * size, (last - offset + 1) * size);
      bytes = gatherStrided(span, size, 0, shape, stride);
    }
    if (this.#bigEndian) swapByteOrder(bytes, size);
    return tensorFromBytes(storage.dtype, shape, bytes);
  }

  stateDict(dict: PyDict, options: StateDictOptions = {}): LazyTensorStore {
    const tensors = new Map<string, LazyTensor>();
    for (const [key, value] of dict) {
      if (typeof key !== 'string') throw new CheckpointError(this.file, `state dict key ${formatPickleValue(key)} is not a string`);
      if (!isTorchTensorRef(value)) {
        throw new CheckpointError(this.file, `is a ${describePickleValue(value)}, not a tensor`, { tensor: key });
      }
      const name = options.rename === undefined ? key : options.rename(key);
      if (name === undefined) continue;
      if (tensors.has(name)) throw new CheckpointError(this.file, `appears twice (as '${key}')`, { tensor: name });
      tensors.set(name, {
        info: { dtype: value.storage.dtype, shape: value.shape },
        load: () => this.readTensor(value, key),
      });
    }
    return new LazyTensorStore(this.file, tensors, () => this.close());
  }

  close(): Promise<void> {
    return this.#zip.close();
  }
}

/**
 * Opens a `torch.save` zip file (GPT `.ckpt`, SoVITS `.pth`, `pytorch_model.bin`) and unpickles its object tree.
 * GPT-SoVITS version tags in the first two bytes are restored to `PK`. Tensor data stays on disk until read.
 */
export async function openTorchCheckpoint(file: string): Promise<TorchCheckpoint> {
  const header = await readHeaderTag(file);
  const zip = await openZip(file, { restoreSignature: header !== 'PK' });
  try {
    const folder = findFolder(zip);
    const pickleSize = zip.entry(`${folder}data.pkl`)?.size ?? 0;
    if (pickleSize > MAX_PICKLE_BYTES) {
      throw new CheckpointError(file, `its object record ${folder}data.pkl is ${pickleSize} bytes; a checkpoint's is at most ${MAX_PICKLE_BYTES} (the tensors are kept apart from it)`);
    }
    const pickle = await zip.read(`${folder}data.pkl`);
    let root: PickleValue;
    try {
      root = unpickle(pickle, { globals: torchGlobals(), persistentLoad: persistentLoader() });
    } catch (error) {
      if (!(error instanceof PickleError)) throw error;
      throw new CheckpointError(file, `cannot unpickle ${folder}data.pkl: ${error.message}`, { cause: error });
    }
    const byteOrderRecord = zip.entry(`${folder}byteorder`);
    const byteOrder = byteOrderRecord === undefined ? 'little' : new TextDecoder().decode(await zip.read(`${folder}byteorder`)).trim();
    if (byteOrder !== 'little' && byteOrder !== 'big') throw new CheckpointError(file, `unknown byteorder record '${byteOrder}'`);
    return new ZipTorchCheckpoint(zip, header, folder, root, byteOrder === 'big');
  } catch (error) {
    await zip.close();
    if (error instanceof CheckpointError) throw error;
    throw new CheckpointError(file, errorMessage(error), { cause: error });
  }
}
