/**
 * Where a token-chunk stream cuts: GPT-SoVITS's streaming modes 2 and 3 (AR/models/t2s_model.py `infer_panel` with
 * `streaming_mode=True`), evaluated after every new token so the cuts never depend on how tokens arrive.
 *
 * - `fixed` (mode 3, `fixed_length_chunk`): cut every `minChunkTokens` tokens.
 * - `quiet` (mode 2): once `minChunkTokens + 2` tokens are pending, score each pending token
 *   `s = similarity(token, mute) - threshold` if that is ≥ 0, else -1, and each position by the pair
 *   `s[i] + s[i+1]`; cut after the best position scoring ≥ 0 (first on ties), keeping at least `minChunkTokens`
 *   tokens in the chunk. A pair scores ≥ 0 when both tokens are quiet (or the first is the mute token itself).
 *
 * Deviations from GPT-SoVITS (mode 2), both fixing behaviour that looks unintended:
 * - only positions with a known next token are ranked (GPT-SoVITS also ranks the newest token alone);
 * - only positions that leave ≥ `minChunkTokens` in the chunk are ranked. GPT-SoVITS takes the argmax over every
 *   pending token and then refuses the cut when it is too early, so one strong pause in a chunk's first tokens
 *   blocks every later cut of the segment.
 * @module
 */
import type { QuietTokens } from '../../models/t2s/quiet-tokens.ts';

export type ChunkMode = 'quiet' | 'fixed';

/** GPT-SoVITS `check_token_num`: tokens past the minimum a quiet cut waits for. */
export const QUIET_LOOKAHEAD_TOKENS = 2;

export class ChunkPolicy {
  readonly mode: ChunkMode;
  readonly minChunkTokens: number;
  readonly #score: ReadonlyMap<number, number>;

  constructor(mode: ChunkMode, minChunkTokens: number, quiet?: QuietTokens) {
    if (!Number.isInteger(minChunkTokens) || minChunkTokens < 1) throw new RangeError(`minChunkTokens must be a positive integer, got ${minChunkTokens}`);
    if (mode === 'quiet' && quiet === undefined) throw new Error('quiet-token chunking (streaming mode 2) needs the model\'s quiet tokens');
    this.mode = mode;
    this.minChunkTokens = minChunkTokens;
    const score = new Map<number, number>();
    if (quiet !== undefined) quiet.ids.forEach((id, k) => score.set(id, (quiet.similarity[k] ?? 0) - quiet.threshold));
    this.#score = score;
  }

  /** How many of the tokens after `from` (the last cut) form a chunk now; 0 for no cut yet. */
  cut(tokens: ArrayLike<number>, from: number): number {
    const n = tokens.length - from;
    if (this.mode === 'fixed') return n >= this.minChunkTokens ? n : 0;
    if (n < this.minChunkTokens + QUIET_LOOKAHEAD_TOKENS) return 0;
    let best = -1;
    let bestScore = -Infinity;
    for (let i = this.minChunkTokens - 1; i <= n - 2; i += 1) {
      const pair = this.#tokenScore(tokens[from + i] ?? -1) + this.#tokenScore(tokens[from + i + 1] ?? -1);
      if (pair >= 0 && pair > bestScore) {
        best = i;
        bestScore = pair;
      }
    }
    return best + 1;
  }

  #tokenScore(token: number): number {
    const score = this.#score.get(token);
    return score !== undefined && score >= 0 ? score : -1;
  }
}
