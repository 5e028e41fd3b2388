/**
 * GPT-SoVITS's English grapheme-to-phoneme step (`english.py`: `en_G2p.__call__`, `qryword`, `g2p`).
 *
 * Per token of the normalized text: punctuation stays itself; one letter is read as a letter ("A" → EY1); homographs
 * are chosen by part of speech; otherwise `qryword` tries, in order, the dictionary, spelling out words of up to
 * three letters, the possessive `'s`, splitting run-together words, and finally the OOV predictor. Phones outside the
 * symbol table are dropped and `'` becomes `-`, as english.py's `replace_phs` does.
 * @module
 */
import { hasSymbol } from '../symbols.ts';
import { englishDictionary } from './cmudict.ts';
import { englishHomographs, readHomograph } from './homographs.ts';
import type { OovPredictor } from './oov.ts';
import { posTagEnglish } from './pos-tag.ts';
import { tokenizeEnglish } from './tokenize.ts';
import { segmentWords } from './word-segment.ts';

const VOICELESS = new Set(['P', 'T', 'K', 'F', 'TH', 'HH']);
const SIBILANTS = new Set(['S', 'Z', 'SH', 'ZH', 'CH', 'JH']);
/** Phones english.py's `g2p` removes outright (word separators and the GRU's special and bare `UW` outputs). */
const REMOVED = new Set([' ', '<pad>', 'UW', '</s>', '<s>']);

export interface EnglishPhones {
  readonly phones: string[];
  /** Phones per token (word or punctuation mark); sums to `phones.length`. */
  readonly word2ph: number[];
}

function letterPhones(letter: string): readonly string[] {
  return englishDictionary().get(letter) ?? [];
}

/** english.py's `qryword`. */
function lookUpWord(originalWord: string, predict: OovPredictor): readonly string[] {
  const word = originalWord.toLowerCase();
  const dictionary = englishDictionary();
  const known = word.length > 1 ? dictionary.get(word) : undefined;
  if (known !== undefined) return known;
  // GPT-SoVITS's name dictionary (namedict_cache.pickle, title-case names) would be consulted here; it is not on npm.
  if (word.length <= 3) {
    return Array.from(word).flatMap((char) => {
      if (char === 'a') return ['EY1'];
      return /^[a-z]$/u.test(char) ? letterPhones(char) : [char];
    });
  }
  if (/^[a-z]+'s$/u.test(word)) {
    const stem = [...lookUpWord(word.slice(0, -2), predict)];
    const last = stem.at(-1) ?? '';
    if (VOICELESS.has(last)) stem.push('S');
    else if (SIBILANTS.has(last)) stem.push('AH0', 'Z');
    else stem.push('Z');
    return stem;
  }
  const parts = segmentWords(word);
  if (parts.length <= 1) return predict(word);
  return parts.flatMap((part) => lookUpWord(part, predict));
}

function tokenPhones(token: string, tag: string, predict: OovPredictor): readonly string[] {
  const word = token.toLowerCase();
  if (!/[a-z]/u.test(word)) return [word];
  if (word.length === 1) return token === 'A' ? ['EY1'] : letterPhones(word);
  const homograph = englishHomographs().get(word);
  if (homograph !== undefined) return readHomograph(homograph, tag);
  return lookUpWord(token, predict);
}

/** english.py's `replace_phs` after `g2p`'s filter: table symbols kept, `'` → `-`, `<unk>` → `UNK`, rest dropped. */
function keepPhone(phone: string): string | undefined {
  if (REMOVED.has(phone)) return undefined;
  if (phone === '<unk>') return 'UNK';
  if (hasSymbol('v2', phone)) return phone;
  return phone === "'" ? '-' : undefined;
}

/** Phones of normalized English text. */
export function englishPhones(normText: string, predict: OovPredictor): EnglishPhones {
  const tokens = tokenizeEnglish(normText);
  const tags = posTagEnglish(tokens);
  const phones: string[] = [];
  const word2ph: number[] = [];
  tokens.forEach((token, index) => {
    const kept = tokenPhones(token, tags[index] ?? 'NN', predict)
      .map(keepPhone)
      .filter((phone): phone is string => phone !== undefined);
    phones.push(...kept);
    word2ph.push(kept.length);
  });
  return { phones, word2ph };
}
