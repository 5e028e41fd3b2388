/**
 * Checkpoints built to hurt a reader, written into a folder for `gsv-edge bundle` to refuse: zip bombs (a pickle or
 * a tensor storage that inflates to a gigabyte, with its size told or hidden, or a size claimed past memory), pickle
 * bombs (billion laughs through the memo, nesting hundreds of thousands deep, a config that contains itself, integers
 * of millions of digits, lengths past the file, a million items spread at once, a global that would run code)
 * and files cut short or not checkpoints at all.
 * @module
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { crc32, createDeflateRaw } from 'node:zlib';
import { fromBuffer, type Entry, type ZipFile as ZipReader } from 'yauzl';
import { ZipFile } from 'yazl';

export interface BadCheckpoint {
  readonly name: string;
  /** Where it goes on the command line: the GPT checkpoint, or the SoVITS one (beside a valid GPT file). */
  readonly role: 'gpt' | 'sovits';
  readonly path: string;
}

const GIB = 1024 ** 3;

/** Pickle opcodes, as bytes. */
const op = {
  proto: (version: number) => [0x80, version],
  emptyDict: [0x7d],
  emptyList: [0x5d],
  mark: [0x28],
  setItems: [0x75],
  append: [0x61],
  appends: [0x65],
  pop: [0x30],
  stop: [0x2e],
  binint1: (value: number) => [0x4b, value & 0xff],
  binput: (index: number) => [0x71, index & 0xff],
  binget: (index: number) => [0x68, index & 0xff],
  str: (text: string) => {
    const bytes = new TextEncoder().encode(text);
    return [0x8c, bytes.length, ...bytes];
  },
};

function u32(value: number): number[] {
  return [value & 0xff, (value >>> 8) & 0xff, (value >>> 16) & 0xff, (value >>> 24) & 0xff];
}

function u64(value: bigint): number[] {
  return Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn));
}

/** `{'weight': {}, 'config': {'data': <value>}, 'info': 'bomb'}`: the config is read whole, the value with it. */
function gptDict(value: readonly number[] | Uint8Array): Uint8Array {
  return Uint8Array.from([
    ...op.proto(2), ...op.emptyDict, ...op.mark,
    ...op.str('weight'), ...op.emptyDict,
    ...op.str('config'), ...op.emptyDict, ...op.mark, ...op.str('data'), ...value, ...op.setItems,
    ...op.str('info'), ...op.str('bomb'),
    ...op.setItems, ...op.stop,
  ]);
}

/** 10^levels ones, from levels lists of ten references to the list below (the memo makes each a reference). */
function billionLaughs(levels: number): number[] {
  const bytes: number[] = [...op.emptyList, ...op.binput(0), ...op.mark];
  for (let i = 0; i < 10; i += 1) bytes.push(...op.binint1(1));
  bytes.push(...op.appends, ...op.pop);
  for (let level = 1; level <= levels; level += 1) {
    bytes.push(...op.emptyList, ...op.binput(level), ...op.mark);
    for (let i = 0; i < 10; i += 1) bytes.push(...op.binget(level - 1));
    bytes.push(...op.appends, ...op.pop);
  }
  bytes.push(...op.binget(levels));
  return bytes;
}

/** A list in a list ... `depth` deep, built on the stack without recursion. */
function deepList(depth: number): Uint8Array {
  const bytes = new Uint8Array(depth * 2);
  bytes.fill(0x5d, 0, depth);
  bytes.fill(0x61, depth);
  return bytes.subarray(0, depth * 2 - 1);
}

function selfContaining(): number[] {
  return [...op.emptyList, ...op.binput(0), ...op.binget(0), ...op.append];
}

/** A text-form integer (`L<digits>L\n`): decimal parsing is quadratic in its length. */
function hugeTextInt(digits: number): Uint8Array {
  const bytes = new Uint8Array(digits + 3);
  bytes[0] = 0x4c;
  bytes.fill(0x39, 1, digits + 1);
  bytes[digits + 1] = 0x4c;
  bytes[digits + 2] = 0x0a;
  return bytes;
}

/** LONG4: a binary integer `size` bytes long. */
function hugeBinaryInt(size: number): Uint8Array {
  const bytes = new Uint8Array(5 + size).fill(0x7f);
  bytes.set([0x8b, ...u32(size)], 0);
  return bytes;
}

function manyItems(count: number): Uint8Array {
  const bytes = new Uint8Array(2 + count * 2 + 1);
  bytes[0] = 0x5d;
  bytes[1] = 0x28;
  for (let i = 0; i < count; i += 1) bytes.set([0x4b, i & 0xff], 2 + i * 2);
  bytes[2 + count * 2] = 0x65;
  return bytes;
}

interface ZipPart {
  readonly name: string;
  readonly data: Uint8Array;
  readonly compress: boolean;
}

async function writeZip(path: string, parts: readonly ZipPart[]): Promise<void> {
  const zip = new ZipFile();
  for (const part of parts) zip.addBuffer(Buffer.from(part.data), part.name, { compress: part.compress });
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(path));
}

