/**
 * GPT-SoVITS's English grapheme-to-phoneme step (`english.py`: `en_G2p.__call__`, `qryword`, `g2p`).
 *
 * Per token of the normalized text: punctuation stays itself; one letter is read as a letter ("A" → EY1); homographs
 * are chosen by part of speech; otherwise `qryword` tries, in order, the dictionary, the name dictionary for
 * title-case words, spelling out words of up to three letters, the possessive `'s`, splitting run-together words, and finally the OOV predictor. Phones outside the
 * symbol table are dropped and `'` becomes `-`, as english.py's `replace_phs` does.
 * @module
 */
import { hasSymbol } from '../symbols.ts';
import { readHomograph } from './homographs.ts';
import type { EnglishLexicon } from './lexicon.ts';
import type { OovPredictor } from './oov.ts';
import type { PosTagger } from './perceptron-tagger.ts';
import { posTagEnglish } from './pos-tag.ts';
import { tokenizeEnglish } from './tokenize.ts';
import { segmentWords, type WordSegmenter } from './word-segment.ts';

const VOICELESS = new Set(['P', 'T', 'K', 'F', 'TH', 'HH']);
const SIBILANTS = new Set(['S', 'Z', 'SH', 'ZH', 'CH', 'JH']);
/** Phones english.py's `g2p` removes outright (word separators and the GRU's special and bare `UW` outputs). */
const REMOVED = new Set([' ', '<pad>', 'UW', '</s>', '<s>']);

export interface EnglishPhones {
  readonly phones: string[];
  /** Phones per token (word or punctuation mark); sums to `phones.length`. */
  readonly word2ph: number[];
}

/** The two statistical steps english.py borrows from NLTK and wordsegment; npm stand-ins by default. */
export interface EnglishModels {
  /** `nltk.pos_tag`. */
  readonly tag: PosTagger;
  /** `wordsegment.segment`. */
  readonly segment: WordSegmenter;
}

export const NPM_ENGLISH_MODELS: EnglishModels = { tag: posTagEnglish, segment: segmentWords };

interface Reader {
  readonly lexicon: EnglishLexicon;
  readonly predict: OovPredictor;
  readonly segment: WordSegmenter;
}

function letterPhones(letter: string, lexicon: EnglishLexicon): readonly string[] {
  return lexicon.dictionary.get(letter) ?? [];
}

/** Python's `str.istitle()`: cased characters only upper case after an uncased one, lower case after a cased one. */
export function isTitle(word: string): boolean {
  let previousCased = false;
  let anyCased = false;
  for (const char of word) {
    const upper = char.toUpperCase();
    const lower = char.toLowerCase();
    const cased = upper !== lower;
    if (cased && char === upper && previousCased) return false;
    if (cased && char === lower && !previousCased) return false;
    previousCased = cased;
    anyCased ||= cased;
  }
  return anyCased;
}

/** english.py's `qryword`. */
function lookUpWord(originalWord: string, reader: Reader): readonly string[] {
  const { lexicon } = reader;
  const word = originalWord.toLowerCase();
  const known = word.length > 1 ? lexicon.dictionary.get(word) : undefined;
  if (known !== undefined) return known;
  const name = isTitle(originalWord) ? lexicon.names.get(word) : undefined;
  if (name !== undefined) return name;
  if (word.length <= 3) {
    return Array.from(word).flatMap((char) => {
      if (char === 'a') return ['EY1'];
      return /^[a-z]$/u.test(char) ? letterPhones(char, lexicon) : [char];
    });
  }
  if (/^[a-z]+'s$/u.test(word)) {
    const stem = [...lookUpWord(word.slice(0, -2), reader)];
    const last = stem.at(-1) ?? '';
    if (VOICELESS.has(last)) stem.push('S');
    else if (SIBILANTS.has(last)) stem.push('AH0', 'Z');
    else stem.push('Z');
    return stem;
  }
  const parts = reader.segment(word);
  if (parts.length <= 1) return reader.predict(word);
  return parts.flatMap((part) => lookUpWord(part, reader));
}

function tokenPhones(token: string, tag: string, reader: Reader): readonly string[] {
  const word = token.toLowerCase();
  if (!/[a-z]/u.test(word)) return [word];
  if (word.length === 1) return token === 'A' ? ['EY1'] : letterPhones(word, reader.lexicon);
  const homograph = reader.lexicon.homographs.get(word);
  if (homograph !== undefined) return readHomograph(homograph, tag);
  return lookUpWord(token, reader);
}

/** english.py's `replace_phs` after `g2p`'s filter: table symbols kept, `'` → `-`, `<unk>` → `UNK`, rest dropped. */
function keepPhone(phone: string): string | undefined {
  if (REMOVED.has(phone)) return undefined;
  if (phone === '<unk>') return 'UNK';
  if (hasSymbol('v2', phone)) return phone;
  return phone === "'" ? '-' : undefined;
}

/** Phones of normalized English text. */
export function englishPhones(
  normText: string,
  lexicon: EnglishLexicon,
  predict: OovPredictor,
  models: EnglishModels = NPM_ENGLISH_MODELS,
): EnglishPhones {
  const reader: Reader = { lexicon, predict, segment: models.segment };
  const tokens = tokenizeEnglish(normText);
  const tags = models.tag(tokens);
  const phones: string[] = [];
  const word2ph: number[] = [];
  tokens.forEach((token, index) => {
    const kept = tokenPhones(token, tags[index] ?? 'NN', reader)
      .map(keepPhone)
      .filter((phone): phone is string => phone !== undefined);
    phones.push(...kept);
    word2ph.push(kept.length);
  });
  return { phones, word2ph };
}
