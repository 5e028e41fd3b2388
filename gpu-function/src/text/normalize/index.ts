/**
 * Mandarin text normalization as chinese2.py's `text_normalize`: TextNormalizer sentences, punctuation mapping and
 * the final character filter, then collapsed punctuation runs. The result holds only U+4E00-U+9FA5 and `!?…,.-`.
 * @module
 */
import { normalizeSentences } from './text-normalizer.ts';
import { collapsePunctuationRuns, replacePunctuation } from './zh-punctuation.ts';

export { normalizeSentence, normalizeSentences, splitSentences } from './text-normalizer.ts';
export { collapsePunctuationRuns, replacePunctuation } from './zh-punctuation.ts';
export { traditionalToSimplified, fullWidthToHalfWidth } from './char-convert.ts';

export function normalizeZh(text: string): string {
  let result = '';
  for (const sentence of normalizeSentences(text)) result += replacePunctuation(sentence);
  return collapsePunctuationRuns(result);
}
