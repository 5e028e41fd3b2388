/**
 * One file of raw weight bytes that several ONNX models can reference (T2S prefill and decode share every weight).
 * Offsets of large tensors are page-aligned so onnxruntime can map them instead of copying.
 * @module
 */
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export interface ExternalSpan {
  readonly offset: number;
  readonly length: number;
}

const PAGE = 4096;
const SMALL_ALIGNMENT = 64;

export class ExternalDataFile {
  readonly fileName: string;
  readonly path: string;
  readonly #spans = new Map<string, ExternalSpan>();
  #handle: FileHandle | undefined;
  #size = 0;

  readonly #onWrite: ((bytes: number) => void) | undefined;

  /** `onWrite` is told the size of every tensor written, for progress reporting. */
  constructor(dir: string, fileName: string, onWrite?: (bytes: number) => void) {
    this.fileName = fileName;
    this.path = join(dir, fileName);
    this.#onWrite = onWrite;
  }

  get size(): number {
    return this.#size;
  }

  has(key: string): boolean {
    return this.#spans.has(key);
  }

  get(key: string): ExternalSpan | undefined {
    return this.#spans.get(key);
  }

  /** Appends `bytes` under `key`, or returns the span already stored under it. */
  async put(key: string, bytes: Uint8Array): Promise<ExternalSpan> {
    const known = this.#spans.get(key);
    if (known !== undefined) return known;
    this.#handle ??= await open(this.path, 'w');
    const alignment = bytes.length >= PAGE * 16 ? PAGE : SMALL_ALIGNMENT;
    const offset = Math.ceil(this.#size / alignment) * alignment;
    await this.#handle.write(bytes, 0, bytes.length, offset);
    const span = { offset, length: bytes.length };
    this.#size = offset + bytes.length;
    this.#spans.set(key, span);
    this.#onWrite?.(bytes.length);
    return span;
  }

  async close(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
  }
}
