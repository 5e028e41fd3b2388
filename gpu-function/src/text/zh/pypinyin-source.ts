/**
 * An exact `lazy_pinyin(word, Style.TONE3, neutral_tone_with_five=True)` over pypinyin's own dictionaries, for users
 * whose bundle carries pypinyin's dictionaries from their GPT-SoVITS Python environment (`pinyin_dict.json` /
 * `phrases_dict.json`, or the `.py` literals of older releases). Nothing here is shipped: without those files the
 * pinyin-pro source is used.
 * @module
 */
import { memoize, perCharacter, type PinyinSource } from './pinyin-source.ts';
import { readPypinyinFolder } from './pypinyin-files.ts';

const TONE_MARKS: Readonly<Record<string, readonly [string, number]>> = {
  ā: ['a', 1], á: ['a', 2], ǎ: ['a', 3], à: ['a', 4], ē: ['e', 1], é: ['e', 2], ě: ['e', 3], è: ['e', 4],
  ī: ['i', 1], í: ['i', 2], ǐ: ['i', 3], ì: ['i', 4], ō: ['o', 1], ó: ['o', 2], ǒ: ['o', 3], ò: ['o', 4],
  ū: ['u', 1], ú: ['u', 2], ǔ: ['u', 3], ù: ['u', 4], ǖ: ['v', 1], ǘ: ['v', 2], ǚ: ['v', 3], ǜ: ['v', 4], ü: ['v', 0],
  ń: ['n', 2], ň: ['n', 3], ǹ: ['n', 4], ḿ: ['m', 2], '\u0304': ['', 1], '\u0301': ['', 2], '\u030c': ['', 3],
  '\u0300': ['', 4],
};

/** Tone-marked pinyin (`lǜ`) → TONE3 with the neutral tone as 5 (`lv4`, `le5`). */
export function toTone3(marked: string): string {
  let letters = '';
  let tone = 0;
  for (const char of marked.normalize('NFC')) {
    const mark = TONE_MARKS[char];
    if (mark) {
      letters += mark[0];
      if (mark[1] !== 0) tone = mark[1];
    } else {
      letters += char;
    }
  }
  return `${letters}${tone === 0 ? 5 : tone}`;
}

export interface PypinyinDictionaries {
  /** `pinyin_dict.json`: code point (decimal string) → comma-separated tone-marked readings, first is the default. */
  readonly pinyinDict: Readonly<Record<string, string>>;
  /** `phrases_dict.json`: phrase → one list of tone-marked readings per character. */
  readonly phrasesDict: Readonly<Record<string, readonly (readonly string[])[]>>;
}

/** pypinyin's `mmseg.Seg(no_non_phrases=True)`: forward maximum matching that only emits real phrases. */
function createPhraseCutter(phrases: ReadonlySet<string>): (text: string) => string[] {
  const prefixes = new Set<string>();
  for (const phrase of phrases) for (let i = 1; i <= phrase.length; i += 1) prefixes.add(phrase.slice(0, i));
  return (text) => {
    const words: string[] = [];
    let rest = text;
    while (rest !== '') {
      let valid = '';
      let end = 0;
      for (; end < rest.length && prefixes.has(rest.slice(0, end + 1)); end += 1) {
        if (phrases.has(rest.slice(0, end + 1))) valid = rest.slice(0, end + 1);
      }
      if (valid !== '') {
        words.push(valid);
        rest = rest.slice(valid.length);
      } else if (end === rest.length) {
        // Every prefix matched but none is a phrase: pypinyin emits the rest one character at a time and stops.
        words.push(...Array.from(rest));
        rest = '';
      } else {
        words.push(rest.charAt(0));
        rest = rest.slice(1);
      }
    }
    return words;
  };
}

export function createPypinyinSource({ pinyinDict, phrasesDict }: PypinyinDictionaries): PinyinSource {
  const phrases = new Set(Object.keys(phrasesDict));
  const cut = createPhraseCutter(phrases);
  const single = (char: string): string => {
    const readings = pinyinDict[String(char.codePointAt(0))];
    return readings === undefined ? char : toTone3(readings.split(',')[0] ?? '');
  };
  const read = memoize((word) =>
    perCharacter(word, (run) =>
      cut(run).flatMap((piece) => {
        const phrase = phrasesDict[piece];
        if (phrase) return phrase.map((readings) => toTone3(readings[0] ?? ''));
        return Array.from(piece, single);
      }),
    ),
  );
  return { context: 'word', read };
}

/** `lazy_pinyin` over the dictionaries of a pypinyin package folder (see {@link readPypinyinFolder}). */
export function loadPypinyinSource(dir: string): PinyinSource {
  return createPypinyinSource(readPypinyinFolder(dir).dictionaries);
}
