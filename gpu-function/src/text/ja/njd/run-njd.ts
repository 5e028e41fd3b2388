/**
 * pyopenjtalk's `run_frontend(text)` up to the NJD words: OpenJTalk's input conversion, MeCab, `mecab2njd` and the
 * NJD rules in pyopenjtalk's order (pronunciation, digits, accent phrases, accent types, unvoiced vowels, long vowels).
 * @module
 */
import type { MecabAnalyser } from '../mecab/index.ts';
import { mecab2njd } from './mecab2njd.ts';
import type { NjdNode } from './node.ts';
import { setAccentPhrase } from './set-accent-phrase.ts';
import { setAccentType } from './set-accent-type.ts';
import { setDigit } from './set-digit.ts';
import { setLongVowel } from './set-long-vowel.ts';
import { setPronunciation } from './set-pronunciation.ts';
import { setUnvoicedVowel } from './set-unvoiced-vowel.ts';
import { text2mecab } from './text2mecab.ts';
import type { NjdWordList } from './word.ts';

/** The NJD rules in pyopenjtalk's order. */
export const NJD_RULES: readonly ((words: NjdWordList) => void)[] = [
  setPronunciation,
  setDigit,
  setAccentPhrase,
  setAccentType,
  setUnvoicedVowel,
  setLongVowel,
];

export function runNjd(text: string, analyser: Pick<MecabAnalyser, 'analyse'>): NjdNode[] {
  const input = text2mecab(text);
  const words = mecab2njd(input === '' ? [] : analyser.analyse(input).morphemes);
  for (const rule of NJD_RULES) rule(words);
  return words.toNodes();
}
