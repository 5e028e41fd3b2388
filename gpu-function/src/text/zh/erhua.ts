/**
 * chinese2.py's `_merge_erhua` (v2+ only): a word-final 儿 read er1 becomes er2, and 儿 after a syllable takes
 * that syllable's tone (`er` + previous tone) unless the word or its POS says it is a full syllable.
 * @module
 */
import type { ZhWordLists } from './word-lists.ts';

const FULL_SYLLABLE_POS = new Set(['a', 'j', 'nr']);

export function mergeErhua(finals: readonly string[], word: string, pos: string, lists: ZhWordLists): string[] {
  const result = [...finals];
  const lastIndex = result.length - 1;
  if (lastIndex >= 0 && word[lastIndex] === '儿' && result[lastIndex] === 'er1') result[lastIndex] = 'er2';
  if (!lists.mustErhua.has(word) && (lists.notErhua.has(word) || FULL_SYLLABLE_POS.has(pos))) return result;
  if (result.length !== word.length || lastIndex < 1) return result;
  const last = result[lastIndex] as string;
  const previousTone = (result[lastIndex - 1] ?? '').slice(-1);
  if (word[lastIndex] === '儿' && (last === 'er2' || last === 'er5') && !lists.notErhua.has(word.slice(-2)) && previousTone !== '') {
    result[lastIndex] = `er${previousTone}`;
  }
  return result;
}
