/**
 * chinese2.py's G2PW branch: one batched G2PW call over every segment of the normalized text, then per word the
 * G2PW readings, GPT-SoVITS's polyphone post-fix (`correct_pronunciation`, when the folder carries the .rep files),
 * tone sandhi and erhua, then opencpop phones. Unlike the pypinyin path this is asynchronous (the model runs).
 * @module
 */
import { normalizeZh } from '../normalize/index.ts';
import type { G2pResult, SymbolTableVersion } from '../types.ts';
import { g2pNormalized, prepareSegments, segmentPhones } from './chinese-g2p.ts';
import type { G2pw } from './g2pw/predictor.ts';
import { assertConvertible, toTableSymbols } from './convert-guards.ts';
import type { PinyinSource } from './pinyin-source.ts';
import { EMPTY_ZH_WORD_LISTS, type ZhWordLists } from './word-lists.ts';

/** `correct_pronunciation`: a whole-word entry replaces the readings; otherwise each listed character's first. */
export function correctPronunciation(fix: ReadonlyMap<string, readonly string[]>, word: string, readings: readonly string[]): string[] {
  const whole = fix.get(word);
  if (whole !== undefined) return [...whole];
  return readings.map((reading, i) => fix.get(word[i] ?? '')?.[0] ?? reading);
}

/**
 * Converts Mandarin text with G2PW pinyin (v2 tables; v1 uses the pypinyin path as chinese.py does). `source`
 * supplies the merge-step finals and the readings of characters G2PW does not predict; `lists` are the user's
 * GPT-SoVITS word lists (empty without them).
 */
export async function convertZhWithG2pw(
  text: string,
  symbols: SymbolTableVersion,
  g2pw: G2pw,
  source: PinyinSource,
  lists: ZhWordLists = EMPTY_ZH_WORD_LISTS,
): Promise<G2pResult> {
  assertConvertible(text);
  const normText = normalizeZh(text);
  if (normText === '') return { normText, phones: [], word2ph: [] };
  if (symbols === 'v1') {
    // v1 bundles use chinese.py, which never calls G2PW.
    const { phones, word2ph } = g2pNormalized(normText, symbols, source, lists);
    return { normText, phones: toTableSymbols(phones, symbols), word2ph };
  }
  const segments = prepareSegments(normText, source);
  const predicted = await g2pw.predict(segments.map((segment) => segment.text).filter((t) => t !== ''));
  const phones: string[] = [];
  const word2ph: number[] = [];
  let cursor = 0;
  for (const segment of segments) {
    const readings = segment.text === '' ? [] : (predicted[cursor++] ?? []);
    const pinyinOf = (word: string, offset: number): string[] =>
      correctPronunciation(
        g2pw.assets.polyphonicFix,
        word,
        Array.from({ length: word.length }, (_, i) => readings[offset + i] ?? word[i] ?? ''),
      );
    const result = segmentPhones(segment, pinyinOf, symbols, lists);
    for (const phone of result.phones) phones.push(phone);
    for (const count of result.word2ph) word2ph.push(count);
  }
  return { normText, phones: toTableSymbols(phones, symbols), word2ph };
}
