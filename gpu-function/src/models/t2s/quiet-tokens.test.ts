import { describe, expect, it } from 'vitest';
import { float32ToFloat16 } from '../../tensor/half.ts';
import { MemoryTensorStore } from '../../tensor/memory-store.ts';
import { tensor } from '../../tensor/tensor.ts';
import { computeQuietTokens, MUTE_TOKEN, muteSimilarity, quietTokensFromSimilarity } from './quiet-tokens.ts';
import { T2S_WEIGHTS } from './weights.ts';

const VOCAB = 490;
const DIM = 3;

/** Rows with known cosine similarity to row 486 = [2, 0, 0]; every other row points away from it (similarity -1). */
function table(): Float32Array {
  const rows = new Float32Array(VOCAB * DIM);
  for (let v = 0; v < VOCAB; v += 1) rows.set([-1, 0, 0], v * DIM);
  const set = (v: number, row: readonly number[]): void => {
    rows.set(row, v * DIM);
  };
  set(MUTE_TOKEN, [2, 0, 0]);
  set(0, [1, 1, 0]); // 0.7071: quiet
  set(1, [0, 3, 4]); // 0: quiet (GPT-SoVITS keeps score 0, only < 0 becomes -1)
  set(2, [0, 0, 0]); // zero row: similarity 0 (norms clamped to 1e-8), quiet
  set(3, [-0.01, 1, 0]); // slightly negative: loud
  set(4, [5, -5, 5]); // 0.5774: quiet
  set(489, [3, 0, 0]); // 1: quiet (the EOS row is scored too, as in TTS.py)
  return rows;
}

describe('quiet tokens (GPT-SoVITS streaming mode 2)', () => {
  it('scores every row by cosine similarity to the mute token', () => {
    const similarity = muteSimilarity(tensor('float32', [VOCAB, DIM], table()));
    expect(similarity[MUTE_TOKEN]).toBeCloseTo(1, 6);
    expect(similarity[0]).toBeCloseTo(Math.SQRT1_2, 6);
    expect(similarity[1]).toBe(0);
    expect(similarity[2]).toBe(0);
    expect(similarity[3]).toBeCloseTo(-0.01 / Math.hypot(0.01, 1), 6);
    expect(similarity[4]).toBeCloseTo(1 / Math.sqrt(3), 6);
    expect(similarity[5]).toBeCloseTo(-1, 6);
  });

  it('lists the tokens at or above the threshold with their similarity, from fp16 checkpoint weights', async () => {
    const weights = new MemoryTensorStore([[T2S_WEIGHTS.audioEmbedding, tensor('float16', [VOCAB, DIM], float32ToFloat16(table()))]]);
    const quiet = await computeQuietTokens(weights);
    expect(quiet.muteToken).toBe(486);
    expect(quiet.threshold).toBe(0);
    expect(Array.from(quiet.ids)).toEqual([0, 1, 2, 4, 486, 489]);
    expect(quiet.similarity[0]).toBeCloseTo(Math.SQRT1_2, 3);
    expect(quiet.similarity[4]).toBeCloseTo(1, 6);
  });

  it('honours another threshold or mute token', () => {
    const similarity = muteSimilarity(tensor('float32', [VOCAB, DIM], table()), 0);
    expect(similarity[0]).toBeCloseTo(1, 6);
    expect(Array.from(quietTokensFromSimilarity(Float32Array.of(0.2, 0.6, -0.1, 0.5), 1, 0.5).ids)).toEqual([1, 3]);
  });

  it('names what is wrong with the weights', async () => {
    await expect(computeQuietTokens(new MemoryTensorStore())).rejects.toThrow(/ar_audio_embedding\.word_embeddings\.weight' is missing/);
    expect(() => muteSimilarity(tensor('float32', [10, DIM], new Float32Array(10 * DIM)))).toThrow(/mute token 486 is outside the 10-row/);
    expect(() => muteSimilarity(tensor('float32', [30], new Float32Array(30)))).toThrow(/\[vocab, dim\]/);
  });
});