function torchZip(dataPkl: Uint8Array, more: readonly ZipPart[] = []): ZipPart[] {
  return [{ name: 'archive/data.pkl', data: dataPkl, compress: false }, { name: 'archive/version', data: new TextEncoder().encode('3\n'), compress: false }, ...more];
}

/**
 * `prefix` and then `zeros` zero bytes, deflated (raw, as a zip stores it) by zlib as they are produced, with their
 * CRC-32: a gigabyte never sits in memory, and it compresses to about a megabyte in a few seconds.
 */
async function deflatedZeros(prefix: Uint8Array, zeros: number): Promise<RawEntryData> {
  const deflate = createDeflateRaw({ level: 9 });
  const output: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => output.push(chunk));
  const done = once(deflate, 'end');
  let crc = crc32(prefix);
  if (!deflate.write(prefix)) await once(deflate, 'drain');
  const chunk = Buffer.alloc(1 << 22);
  for (let left = zeros; left > 0; left -= chunk.length) {
    const piece = left >= chunk.length ? chunk : chunk.subarray(0, left);
    crc = crc32(piece, crc);
    if (!deflate.write(piece)) await once(deflate, 'drain');
  }
  deflate.end();
  await done;
  return { method: 8, crc, size: prefix.length + zeros, data: Buffer.concat(output) };
}

interface RawEntryData {
  /** 0 stored, 8 deflated. */
  readonly method: number;
  readonly crc: number;
  /** Uncompressed size. */
  readonly size: number;
  readonly data: Buffer;
}

function stored(data: Uint8Array): RawEntryData {
  return { method: 0, crc: crc32(data), size: data.length, data: Buffer.from(data) };
}

/** A zip written field by field (32-bit sizes), for entries whose data is deflated already. */
async function writeRawZip(path: string, entries: readonly (RawEntryData & { readonly name: string })[]): Promise<void> {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const fields = (signature: number, size: number): Buffer => {
      const header = Buffer.alloc(size);
      header.writeUInt32LE(signature, 0);
      return header;
    };
    const local = fields(0x04034b50, 30);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt32LE(entry.crc >>> 0, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(name.length, 26);
    const directory = fields(0x02014b50, 46);
    directory.writeUInt16LE(20, 4);
    directory.writeUInt16LE(20, 6);
    directory.writeUInt16LE(entry.method, 10);
    directory.writeUInt32LE(entry.crc >>> 0, 16);
    directory.writeUInt32LE(entry.data.length, 20);
    directory.writeUInt32LE(entry.size, 24);
    directory.writeUInt16LE(name.length, 28);
    directory.writeUInt32LE(offset, 42);
    parts.push(local, name, entry.data);
    central.push(directory, name);
    offset += local.length + name.length + entry.data.length;
  }
  const directoryBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directoryBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  await writeFile(path, Buffer.concat([...parts, directoryBytes, end]));
}

/** Rewrites the 32-bit uncompressed size of entry `name` in its local and central headers. */
function patchUncompressedSize(zip: Buffer, name: string, size: number): void {
  const encodedName = Buffer.from(name);
  for (const [signature, sizeOffset, nameOffset] of [[0x04034b50, 22, 30], [0x02014b50, 24, 46]] as const) {
    for (let at = zip.indexOf(Buffer.from(u32(signature))); at >= 0; at = zip.indexOf(Buffer.from(u32(signature)), at + 4)) {
      if (zip.subarray(at + nameOffset, at + nameOffset + encodedName.length).equals(encodedName)) zip.writeUInt32LE(size >>> 0, at + sizeOffset);
    }
  }
}

/** Rewrites the compression method of every entry (local and central headers). */
function patchMethod(zip: Buffer, method: number): void {
  for (const [signature, offset] of [[0x04034b50, 8], [0x02014b50, 10]] as const) {
    for (let at = zip.indexOf(Buffer.from(u32(signature))); at >= 0; at = zip.indexOf(Buffer.from(u32(signature)), at + 4)) zip.writeUInt16LE(method, at + offset);
  }
}

async function entriesOf(zip: Buffer): Promise<{ name: string; data: Buffer }[]> {
  const archive = await new Promise<ZipReader>((resolve, reject) => {
    fromBuffer(zip, { lazyEntries: false }, (error, opened) => {
      if (error !== null) reject(error);
      else resolve(opened);
    });
  });
  const entries: Entry[] = [];
  archive.on('entry', (entry: Entry) => entries.push(entry));
  await once(archive, 'end');
  const out: { name: string; data: Buffer }[] = [];
  for (const entry of entries) {
    const stream = await archive.openReadStreamPromise(entry);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    out.push({ name: entry.fileName, data: Buffer.concat(chunks) });
  }
  return out;
}

