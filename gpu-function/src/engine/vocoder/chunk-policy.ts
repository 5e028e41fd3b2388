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
 * Chunks grow (a deviation from GPT-SoVITS, whose mode 3 cuts every `min_chunk_length` tokens for the whole
 * segment): chunk k is at least `min_chunk_length × growth^k` tokens, capped at `maxChunkTokens` (never below
 * `min_chunk_length`). Each chunk's window decodes `context` tokens again (token-stream.ts), so fixed 16-token chunks
 * vocoded 40 tokens per 16 emitted and streaming cost 1.95× the unstreamed time on the full-size CPU bundle. Doubling
 * keeps the first audio as early (the first chunk is `min_chunk_length`) and, once the listener holds seconds of
 * audio, cuts rarely enough that the re-decoded context costs a few percent. `growth` 1 is GPT-SoVITS's schedule.
 * The size depends only on the chunk's index, so cuts still never depend on timing and a seed reproduces the audio.
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

/** How later chunks grow: chunk k is at least `minChunkTokens × growth^k` tokens, at most `maxChunkTokens`. */
export interface ChunkGrowth {
  readonly growth: number;
  readonly maxChunkTokens: number;
}

/**
 * Doubling up to 128 tokens (5.1 s of audio): with the default 24 context tokens a window then re-decodes at most
 * 19 % more than it emits, where fixed 16-token chunks re-decoded 150 %.
 */
export const DEFAULT_CHUNK_GROWTH: ChunkGrowth = { growth: 2, maxChunkTokens: 128 };

/** GPT-SoVITS `check_token_num`: tokens past the minimum a quiet cut waits for. */
export const QUIET_LOOKAHEAD_TOKENS = 2;

export class ChunkPolicy {
  readonly mode: ChunkMode;
  readonly minChunkTokens: number;
  readonly #growth: ChunkGrowth;
  readonly #score: ReadonlyMap<number, number>;

  constructor(mode: ChunkMode, minChunkTokens: number, quiet?: QuietTokens, growth: ChunkGrowth = DEFAULT_CHUNK_GROWTH) {
    if (!Number.isInteger(minChunkTokens) || minChunkTokens < 1) throw new RangeError(`minChunkTokens must be a positive integer, got ${minChunkTokens}`);
    if (!(growth.growth >= 1) || !Number.isFinite(growth.growth)) throw new RangeError(`chunk growth must be a finite number ≥ 1, got ${growth.growth}`);
    if (!Number.isInteger(growth.maxChunkTokens) || growth.maxChunkTokens < 1) throw new RangeError(`maxChunkTokens must be a positive integer, got ${growth.maxChunkTokens}`);
    if (mode === 'quiet' && quiet === undefined) throw new Error('quiet-token chunking (streaming mode 2) needs the model\'s quiet tokens');
    this.mode = mode;
    this.minChunkTokens = minChunkTokens;
    this.#growth = growth;
    const score = new Map<number, number>();
    if (quiet !== undefined) quiet.ids.forEach((id, k) => score.set(id, (quiet.similarity[k] ?? 0) - quiet.threshold));
    this.#score = score;
  }

  /** The fewest tokens chunk `index` (0 for the segment's first) may have. */
  chunkMinimum(index: number): number {
    const cap = Math.max(this.minChunkTokens, this.#growth.maxChunkTokens);
    return Math.min(cap, Math.round(this.minChunkTokens * this.#growth.growth ** index));
  }

  /** How many of the tokens after `from` (the last cut) form chunk `index` now; 0 for no cut yet. */
  cut(tokens: ArrayLike<number>, from: number, index: number): number {
    const n = tokens.length - from;
    const minimum = this.chunkMinimum(index);
    if (this.mode === 'fixed') return n >= minimum ? n : 0;
    if (n < minimum + QUIET_LOOKAHEAD_TOKENS) return 0;
    let best = -1;
    let bestScore = -Infinity;
    for (let i = minimum - 1; i <= n - 2; i += 1) {
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
