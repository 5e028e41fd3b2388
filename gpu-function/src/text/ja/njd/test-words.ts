/**
 * Helpers for the NJD rules' unit tests: words built from NAIST-JDIC-style feature strings, so a test reads like
 * MeCab's output.
 * @module
 */
import { mecab2njd } from './mecab2njd.ts';
import type { NjdWordList } from './word.ts';

/** `['surface', 'pos,g1,g2,g3,ctype,cform,orig,read,pron,acc/morae,chain rule'], ...` → an NJD word list. */
export function wordsOf(...entries: readonly (readonly [string, string])[]): NjdWordList {
  return mecab2njd(entries.map(([surface, feature]) => ({ surface, feature })));
}

/** A compact `string:pron:acc/morae:flag` view of each word for assertions. */
export function brief(words: NjdWordList): string[] {
  return [...words].map((word) => `${word.string}:${word.pron}:${word.acc}/${word.moraSize}:${word.chainFlag}`);
}
