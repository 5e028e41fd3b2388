import { describe, expect, it } from 'vitest';
import type { QuietTokens } from '../../models/t2s/quiet-tokens.ts';
import { ChunkPolicy } from './chunk-policy.ts';

/** Quiet tokens: 486 (the mute token, similarity 1), 900 (0.8), 901 (0.3), 902 (0.0, exactly at the threshold). */
const QUIET: QuietTokens = { muteToken: 486, threshold: 0, ids: Int32Array.of(486, 900, 901, 902), similarity: Float32Array.of(1, 0.8, 0.3, 0) };
const LOUD = 7;

/** Feeds tokens one at a time as T2S would and records every cut (as chunk lengths). */
function cuts(policy: ChunkPolicy, tokens: readonly number[]): number[] {
  const seen: number[] = [];
  const chunks: number[] = [];
  let from = 0;
  for (const token of tokens) {
    seen.push(token);
    const chunk = policy.cut(seen, from);
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
    expect(cuts(new ChunkPolicy('fixed', 4), loud(11))).toEqual([4, 4]);
  });

  it('mode 2 cuts after a quiet pair once min_chunk_length tokens are in the chunk and two more are known', () => {
    const policy = new ChunkPolicy('quiet', 4, QUIET);
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
    const policy = new ChunkPolicy('quiet', 2, QUIET);
    // First check at 4 tokens: candidates end at positions 1 and 2; pair (901, 901)=0.6 vs (901, 900)=1.1.
    expect(policy.cut([LOUD, 901, 901, 900], 0)).toBe(0 + 3);
    expect(policy.cut([LOUD, 902, 902, 902], 0)).toBe(2);
  });

  it('mode 2 does not let an early pause block later cuts (deviation from GPT-SoVITS)', () => {
    // GPT-SoVITS ranks the mute pair at positions 0-1 first, finds it too early, and never cuts this chunk.
    const policy = new ChunkPolicy('quiet', 4, QUIET);
    expect(cuts(policy, [486, 486, ...loud(4), 901, 901, ...loud(3)])).toEqual([7]);
  });

  it('needs the quiet tokens for mode 2 and a positive chunk length', () => {
    expect(() => new ChunkPolicy('quiet', 4)).toThrow(/quiet tokens/);
    expect(() => new ChunkPolicy('fixed', 0)).toThrow(/minChunkTokens/);
  });
});
