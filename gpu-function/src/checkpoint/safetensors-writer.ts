/**
 * Writes `.safetensors` files (header padded to 8 bytes with spaces, as the reference implementation does), one
 * tensor's bytes at a time, for synthetic Hugging Face folders.
 * @module
 */
import { open } from 'node:fs/promises';
import { DTYPE_BYTES, numel, type DType } from '../tensor/index.ts';
import { SAFETENSORS_DTYPES } from './safetensors.ts';

export interface SafetensorsSource {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  bytes(): Uint8Array | Promise<Uint8Array>;
}

function safetensorsDtype(dtype: DType): string {
  for (const [name, candidate] of SAFETENSORS_DTYPES) if (candidate === dtype) return name;
  throw new Error(`safetensors has no dtype for ${dtype}`);
}

export async function writeSafetensors(file: string, tensors: readonly SafetensorsSource[], metadata: Readonly<Record<string, string>> = { format: 'pt' }): Promise<void> {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const size = numel(t.shape) * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: safetensorsDtype(t.dtype), shape: t.shape, data_offsets: [offset, offset + size] };
    offset += size;
  }
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8);
  const headerBytes = new TextEncoder().encode(json);
  const prefix = new Uint8Array(8);
  new DataView(prefix.buffer).setBigUint64(0, BigInt(headerBytes.length), true);
  const handle = await open(file, 'w');
  try {
    await handle.write(prefix);
    await handle.write(headerBytes);
    for (const t of tensors) {
      const bytes = await t.bytes();
      const expected = numel(t.shape) * DTYPE_BYTES[t.dtype];
      if (bytes.byteLength !== expected) throw new Error(`tensor '${t.name}' produced ${bytes.byteLength} bytes, expected ${expected}`);
      await handle.write(bytes);
    }
  } finally {
    await handle.close();
  }
}
