/**
 * Reads NumPy `.npy` files (format 1.0-3.0, C order, little-endian), the format of the GPT-SoVITS parity fixtures.
 * Hand-written: the format is a magic string, a Python dict literal header and raw bytes.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { tensor, type DType, type HostTensor, type TensorDataMap } from './tensor.ts';

const DESCR_TYPES: Readonly<Record<string, DType>> = {
  '<f8': 'float64',
  '<f4': 'float32',
  '<f2': 'float16',
  '<i8': 'int64',
  '<i4': 'int32',
  '<i2': 'int16',
  '|i1': 'int8',
  '|u1': 'uint8',
  '|b1': 'bool',
};

export function parseNpy(bytes: Uint8Array, label = 'npy data'): HostTensor {
  const magic = String.fromCharCode(...bytes.subarray(1, 6));
  if (bytes[0] !== 0x93 || magic !== 'NUMPY') throw new Error(`${label} is not a .npy file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const major = bytes[6] ?? 0;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder('latin1').decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) throw new Error(`${label} has a malformed header: ${header}`);
  if (fortran === 'True') throw new Error(`${label} is in Fortran order, which is not supported`);
  const dtype = DESCR_TYPES[descr];
  if (dtype === undefined) throw new Error(`${label} has unsupported dtype ${descr}`);
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map(Number);
  const body = bytes.slice(headerStart + headerLength);
  return tensor(dtype, shape, typedView(dtype, body.buffer));
}

export async function readNpy(path: string): Promise<HostTensor> {
  return parseNpy(new Uint8Array(await readFile(path)), path);
}

function typedView(dtype: DType, buffer: ArrayBuffer): TensorDataMap[DType] {
  switch (dtype) {
    case 'float64':
      return new Float64Array(buffer);
    case 'float32':
      return new Float32Array(buffer);
    case 'float16':
    case 'bfloat16':
      return new Uint16Array(buffer);
    case 'int64':
      return new BigInt64Array(buffer);
    case 'int32':
      return new Int32Array(buffer);
    case 'int16':
      return new Int16Array(buffer);
    case 'int8':
      return new Int8Array(buffer);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer);
  }
}