/** Writes the bad checkpoints `wanted` names into `dir`, some made from the valid GPT checkpoint `validGpt`. */
export async function writeBadCheckpoints(dir: string, validGpt: string, wanted: (name: string) => boolean): Promise<BadCheckpoint[]> {
  const made: BadCheckpoint[] = [];
  const add = async (name: string, role: BadCheckpoint['role'], write: (path: string) => Promise<void>): Promise<void> => {
    if (!wanted(name)) return;
    const path = join(dir, `${name}.${role === 'gpt' ? 'ckpt' : 'pth'}`);
    await write(path);
    made.push({ name, role, path });
  };
  const valid = await readFile(validGpt);
  // Past the memory limit the suite holds `gsv-edge bundle` to, so a reader that inflates it whole is caught.
  const bombBytes = GIB;

  // Zip bombs.
  let pickleBomb: Promise<RawEntryData> | undefined;
  const deflatedPickle = (): Promise<RawEntryData> => (pickleBomb ??= deflatedZeros(gptDict(op.emptyDict), bombBytes));
  await add('zip bomb: data.pkl inflates to a gigabyte', 'gpt', async (path) => writeRawZip(path, [{ name: 'archive/data.pkl', ...(await deflatedPickle()) }]));
  await add('zip bomb: data.pkl inflates to a gigabyte, its size hidden', 'gpt', async (path) => writeRawZip(path, [{ name: 'archive/data.pkl', ...(await deflatedPickle()), size: 4096 }]));
  await add('zip bomb: data.pkl claims 4 GiB', 'gpt', async (path) => {
    await writeZip(path, torchZip(gptDict(op.emptyDict)).map((part) => ({ ...part, compress: true })));
    const zip = await readFile(path);
    patchUncompressedSize(zip, 'archive/data.pkl', 0xffff_fffe);
    await writeFile(path, zip);
  });
  await add('zip bomb: a tensor storage inflates to a gigabyte', 'gpt', async (path) => {
    // The valid checkpoint with one storage record replaced by a compressed one, its true bytes followed by zeros.
    const entries = await entriesOf(valid);
    const storage = entries.find((entry) => /\/data\/\d+$/.test(entry.name));
    if (storage === undefined) throw new Error('the synthetic GPT checkpoint has no storage record');
    const bomb = await deflatedZeros(storage.data, bombBytes);
    await writeRawZip(path, entries.map((entry) => ({ name: entry.name, ...(entry === storage ? bomb : stored(entry.data)) })));
  });
  await add('zip: an unsupported compression method', 'gpt', async (path) => {
    await writeZip(path, torchZip(gptDict(op.emptyDict)).map((part) => ({ ...part, compress: true })));
    const zip = await readFile(path);
    patchMethod(zip, 14);
    await writeFile(path, zip);
  });
  await add('zip: a hundred thousand entries', 'gpt', (path) => writeZip(path, torchZip(gptDict(op.emptyDict), Array.from({ length: 100_000 }, (_, i) => ({ name: `archive/extra/${String(i)}`, data: new Uint8Array(0), compress: false })))));

  // Pickle bombs (in a well-formed zip).
  const pickled = (name: string, pickle: Uint8Array): Promise<void> => add(name, 'gpt', (path) => writeZip(path, torchZip(pickle)));
  await pickled('pickle bomb: billion laughs (10^30 items through the memo)', gptDict(billionLaughs(30)));
  await pickled('pickle bomb: lists nested 500,000 deep', gptDict(deepList(500_000)));
  await pickled('pickle bomb: a config that contains itself', gptDict(selfContaining()));
  await pickled('pickle bomb: an integer of 5 million decimal digits', gptDict(hugeTextInt(5_000_000)));
  await pickled('pickle bomb: an integer of 8 MB', gptDict(hugeBinaryInt(8_000_000)));
  await pickled('pickle bomb: a string claiming 2^52 bytes', gptDict([0x8d, ...u64(2n ** 52n), 0x41]));
  await pickled('pickle bomb: bytes claiming 4 GiB', gptDict([0x42, ...u32(0xffff_ffff), 0x41]));
  await pickled('pickle bomb: a million items appended at once', gptDict(manyItems(1_000_000)));
  await pickled('pickle: a global that would run code (os.system)', gptDict([0x63, ...new TextEncoder().encode('os\nsystem\n'), ...op.str('echo pwned'), 0x85, 0x52]));

  // Files cut short, empty, or not checkpoints.
  for (const fraction of [0.001, 0.3, 0.7, 0.999]) {
    await add(`truncated GPT checkpoint (${String(fraction * 100)}% kept)`, 'gpt', (path) => writeFile(path, valid.subarray(0, Math.max(2, Math.floor(valid.length * fraction)))));
  }
  await add('truncated SoVITS checkpoint (half kept)', 'sovits', (path) => writeFile(path, valid.subarray(0, Math.floor(valid.length / 2))));
  await add('empty file', 'gpt', (path) => writeFile(path, new Uint8Array(0)));
  await add('random bytes after PK', 'gpt', (path) => writeFile(path, Uint8Array.from({ length: 65_536 }, (_, i) => (i < 2 ? [0x50, 0x4b][i] ?? 0 : (i * 2_654_435_761) >>> 24))));
  await add('legacy (non-zip) pickle', 'gpt', (path) => writeFile(path, gptDict(op.emptyDict)));
  return made;
}
