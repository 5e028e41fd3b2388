/**
 * NLTK's `PerceptronTagger.tag` (the greedy averaged perceptron `nltk.pos_tag` runs for English), with the user's
 * weights: the same normalization, the same fourteen features, the tag dictionary for frequent unambiguous words,
 * and `max(classes, key=(score, label))` for the best tag. The weights are the user's NLTK data
 * (`averaged_perceptron_tagger`), read at bundle time by ../frontend-data/; none ships.
 * @module
 */

/** One tag per token, in order. */
export type PosTagger = (tokens: readonly string[]) => string[];

export interface PerceptronTaggerData {
  /** Feature → label → weight, in the order NLTK stores them. */
  readonly weights: ReadonlyMap<string, ReadonlyMap<string, number>>;
  /** Words always given one tag. */
  readonly tagdict: ReadonlyMap<string, string>;
  readonly classes: readonly string[];
}

const START = ['-START-', '-START2-'] as const;
const END = ['-END-', '-END2-'] as const;

/** Python's `str.isdigit` for the digits text can hold (decimal digits of any script). */
const isDigits = (text: string): boolean => /^\p{Nd}+$/u.test(text);

/** `PerceptronTagger.normalize`. */
export function normalizeForTagger(word: string): string {
  if (word.includes('-') && !word.startsWith('-')) return '!HYPHEN';
  const chars = Array.from(word);
  if (isDigits(word) && chars.length === 4) return '!YEAR';
  if (chars.length > 0 && isDigits(chars[0] ?? '')) return '!DIGITS';
  return word.toLowerCase();
}

/** Python's `text[-3:]` (code points). */
const lastThree = (text: string): string => Array.from(text).slice(-3).join('');

/** `_get_features`, in the order they are added. */
export function taggerFeatures(i: number, word: string, context: readonly string[], prev: string, prev2: string): string[] {
  const at = i + START.length;
  const first = Array.from(word)[0] ?? '';
  const ctx = (offset: number): string => context[at + offset] ?? '';
  return [
    'bias',
    `i suffix ${lastThree(word)}`,
    `i pref1 ${first}`,
    `i-1 tag ${prev}`,
    `i-2 tag ${prev2}`,
    `i tag+i-2 tag ${prev} ${prev2}`,
    `i word ${ctx(0)}`,
    `i-1 tag+i word ${prev} ${ctx(0)}`,
    `i-1 word ${ctx(-1)}`,
    `i-1 suffix ${lastThree(ctx(-1))}`,
    `i-2 word ${ctx(-2)}`,
    `i+1 word ${ctx(1)}`,
    `i+1 suffix ${lastThree(ctx(1))}`,
    `i+2 word ${ctx(2)}`,
  ];
}

export function createPerceptronTagger(data: PerceptronTaggerData): PosTagger {
  if (data.classes.length === 0) throw new Error('the perceptron tagger has no classes');
  const predict = (features: readonly string[]): string => {
    const scores = new Map<string, number>();
    for (const feature of features) {
      for (const [label, weight] of data.weights.get(feature) ?? []) scores.set(label, (scores.get(label) ?? 0) + weight);
    }
    let best = '';
    let bestScore = Number.NEGATIVE_INFINITY;
    for (const label of data.classes) {
      const score = scores.get(label) ?? 0;
      if (score > bestScore || (score === bestScore && label > best)) {
        best = label;
        bestScore = score;
      }
    }
    return best;
  };
  return (tokens) => {
    const context = [...START, ...tokens.map(normalizeForTagger), ...END];
    let [prev, prev2]: string[] = [...START];
    return tokens.map((word, i) => {
      const tag = data.tagdict.get(word) || predict(taggerFeatures(i, word, context, prev ?? '', prev2 ?? ''));
      prev2 = prev;
      prev = tag;
      return tag;
    });
  };
}
