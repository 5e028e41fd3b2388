import { describe, expect, it } from 'vitest';
import { parseNpy, readNpy } from './npy.ts';
import { parityAvailable, parityPath, paritySkipReason } from './parity.ts';

function npyBytes(descr: string, shape: string, body: Uint8Array): Uint8Array {
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shape}, }`;
  header = header.padEnd(118, ' ') + '\n';
  const bytes = new Uint8Array(10 + header.length + body.length);
  bytes.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8]);
  bytes.set(new TextEncoder().encode(header), 10);
  bytes.set(body, 10 + header.length);
  return bytes;
}

describe('.npy reader', () => {
  it('reads shape, dtype and data', () => {
    const values = Float32Array.of(1, 2, 3, 4, 5, 6);
    const parsed = parseNpy(npyBytes('<f4', '(2, 3)', new Uint8Array(values.buffer)));
    expect(parsed.dtype).toBe('float32');
    expect(parsed.shape).toEqual([2, 3]);
    expect(Array.from(parsed.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(parseNpy(npyBytes('<i8', '(1,)', new Uint8Array(BigInt64Array.of(7n).buffer))).data).toEqual(BigInt64Array.of(7n));
  });

  it('rejects what it cannot read', () => {
    expect(() => parseNpy(new Uint8Array(16), 'x.npy')).toThrow(/x\.npy is not a \.npy file/);
    expect(() => parseNpy(npyBytes('<c8', '(1,)', new Uint8Array(8)), 'c.npy')).toThrow(/unsupported dtype <c8/);
  });

  it.skipIf(!parityAvailable)('reads the parity fixtures', async () => {
    const logits = await readNpy(parityPath('t2s', 'single', 'logits.npy'));
    expect(logits.shape).toEqual([31, 1025]);
  });
  if (!parityAvailable) it.skip(paritySkipReason, () => undefined);
});
