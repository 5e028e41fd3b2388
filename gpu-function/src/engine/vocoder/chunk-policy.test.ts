import { describe, expect, it } from 'vitest';
import type { QuietTokens } from '../../models/t2s/quiet-tokens.ts';
import { ChunkPolicy, type ChunkGrowth } from './chunk-policy.ts';

/** Quiet tokens: 486 (the mute token, similarity 1), 900 (0.8), 901 (0.3), 902 (0.0, exactly at the threshold). */
const QUIET: QuietTokens = { muteToken: 486, threshold: 0, ids: Int32Array.of(486, 900, 901, 902), similarity: Float32Array.of(1, 0.8, 0.3, 0) };
const LOUD = 7;
/** GPT-SoVITS's own schedule: every chunk `min_chunk_length`. */
const FIXED: ChunkGrowth = { growth: 1, maxChunkTokens: 1 };

/** Feeds tokens one at a time as T2S would and records every cut (as chunk lengths). */
function cuts(policy: ChunkPolicy, tokens: readonly number[]): number[] {
  const seen: number[] = [];
  const chunks: number[] = [];
  let from = 0;
  for (const token of tokens) {
    seen.push(token);
    const chunk = policy.cut(seen, from, chunks.length);
    if (chunk > 0) {
      chunks.push(chunk);
      from += chunk;
    }
  }
  return chunks;
}

const loud = (n: number): number[] => Array<number>(n).fill(LOUD);

describe('token chunk cuts', () => {
  it('mode 3 cuts every min_chunk_length tokens', () => {
    expect(cuts(new ChunkPolicy('fixed', 4, undefined, FIXED), loud(11))).toEqual([4, 4]);
  });

  it('mode 2 cuts after a quiet pair once min_chunk_length tokens are in the chunk and two more are known', () => {
    const policy = new ChunkPolicy('quiet', 4, QUIET, FIXED);
    // Quiet pair at positions 5-6: the cut keeps positions 0..5 (6 tokens) in the chunk.
    expect(cuts(policy, [...loud(5), 900, 901, ...loud(6)])).toEqual([6]);
    // A quiet pair too early (positions 1-2) is not a cut; never cutting without a quiet pair.
    expect(cuts(policy, [LOUD, 900, 901, ...loud(12)])).toEqual([]);
    // A lone quiet token is not enough, but the mute token itself pairs with a loud neighbour (1 + -1 = 0): the
    // first such pair (loud, mute) wins, so the cut falls just before the mute token.
    expect(cuts(policy, [...loud(5), 900, ...loud(6)])).toEqual([]);
    expect(cuts(policy, [...loud(5), 486, ...loud(6)])).toEqual([5]);
    // Similarity exactly at the threshold counts as quiet (GPT-SoVITS: score < 0 → -1).
    expect(cuts(policy, [...loud(5), 902, 902, ...loud(2)])).toEqual([6]);
  });

  it('mode 2 picks the quietest pair when several are eligible at once (first on ties)', () => {
    const policy = new ChunkPolicy('quiet', 2, QUIET, FIXED);
    // First check at 4 tokens: candidates end at positions 1 and 2; pair (901, 901)=0.6 vs (901, 900)=1.1.
    expect(policy.cut([LOUD, 901, 901, 900], 0, 0)).toBe(0 + 3);
    expect(policy.cut([LOUD, 902, 902, 902], 0, 0)).toBe(2);
  });

  it('mode 2 does not let an early pause block later cuts (deviation from GPT-SoVITS)', () => {
    // GPT-SoVITS ranks the mute pair at positions 0-1 first, finds it too early, and never cuts this chunk.
    const policy = new ChunkPolicy('quiet', 4, QUIET, FIXED);
    expect(cuts(policy, [486, 486, ...loud(4), 901, 901, ...loud(3)])).toEqual([7]);
  });

  it('grows later chunks by default: the first at min_chunk_length, then doubling up to the cap', () => {
    expect(cuts(new ChunkPolicy('fixed', 16), loud(500))).toEqual([16, 32, 64, 128, 128, 128]);
    // A min_chunk_length above the cap is never shrunk.
    expect(cuts(new ChunkPolicy('fixed', 200), loud(500))).toEqual([200, 200]);
    expect(cuts(new ChunkPolicy('fixed', 3, undefined, { growth: 1.5, maxChunkTokens: 10 }), loud(40))).toEqual([3, 5, 7, 10, 10]);
    // Mode 2 waits for a quiet pair after the grown minimum: the second chunk passes the pause 4 tokens in and cuts
    // at the next one, 10 tokens in.
    const quiet = [...loud(4), 486, ...loud(3), 901, 901, ...loud(4), 901, 901, ...loud(6)];
    expect(cuts(new ChunkPolicy('quiet', 4, QUIET), quiet)).toEqual([4, 11]);
    expect(cuts(new ChunkPolicy('quiet', 4, QUIET, FIXED), quiet)).toEqual([4, 5, 6]);
  });

  it('needs the quiet tokens for mode 2, a positive chunk length and a growth of at least 1', () => {
    expect(() => new ChunkPolicy('quiet', 4)).toThrow(/quiet tokens/);
    expect(() => new ChunkPolicy('fixed', 0)).toThrow(/minChunkTokens/);
    expect(() => new ChunkPolicy('fixed', 4, undefined, { growth: 0.5, maxChunkTokens: 8 })).toThrow(/growth/);
    expect(() => new ChunkPolicy('fixed', 4, undefined, { growth: 2, maxChunkTokens: 0 })).toThrow(/maxChunkTokens/);
  });
});
