/**
 * Reads float32 arrays from a NumPy `.npz` archive (a zip of `.npy` files), for g2p_en's `checkpoint20.npz`.
 * Only little-endian float32, C-order arrays are accepted; anything else is rejected by name.
 * @module
 */
import yauzl from 'yauzl';

export interface NpyArray {
  readonly shape: readonly number[];
  readonly data: Float32Array;
}

function parseNpy(name: string, bytes: Buffer): NpyArray {
  if (bytes.length < 10 || bytes.toString('latin1', 0, 6) !== '\x93NUMPY') {
    throw new Error(`${name}: not a .npy array`);
  }
  const major = bytes[6] ?? 0;
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = major === 1 ? 10 : 12;
  const header = bytes.toString('latin1', headerStart, headerStart + headerLength);
  if (!/'descr':\s*'<f4'/u.test(header) || !/'fortran_order':\s*False/u.test(header)) {
    throw new Error(`${name}: only little-endian float32 C-order arrays are supported (header ${header.trim()})`);
  }
  const shapeText = /'shape':\s*\(([^)]*)\)/u.exec(header)?.[1] ?? '';
  const shape = shapeText
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => Number.parseInt(part, 10));
  const count = shape.reduce((product, size) => product * size, 1);
  const offset = headerStart + headerLength;
  if (bytes.length - offset < count * 4) throw new Error(`${name}: truncated (${count} floats expected)`);
  const data = new Float32Array(count);
  for (let index = 0; index < count; index += 1) data[index] = bytes.readFloatLE(offset + index * 4);
  return { shape, data };
}

/** Every array in the archive, keyed by name without `.npy`. */
export async function readNpz(path: string): Promise<Map<string, NpyArray>> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) => {
    yauzl.open(path, { lazyEntries: true }, (error, opened) => {
      if (error !== null) reject(new Error(`${path}: ${error.message}`));
      else resolve(opened);
    });
  });
  const arrays = new Map<string, NpyArray>();
  await new Promise<void>((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', () => {
      resolve();
    });
    zip.on('entry', (entry: yauzl.Entry) => {
      zip.openReadStream(entry, (error, stream) => {
        if (error !== null) {
          reject(error);
          return;
        }
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', reject);
        stream.on('end', () => {
          const name = entry.fileName.replace(/\.npy$/u, '');
          try {
            arrays.set(name, parseNpy(`${path}:${entry.fileName}`, Buffer.concat(chunks)));
            zip.readEntry();
          } catch (parseError) {
            reject(parseError instanceof Error ? parseError : new Error(String(parseError)));
          }
        });
      });
    });
    zip.readEntry();
  });
  zip.close();
  return arrays;
}
