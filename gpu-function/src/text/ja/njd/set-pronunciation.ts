/**
 * OpenJTalk's `njd_set_pronunciation`: words the dictionary gave no reading (mora count 0: symbols, unknown words)
 * are read as kana where they are written in kana or Latin letters (and become `フィラー`, filler, so later rules
 * leave them alone), `？` keeps its mark, and anything else becomes a pause `、` (part of speech `記号`). Words left
 * without a pronunciation are dropped, runs of one-mora kana fillers are merged into one word, `ウ` after a verb or
 * auxiliary is read as a long vowel, and `です`/`ます` before `？` lose their unvoicing mark.
 * @module
 */
import { countMorae, kanaMoraAt } from './kana.ts';
import type { NjdWord, NjdWordList } from './word.ts';

/**
 * How OpenJTalk (pyopenjtalk's fork) reads a full-width Latin letter standing alone: the English letter names in
 * katakana. Written for gsv-edge; the spellings follow the fork's choices (ズィー for Z, ジェー for J) so readings match.
 */
const LETTER_NAMES = [
  'エー', 'ビー', 'シー', 'ディー', 'イー', 'エフ', 'ジー', 'エイチ', 'アイ', 'ジェー', 'ケー', 'エル', 'エム',
  'エヌ', 'オー', 'ピー', 'キュー', 'アール', 'エス', 'ティー', 'ユー', 'ブイ', 'ダブリュー', 'エックス', 'ワイ', 'ズィー',
] as const;
const FULL_WIDTH_UPPER_A = 0xff21;
const FULL_WIDTH_LOWER_A = 0xff41;

const LETTER_READINGS: ReadonlyMap<string, string> = new Map(
  LETTER_NAMES.flatMap((name, index) => [
    [String.fromCharCode(FULL_WIDTH_UPPER_A + index), name] as const,
    [String.fromCharCode(FULL_WIDTH_LOWER_A + index), name] as const,
  ]),
);

/** Symbols that keep their own mark as pronunciation (a question intonation later on). */
const SPOKEN_SYMBOLS: ReadonlySet<string> = new Set(['？']);

const FILLER = 'フィラー';
const SYMBOL = '記号';
const PAUSE = '、';
const QUESTION = '？';

/** The reading unit (kana mora or full-width letter) starting at `index`, with its katakana and mora count. */
function readingUnitAt(text: string, index: number): { length: number; katakana: string; morae: number } | undefined {
  const kana = kanaMoraAt(text, index);
  if (kana !== undefined) return { length: kana.kana.length, katakana: kana.katakana, morae: 1 };
  const letter = text[index];
  const name = letter === undefined ? undefined : LETTER_READINGS.get(letter);
  return name === undefined ? undefined : { length: 1, katakana: name, morae: countMorae(name) };
}

/** Whether the whole word is exactly one reading unit (what may join a run of kana fillers). */
function isSingleReadingUnit(text: string): boolean {
  return readingUnitAt(text, 0)?.length === text.length && text.length > 0;
}

function readUnreadWord(word: NjdWord): void {
  word.set('read', undefined);
  word.set('pron', undefined);
  const text = word.string;
  for (let index = 0; index < text.length; ) {
    const unit = readingUnitAt(text, index);
    if (unit === undefined) {
      index++;
      continue;
    }
    index += unit.length;
    word.append('read', unit.katakana);
    word.append('pron', unit.katakana);
    word.moraSize += unit.morae;
  }
  if (word.moraSize !== 0) {
    word.set('pos', FILLER);
    word.set('posGroup1', undefined);
    word.set('posGroup2', undefined);
    word.set('posGroup3', undefined);
  }
  if (word.orig === '*') word.set('orig', text);
  if (word.pron === '*' && SPOKEN_SYMBOLS.has(word.string)) {
    word.set('read', word.string);
    word.set('pron', word.string);
  }
  if (word.pron === '*') {
    word.set('read', PAUSE);
    word.set('pron', PAUSE);
    word.set('pos', SYMBOL);
  }
}

function mergeKanaFillerRuns(words: NjdWordList): void {
  let head: NjdWord | undefined;
  for (const word of words) {
    if (word.pos !== FILLER || !isSingleReadingUnit(word.string)) {
      head = undefined;
      continue;
    }
    if (head === undefined) {
      head = word;
      continue;
    }
    head.append('string', word.string);
    head.append('orig', word.orig);
    head.append('read', word.read);
    head.append('pron', word.pron);
    head.moraSize += word.moraSize;
    word.set('pron', undefined);
  }
}

export function setPronunciation(words: NjdWordList): void {
  for (const word of words) if (word.moraSize === 0) readUnreadWord(word);
  words.removeSilent();
  mergeKanaFillerRuns(words);
  words.removeSilent();
  for (const word of words) {
    const next = word.next;
    if (next === undefined) continue;
    if (next.pron === 'ウ' && next.pos === '助動詞' && (word.pos === '動詞' || word.pos === '助動詞') && word.moraSize > 0) {
      next.set('pron', 'ー');
    }
    if (word.pos === '助動詞' && next.string === QUESTION) {
      if (word.string === 'です') word.set('pron', 'デス');
      else if (word.string === 'ます') word.set('pron', 'マス');
    }
  }
}
