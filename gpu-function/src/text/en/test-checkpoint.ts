/**
 * Test support: a tiny g2p_en-shaped `checkpoint20.npz` (2-wide embeddings and hidden state) whose output bias
 * alone picks the phone, so tests know what the GRU predicts.
 * @module
 */
import { writeFile } from 'node:fs/promises';
import yazl from 'yazl';

function npy(shape: readonly number[], values: readonly number[]): Buffer {
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }\n`;
  const head = Buffer.alloc(10);
  head.write('\x93NUMPY', 0, 'latin1');
  head[6] = 1;
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc(values.length * 4);
  values.forEach((value, index) => body.writeFloatLE(value, index * 4));
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

/** A g2p_en-shaped checkpoint with 2-wide embeddings and hidden state whose output bias alone picks the phone. */
export async function writeG2pEnCheckpoint(path: string, outputBias: number[]): Promise<void> {
  const hidden = 2;
  const zeros = (count: number): number[] => new Array<number>(count).fill(0);
  const arrays: Record<string, [number[], number[]]> = {
    enc_emb: [[29, hidden], zeros(29 * hidden)],
    enc_w_ih: [[3 * hidden, hidden], zeros(6 * hidden)],
    enc_w_hh: [[3 * hidden, hidden], zeros(6 * hidden)],
    enc_b_ih: [[3 * hidden], zeros(6)],
    enc_b_hh: [[3 * hidden], zeros(6)],
    dec_emb: [[74, hidden], zeros(74 * hidden)],
    dec_w_ih: [[3 * hidden, hidden], zeros(6 * hidden)],
    dec_w_hh: [[3 * hidden, hidden], zeros(6 * hidden)],
    dec_b_ih: [[3 * hidden], zeros(6)],
    dec_b_hh: [[3 * hidden], zeros(6)],
    fc_w: [[74, hidden], zeros(74 * hidden)],
    fc_b: [[74], outputBias],
  };
  const zip = new yazl.ZipFile();
  for (const [name, [shape, values]] of Object.entries(arrays)) zip.addBuffer(npy(shape, values), `${name}.npy`);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  await writeFile(path, Buffer.concat(chunks));
}
