/**
 * OpenJTalk's `njd_set_unvoiced_vowel`: marks vowels that are devoiced in speech by a `’` after their mora in the
 * pronunciation (キ’, ス’). It walks the morae of the whole sentence with a window of three (the current mora and the
 * next two, across word boundaries) and applies, in order:
 *   0. fillers are never devoiced;
 *   1. the す of です/ます (verb, auxiliary or interjection) is devoiced unless a question mark or long vowel follows;
 *   2. the し of verbs, auxiliaries and particles devoices readily (rules 4 and 5 decide it);
 *   3. two morae in a row are not both devoiced;
 *   4. the accent nucleus is not devoiced;
 *   5. i and u between voiceless consonants are devoiced (except s before s/sh, and f/h before f/h/hy).
 * A pronunciation with a character that is no mora stops the rule where it stands, as in OpenJTalk.
 * @module
 */
import { katakanaMoraAt } from './kana.ts';
import type { NjdWord, NjdWordList } from './word.ts';

const DEVOICED = '’';
const PAUSE = '、';
const QUESTION = '？';
const LONG_VOWEL = 'ー';

/** Onsets of the voiceless consonants (k ky s sh t ty ch ts h f hy p py), by the first kana of a mora. */
const K_ONSETS = 'カキクケコ';
const S_ONSETS = 'サシスセソ';
const T_ONSETS = 'タチツテト';
const H_ONSETS = 'ハヒフヘホ';
const P_ONSETS = 'パピプペポ';

/** Morae with a devoicable vowel (i or u after a voiceless consonant), by the onsets that may follow them. */
const DEVOICING: readonly { readonly morae: ReadonlySet<string>; readonly nextOnsets: string }[] = [
  // s: not before another s/sh.
  { morae: new Set(['スィ', 'ス']), nextOnsets: K_ONSETS + T_ONSETS + H_ONSETS + P_ONSETS },
  // f and h: not before f/h/hy.
  { morae: new Set(['フィ', 'ヒ', 'フ']), nextOnsets: K_ONSETS + S_ONSETS + T_ONSETS + P_ONSETS },
  { morae: new Set(['キュ', 'シュ', 'チュ', 'ツィ', 'ヒュ', 'ピュ', 'テュ', 'トゥ', 'ティ', 'キ', 'ク', 'シ', 'チ', 'ツ', 'ピ', 'プ']), nextOnsets: K_ONSETS + S_ONSETS + T_ONSETS + H_ONSETS + P_ONSETS },
];

/** 1 devoiced, 0 voiced, -1 not a candidate (rule 5). */
function devoicedBetween(current: string, next: string | undefined): number {
  if (next === undefined) return 0;
  for (const { morae, nextOnsets } of DEVOICING) {
    if (morae.has(current)) return next !== '' && nextOnsets.includes(next.charAt(0)) ? 1 : 0;
  }
  return -1;
}

/** One mora of the sentence as the rule sees it. */
interface Mora {
  mora: string | undefined;
  word: NjdWord | undefined;
  /** 1 devoiced, 0 voiced, -1 undecided. */
  flag: number;
  /** Code units it takes in the pronunciation (with a `’` already there). */
  size: number;
  /** Mora index within its accent phrase, and that phrase's accent. */
  index: number;
  accent: number;
}

function emptyMora(): Mora {
  return { mora: undefined, word: undefined, flag: -1, size: 0, index: 0, accent: 0 };
}

/** OpenJTalk's `get_mora_information`: the mora at `offset` of `word`'s pronunciation (or of the words after it). */
function moraAt(start: NjdWord, startOffset: number, into: Mora): void {
  let word: NjdWord | undefined = start;
  let offset = startOffset;
  while (word !== undefined && offset >= word.pron.length) {
    offset -= word.pron.length;
    word = word.next;
  }
  if (word === undefined) {
    Object.assign(into, emptyMora());
    return;
  }
  const pron = word.pron;
  into.word = word;
  if (offset === 0 && word.chainFlag !== 1) {
    into.index = 0;
    into.accent = word.acc;
  }
  if (pron === PAUSE || pron === QUESTION) {
    into.mora = pron;
    into.flag = 0;
    into.size = pron.length;
    return;
  }
  into.mora = katakanaMoraAt(pron, offset);
  into.flag = -1;
  into.size = into.mora?.length ?? 0;
  if (pron.startsWith(DEVOICED, offset + into.size)) {
    into.flag = 1;
    into.size += DEVOICED.length;
  }
}

const SU_WORD_POS = new Set(['動詞', '助動詞', '感動詞']);
const SHI_WORD_POS = new Set(['動詞', '助動詞', '助詞']);

export function setUnvoicedVowel(words: NjdWordList): void {
  let m1 = emptyMora();
  let m2 = emptyMora();
  let m3 = emptyMora();
  m2.index = 1;
  m3.index = 2;
  for (const word of words) {
    let pron = '';
    const length = word.pron.length;
    for (let offset = 0; offset < length; ) {
      if (m1.mora === undefined) moraAt(word, offset, m1);
      if (m1.mora === undefined) return; // OpenJTalk: "Wrong pron", the rest stays as it is
      if (m2.mora === undefined) {
        m2.index = m1.index + 1;
        m2.accent = m1.accent;
        moraAt(word, offset + m1.size, m2);
      }
      if (m3.mora === undefined) {
        m3.index = m2.index + 1;
        m3.accent = m2.accent;
        moraAt(word, offset + m1.size + m2.size, m3);
      }
      // Rule 1: です/ます.
      if (m2.mora !== undefined && m3.mora !== undefined && m1.word === m2.word && m2.word !== m3.word &&
          (m1.mora === 'マ' || m1.mora === 'デ') && m2.mora === 'ス' && SU_WORD_POS.has(m2.word?.pos ?? '')) {
        const after = m3.word?.pron;
        m2.flag = after === QUESTION || after === LONG_VOWEL ? 0 : 1;
      }
      // Rule 2: し of verbs, auxiliaries and particles.
      if (m1.flag !== 1 && m2.flag === -1 && m3.flag !== 1 && m2.mora !== undefined &&
          m2.word?.pron === 'シ' && SHI_WORD_POS.has(m2.word.pos)) {
        m2.flag = m2.accent === m2.index + 1 ? 0 : devoicedBetween(m2.mora, m3.mora);
        if (m2.flag === 1) {
          if (m1.flag === -1) m1.flag = 0;
          if (m3.flag === -1) m3.flag = 0;
        }
      }
      if (m1.flag === -1) {
        if (m1.word?.pos === 'フィラー') m1.flag = 0; // rule 0
        else if (m2.flag === 1) m1.flag = 0; // rule 3
        else if (m1.accent === m1.index + 1) m1.flag = 0; // rule 4
        else m1.flag = devoicedBetween(m1.mora, m2.mora); // rule 5
      }
      if (m1.flag === 1 && m2.flag === -1) m2.flag = 0;
      pron += m1.mora + (m1.flag === 1 ? DEVOICED : '');
      offset += m1.size;
      [m1, m2, m3] = [m2, m3, emptyMora()];
    }
    word.set('pron', pron);
  }
}
