/**
 * Random-access reading of zip archives (PyTorch's `torch.save` format), one entry range at a time, so a 1.3 GB
 * `pytorch_model.bin` is never held in memory whole. yauzl parses the central directory (zip64 included); stored
 * entries are then read straight from the file at their offset. GPT-SoVITS overwrites the first two bytes of some
 * files (`PK` -> `05`...); with `restoreSignature` the reader sees `PK` there again, as `load_sovits_new` does.
 * @module
 */
import type { FileHandle } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { fromRandomAccessReaderPromise, RandomAccessReader, type Entry, type ZipFile } from 'yauzl';
import { CheckpointError, errorMessage } from './errors.ts';
import { openModelFile } from './open-file.ts';

const PK = new Uint8Array([0x50, 0x4b]);
const STORED = 0;
const STREAM_CHUNK = 1 << 20;
/**
 * The most a compressed entry may inflate to. A compressed entry is inflated whole to read any part of it; torch
 * stores its records uncompressed, so only small ones (a pickle) are ever compressed, and past this a compressed
 * entry is a zip bomb rather than a checkpoint. (An entry that inflates past what it claims is stopped there by
 * yauzl.)
 */
export const MAX_INFLATED_ENTRY_BYTES = 64 * 1024 * 1024;

export interface ZipEntryInfo {
  readonly name: string;
  /** Uncompressed size in bytes. */
  readonly size: number;
}

export interface ZipArchive {
  readonly file: string;
  names(): readonly string[];
  entry(name: string): ZipEntryInfo | undefined;
  /** Bytes [start, start + length) of an entry, in a fresh (aligned) buffer. */
  read(name: string, start?: number, length?: number): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** Reads through one file handle, showing `PK` in place of the first two bytes when asked to. */
class FileReader extends RandomAccessReader {
  readonly #handle: FileHandle;
  readonly #restoreSignature: boolean;

  constructor(handle: FileHandle, restoreSignature: boolean) {
    super();
    this.#handle = handle;
    this.#restoreSignature = restoreSignature;
  }

  async readAt(target: Uint8Array, position: number): Promise<void> {
    let done = 0;
    while (done < target.length) {
      const { bytesRead } = await this.#handle.read(target, done, target.length - done, position + done);
      if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
      done += bytesRead;
    }
    if (this.#restoreSignature && position < PK.length) {
      for (let i = position; i < PK.length && i - position < target.length; i += 1) target[i - position] = PK[i] ?? 0;
    }
  }

  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void): void {
    this.readAt(buffer.subarray(offset, offset + length), position).then(
      () => { callback(null); },
      (error: unknown) => { callback(error instanceof Error ? error : new Error(String(error))); },
    );
  }

  override _readStreamForRange(start: number, end: number): Readable {
    return Readable.from(this.#chunks(start, end));
  }

  async *#chunks(start: number, end: number): AsyncGenerator<Buffer> {
    for (let position = start; position < end; position += STREAM_CHUNK) {
      const chunk = Buffer.allocUnsafe(Math.min(STREAM_CHUNK, end - position));
      await this.readAt(chunk, position);
      yield chunk;
    }
  }

  override close(callback: (err: Error | null) => void): void {
    // The archive closes the handle itself, once, in ZipArchive.close().
    callback(null);
  }
}

async function collect(stream: Readable, size: number): Promise<Uint8Array> {
  const out = new Uint8Array(size);
  let done = 0;
  for await (const chunk of stream) {
    const bytes = chunk as Buffer;
    out.set(bytes.subarray(0, Math.max(0, size - done)), done);
    done += bytes.length;
  }
  return out;
}

class YauzlArchive implements ZipArchive {
  readonly file: string;
  readonly #handle: FileHandle;
  readonly #reader: FileReader;
  readonly #zip: ZipFile;
  readonly #fileSize: number;
  readonly #entries: Map<string, Entry>;
  readonly #dataStarts = new Map<string, number>();

  constructor(file: string, handle: FileHandle, reader: FileReader, zip: ZipFile, fileSize: number, entries: Map<string, Entry>) {
    this.file = file;
    this.#handle = handle;
    this.#reader = reader;
    this.#zip = zip;
    this.#fileSize = fileSize;
    this.#entries = entries;
  }

  names(): readonly string[] {
    return [...this.#entries.keys()];
  }

  entry(name: string): ZipEntryInfo | undefined {
    const entry = this.#entries.get(name);
    return entry === undefined ? undefined : { name, size: entry.uncompressedSize };
  }

  async read(name: string, start = 0, length?: number): Promise<Uint8Array> {
    const entry = this.#entries.get(name);
    if (entry === undefined) throw new CheckpointError(this.file, `zip entry '${name}' is missing`);
    const size = length ?? entry.uncompressedSize - start;
    if (start < 0 || size < 0 || start + size > entry.uncompressedSize) {
      throw new CheckpointError(this.file, `zip entry '${name}' has ${entry.uncompressedSize} bytes; bytes ${start}..${start + size} were asked for`);
    }
    try {
      if (entry.compressionMethod !== STORED) {
        if (entry.uncompressedSize > MAX_INFLATED_ENTRY_BYTES) {
          throw new CheckpointError(
            this.file,
            `zip entry '${name}' is compressed and says it inflates to ${entry.uncompressedSize} bytes, more than the ${MAX_INFLATED_ENTRY_BYTES} a compressed entry may hold (torch.save stores tensors uncompressed: re-save the file with torch.save)`,
          );
        }
        const stream = await this.#zip.openReadStreamPromise(entry);
        const whole = await collect(stream, entry.uncompressedSize);
        return whole.slice(start, start + size);
      }
      const dataStart = await this.#dataStart(entry);
      if (dataStart + entry.compressedSize > this.#fileSize) {
        throw new Error(`entry data ends at byte ${dataStart + entry.compressedSize} but the file has ${this.#fileSize} bytes (truncated?)`);
      }
      const out = new Uint8Array(size);
      await this.#reader.readAt(out, dataStart + start);
      return out;
    } catch (error) {
      if (error instanceof CheckpointError) throw error;
      throw new CheckpointError(this.file, `cannot read zip entry '${name}': ${errorMessage(error)}`, { cause: error });
    }
  }

  async #dataStart(entry: Entry): Promise<number> {
    const known = this.#dataStarts.get(entry.fileName);
    if (known !== undefined) return known;
    const { fileDataStart } = await this.#zip.readLocalFileHeaderPromise(entry, { minimal: true });
    this.#dataStarts.set(entry.fileName, fileDataStart);
    return fileDataStart;
  }

  async close(): Promise<void> {
    this.#zip.close();
    await this.#handle.close();
  }
}

/** Opens a zip archive for random access. A missing, truncated or non-zip file fails with a message naming it. */
export async function openZip(file: string, options: { restoreSignature?: boolean } = {}): Promise<ZipArchive> {
  const handle = await openModelFile(file);
  try {
    const { size } = await handle.stat();
    const reader = new FileReader(handle, options.restoreSignature === true);
    const zip = await fromRandomAccessReaderPromise(reader, size, { autoClose: false, strictFileNames: false });
    const entries = new Map<string, Entry>();
    for await (const entry of zip.eachEntry()) entries.set(entry.fileName, entry);
    return new YauzlArchive(file, handle, reader, zip, size, entries);
  } catch (error) {
    await handle.close();
    throw new CheckpointError(file, `not a readable zip archive (truncated or not a PyTorch checkpoint): ${errorMessage(error)}`, { cause: error });
  }
}
