import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import yazl from 'yazl';
import { loadG2pEnWeights, predictWithG2pEn } from './g2p-en-gru.ts';
import { oovPredictorFromEnvironment, ruleBasedOov } from './oov.ts';

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
async function writeCheckpoint(path: string, outputBias: number[]): Promise<void> {
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

describe("g2p_en's GRU predictor", () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'g2p-en-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('stops at </s>', async () => {
    const bias = new Array<number>(74).fill(0);
    bias[3] = 1; // </s>
    await writeCheckpoint(join(dir, 'end.npz'), bias);
    expect(predictWithG2pEn(await loadG2pEnWeights(join(dir, 'end.npz')), 'word')).toEqual([]);
  });

  it('decodes greedily for at most 20 steps', async () => {
    const bias = new Array<number>(74).fill(0);
    bias[10] = 1; // AH0
    const path = join(dir, 'ah.npz');
    await writeCheckpoint(path, bias);
    expect(predictWithG2pEn(await loadG2pEnWeights(path), 'word')).toEqual(new Array<string>(20).fill('AH0'));
    const predict = await oovPredictorFromEnvironment({ GSV_EDGE_G2P_EN_CHECKPOINT: path });
    expect(predict('zork')).toHaveLength(20);
  });

  it('names the file when it is not a g2p_en checkpoint', async () => {
    const path = join(dir, 'bad.npz');
    await writeFile(path, 'not a zip');
    await expect(loadG2pEnWeights(path)).rejects.toThrow(path);
  });

  it('falls back to rule-based letter-to-sound without weights', async () => {
    expect(await oovPredictorFromEnvironment({})).toBe(ruleBasedOov);
    expect(ruleBasedOov('sovits')).toEqual(['S', 'OW1', 'V', 'IH0', 'T', 'S']);
  });
});
