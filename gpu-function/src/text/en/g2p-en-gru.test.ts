import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadG2pEnWeights, predictWithG2pEn } from './g2p-en-gru.ts';
import { oovPredictorFromEnvironment, ruleBasedOov } from './oov.ts';
import { writeG2pEnCheckpoint as writeCheckpoint } from './test-checkpoint.ts';

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
