/**
 * Mandarin text normalization as chinese2.py's `text_normalize`: TextNormalizer sentences, punctuation mapping and
 * the final character filter, then collapsed punctuation runs. The result holds only U+4E00-U+9FA5 and `!?…,.-`.
 * @module
 */
import { traditionalToSimplified, type ToSimplified } from './char-convert.ts';
import { normalizeSentences } from './text-normalizer.ts';
import { collapsePunctuationRuns, replacePunctuation } from './zh-punctuation.ts';

export { normalizeSentence, normalizeSentences, splitSentences } from './text-normalizer.ts';
export { collapsePunctuationRuns, replacePunctuation } from './zh-punctuation.ts';
export { charConvertTable, traditionalToSimplified, fullWidthToHalfWidth, type ToSimplified } from './char-convert.ts';

/** `toSimplified`: GPT-SoVITS's char_convert.py table when the bundle carries it (OpenCC's table by default). */
export function normalizeZh(text: string, toSimplified: ToSimplified = traditionalToSimplified): string {
  let result = '';
  for (const sentence of normalizeSentences(text, toSimplified)) result += replacePunctuation(sentence);
  return collapsePunctuationRuns(result);
}
