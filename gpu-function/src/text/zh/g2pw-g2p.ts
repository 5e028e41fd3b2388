/**
 * chinese2.py's G2PW branch: one batched G2PW call over every punctuation-delimited piece of every text, then per
 * word the G2PW readings, GPT-SoVITS's polyphone post-fix (`correct_pronunciation`, when the bundle carries the .rep
 * files), tone sandhi and erhua, then opencpop phones. Unlike the pypinyin path this is asynchronous (the model runs).
 * @module
 */
import { normalizeZh } from '../normalize/index.ts';
import type { G2pResult, SymbolTableVersion } from '../types.ts';
import { g2pNormalized, prepareSegments, segmentPhones } from './chinese-g2p.ts';
import type { G2pw } from './g2pw/predictor.ts';
import { assertConvertible, toTableSymbols } from './convert-guards.ts';
import type { ZhResources } from './resources.ts';

/** `correct_pronunciation`: a whole-word entry replaces the readings; otherwise each listed character's first. */
export function correctPronunciation(fix: ReadonlyMap<string, readonly string[]>, word: string, readings: readonly string[]): string[] {
  const whole = fix.get(word);
  if (whole !== undefined) return [...whole];
  return readings.map((reading, i) => fix.get(word[i] ?? '')?.[0] ?? reading);
}

/**
 * Converts Mandarin texts with G2PW pinyin (v2 tables; v1 uses the pypinyin path as chinese.py does), sending every
 * piece of every text to the model in one call. The resources' pinyin source supplies the merge-step finals and the
 * readings of characters G2PW does not predict.
 */
export async function convertZhBatchWithG2pw(
  texts: readonly string[],
  symbols: SymbolTableVersion,
  g2pw: G2pw,
  resources: ZhResources,
): Promise<G2pResult[]> {
  for (const text of texts) assertConvertible(text);
  const normTexts = texts.map((text) => normalizeZh(text, resources.toSimplified));
  if (symbols === 'v1') {
    // v1 bundles use chinese.py, which never calls G2PW.
    return normTexts.map((normText) => {
      const { phones, word2ph } = g2pNormalized(normText, symbols, resources);
      return { normText, phones: toTableSymbols(phones, symbols), word2ph };
    });
  }
  const prepared = normTexts.map((normText) => (normText === '' ? [] : prepareSegments(normText, resources.pinyinSource, resources.tagWords)));
  const sentences = prepared.flatMap((segments) => segments.map((segment) => segment.text).filter((text) => text !== ''));
  const predicted = sentences.length === 0 ? [] : await g2pw.predict(sentences);
  let cursor = 0;
  return normTexts.map((normText, index) => {
    const phones: string[] = [];
    const word2ph: number[] = [];
    for (const segment of prepared[index] ?? []) {
      const readings = segment.text === '' ? [] : (predicted[cursor++] ?? []);
      const pinyinOf = (word: string, offset: number): string[] =>
        correctPronunciation(
          g2pw.assets.polyphonicFix,
          word,
          Array.from({ length: word.length }, (_, i) => readings[offset + i] ?? word[i] ?? ''),
        );
      const result = segmentPhones(segment, pinyinOf, symbols, resources.wordLists);
      for (const phone of result.phones) phones.push(phone);
      for (const count of result.word2ph) word2ph.push(count);
    }
    return { normText, phones: toTableSymbols(phones, symbols), word2ph };
  });
}

/** One text through {@link convertZhBatchWithG2pw}. */
export async function convertZhWithG2pw(text: string, symbols: SymbolTableVersion, g2pw: G2pw, resources: ZhResources): Promise<G2pResult> {
  const [result] = await convertZhBatchWithG2pw([text], symbols, g2pw, resources);
  if (result === undefined) throw new Error('internal: G2PW returned no result');
  return result;
}
