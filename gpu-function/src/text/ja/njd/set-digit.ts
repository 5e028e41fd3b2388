/**
 * OpenJTalk's `njd_set_digit`: numbers are read as Japanese numerals. MeCab splits a written number into one word per
 * digit; this rule decides, per run of digits, whether it is a quantity (1,234 → 千二百三十四, with the powers of ten
 * inserted and zeros silenced) or a code read digit by digit (090 → ゼロ キュー ゼロ), using commas, a leading zero
 * and the words around it (counters, hyphens, brackets, 番号) as evidence. Then it reads decimal points as テン, gives
 * numerals before counters their sound changes (六本 ろっぽん, 三階 さんがい, 四人 よにん), joins numerals and powers of
 * ten into accent phrases, and reads the irregular native forms (一人 ひとり, 二日 ふつか, 一日 ついたち, 二十日 はつか).
 * The words and lists it uses are in digit-words.ts.
 * @module
 */
import {
  BEFORE_HUNDRED, BEFORE_THOUSAND_TRILLION, COUNTER_SOUND_GROUPS, DAY_SPANS, DAYS, DECIMAL_POINT, DIGIT_CHARACTERS, type DigitReading, type DigitWord,
  FIRST_OF_MONTH, FOUR_DAYS_AFTER_TWENTY, FOURTEEN_DAYS, FOURTEENTH, FOURTH_AFTER_TWENTY, HUNDRED_THOUSAND_SOUND, MULTIPLIERS, MYRIADS, NATIVE_COUNTERS,
  NATIVE_NUMERALS, NUMERAL_READING_GROUPS, PEOPLE, POWERS_OF_TEN, type SoundChange, TENS_HUNDREDS_THOUSANDS, TWENTIETH, TWENTY, TWENTY_DAYS,
} from './digit-words.ts';
import { NjdWord, type NjdWordList } from './word.ts';

const NUMERAL = '数';
const NOUN = '名詞';
const SYMBOL = '記号';
const NUMERAL_PREFIX = '数接続';
const COUNTER = '助数詞';
const ADVERBIAL_NOUN = '副詞可能';
const UNSET = '*';
/** Marks around a number that make it read as a code (digit by digit) rather than a quantity. */
const DASHES = new Set(['―', '−', '‐', '—', '－']);
const OPENING_BRACKET = '（';
const CLOSING_BRACKET = '）';
const NUMBER_WORD = '番号';
/** More than 17 groups of four digits is past the largest named power (無量大数, 10^68): left as digits. */
const MAX_MYRIAD = 17;
const DIGITS_PER_GROUP = 4;

const isPeriod = (text: string): boolean => text === '．' || text === '・';
const isComma = (text: string): boolean => text === '，';
const isZero = (text: string): boolean => text === '〇' || text === '０';

/** OpenJTalk's `NJDNode_load` of one of the rule's words over an existing word. */
function load(word: NjdWord, entry: DigitWord): void {
  word.set('string', entry.string);
  word.set('pos', NOUN);
  word.set('posGroup1', entry.posGroup1);
  word.set('posGroup2', entry.posGroup2 ?? UNSET);
  word.set('posGroup3', UNSET);
  word.set('ctype', UNSET);
  word.set('cform', UNSET);
  word.set('orig', entry.orig ?? entry.string);
  word.set('read', entry.read);
  word.set('pron', entry.pron);
  word.acc = entry.acc;
  word.moraSize = entry.moraSize;
  word.set('chainRule', entry.chainRule ?? UNSET);
  if (entry.chainFlag !== undefined) word.chainFlag = entry.chainFlag;
}

function silence(word: NjdWord): void {
  word.set('pron', undefined);
  word.acc = 0;
  word.moraSize = 0;
}

/** The digit's value (-1 if the word is no digit); with `normalise`, rewrites it to OpenJTalk's kanji. */
function digitValue(word: NjdWord, normalise = false): number {
  if (word.string === UNSET || word.posGroup1 !== NUMERAL) return -1;
  const digit = DIGIT_CHARACTERS.get(word.string);
  if (digit === undefined) return -1;
  if (normalise) {
    word.set('string', digit.kanji);
    word.set('orig', digit.kanji);
  }
  return digit.value;
}

function countWords(start: NjdWord, end: NjdWord): number {
  let size = 0;
  for (let word: NjdWord | undefined = start; word !== undefined && word !== end.next; word = word.next) size++;
  return size;
}

/** Evidence for reading `start..end` as a quantity (>= 0) or as a code (< 0), from the words around it. */
function quantityScore(start: NjdWord, end: NjdWord): number {
  let score = 0;
  const before = start.prev;
  if (before !== undefined) {
    if (before.posGroup1 === NUMERAL_PREFIX) score += 2;
    if (before.posGroup2 === COUNTER || before.posGroup1 === ADVERBIAL_NOUN) score += 1;
    const text = before.string;
    const numeralBefore = before.prev !== undefined && before.prev.posGroup1 === NUMERAL;
    if (isPeriod(text)) score -= numeralBefore ? 5 : 0;
    else if (DASHES.has(text)) score -= 2;
    else if (text === OPENING_BRACKET) score -= numeralBefore ? 2 : 0;
    else if (text === CLOSING_BRACKET || text === NUMBER_WORD) score -= 2;
    if (before.prev?.string === NUMBER_WORD) score -= 2;
  }
  const after = end.next;
  if (after !== undefined) {
    if (after.posGroup2 === COUNTER || after.posGroup1 === ADVERBIAL_NOUN) score += 2;
    const text = after.string;
    if (DASHES.has(text) || text === OPENING_BRACKET || text === NUMBER_WORD) score -= 2;
    else if (text === CLOSING_BRACKET) score -= after.next !== undefined && after.next.posGroup1 === NUMERAL ? 2 : 0;
    else if (isPeriod(text)) score += 4;
  }
  return score;
}

/** Digit by digit (090: ゼロ キュー ゼロ): long 0, 2, 5, and accent phrases of two digits. */
function readAsCode(start: NjdWord, end: NjdWord): void {
  if (countWords(start, end) <= 1) return;
  let position = 0;
  for (let word: NjdWord | undefined = start; word !== undefined && word !== end.next; word = word.next) {
    const text = word.string;
    if (isZero(text)) {
      word.set('pron', 'ゼロ');
      word.moraSize = 2;
    } else if (text === '二') {
      word.set('pron', 'ニー');
      word.moraSize = 2;
    } else if (text === '五') {
      word.set('pron', 'ゴー');
      word.moraSize = 2;
    }
    word.set('chainRule', undefined);
    if (position % 2 === 0) word.chainFlag = 0;
    else {
      word.chainFlag = 1;
      if (word.prev !== undefined) word.prev.acc = 3;
    }
    position++;
  }
}

function newWord(entry: DigitWord | undefined): NjdWord {
  const word = new NjdWord();
  if (entry !== undefined) load(word, entry);
  return word;
}

/** As a quantity: 1234 → 千 二 百 三 十 四, 10000 → 一 万, zeros silent. */
function readAsQuantity(words: NjdWordList, start: NjdWord, end: NjdWord): void {
  const size = countWords(start, end);
  if (size <= 1) return;
  let index = size % DIGITS_PER_GROUP || DIGITS_PER_GROUP;
  let myriad = size > index ? (size - index) / DIGITS_PER_GROUP : 0;
  index--;
  if (myriad > MAX_MYRIAD) return;
  let groupHasValue = false;
  for (let word: NjdWord | undefined = start; word !== undefined && word !== end.next; word = word.next) {
    const digit = digitValue(word);
    if (index === 0) {
      if (digit === 0) silence(word);
      else groupHasValue = true;
      if (groupHasValue) {
        if (myriad > 0) {
          const unit = newWord(MYRIADS[myriad]);
          words.insertAfter(word, unit);
          word = unit;
        }
        groupHasValue = false;
      }
      myriad--;
    } else if (digit <= 0) {
      silence(word);
    } else if (digit === 1) {
      // 一百 is read 百: the digit itself becomes the power of ten.
      const power = TENS_HUNDREDS_THOUSANDS[index];
      if (power !== undefined) load(word, power);
      groupHasValue = true;
    } else {
      const power = newWord(TENS_HUNDREDS_THOUSANDS[index]);
      words.insertAfter(word, power);
      word = power;
      groupHasValue = true;
    }
    index = index === 0 ? DIGITS_PER_GROUP - 1 : index - 1;
  }
}

/** OpenJTalk's `convert_digit_sequence`: reads one run of digits (with its commas and points) from `start` to `end`. */
function readDigitRun(words: NjdWordList, start: NjdWord, end: NjdWord): void {
  let first: NjdWord = start;
  // Leading commas and points are skipped.
  while (isComma(first.string) || isPeriod(first.string)) {
    if (first === end || first.next === undefined) return;
    first = first.next;
  }
  let lastBeforePoint = first;
  while (lastBeforePoint.next !== undefined && lastBeforePoint !== end && !isPeriod(lastBeforePoint.next.string)) lastBeforePoint = lastBeforePoint.next;
  while (lastBeforePoint.prev !== undefined && lastBeforePoint !== first && isComma(lastBeforePoint.string)) lastBeforePoint = lastBeforePoint.prev;

  // 1 quantity, 0 undecided, -1 code. Commas every three digits (counting from the point) say quantity.
  let reading = 1;
  let commas = 0;
  let firstComma: NjdWord | undefined;
  for (let word: NjdWord | undefined = lastBeforePoint, fromEnd = 0; word !== undefined; word = word.prev, fromEnd++) {
    if (isComma(word.string)) {
      firstComma = word;
      commas++;
      if (reading === 1 && fromEnd % DIGITS_PER_GROUP !== 3) reading = 0;
    } else if (reading === 1 && fromEnd % DIGITS_PER_GROUP === 3) {
      reading = 0;
    }
    if (word === first) break;
  }
  if (first !== lastBeforePoint && digitValue(first) === 0) reading = -1;
  if (reading === 1 && commas === 0) reading = 0;

  if (reading === 1) {
    for (let word: NjdWord | undefined = first; word !== undefined && word !== lastBeforePoint; ) word = isComma(word.string) ? words.remove(word) : word.next;
    readAsQuantity(words, first, lastBeforePoint);
    if (lastBeforePoint !== end && lastBeforePoint.next !== undefined) readDigitRun(words, lastBeforePoint.next, end);
    return;
  }
  const last = firstComma?.prev ?? lastBeforePoint;
  if (reading === 0) reading = quantityScore(first, last) >= 0 ? 1 : -1;
  if (reading === 1) readAsQuantity(words, first, last);
  else readAsCode(first, last);
  if (last !== end && last.next !== undefined) readDigitRun(words, last.next, end);
}

function readDigitRuns(words: NjdWordList): boolean {
  let sawNumeral = false;
  let start: NjdWord | undefined;
  for (let word = words.head; word !== undefined; word = word.next) {
    if (word.posGroup1 === NUMERAL) sawNumeral = true;
    let end: NjdWord | undefined;
    if (digitValue(word, true) >= 0 || (word.posGroup1 === NUMERAL && (isPeriod(word.string) || isComma(word.string)))) {
      start ??= word;
      if (word === words.tail) end = word;
    } else if (start !== undefined) {
      end = word.prev;
    }
    if (start !== undefined && end !== undefined) {
      readDigitRun(words, start, end);
      start = undefined;
    }
  }
  return sawNumeral;
}

/** 1.5 → 一 テン 五, with 0, 2, 5 lengthened before the point (レー, ニー, ゴー) and 六 accented. */
function readDecimalPoints(words: NjdWordList): void {
  for (let word = words.head?.next; word?.next !== undefined; ) {
    const prev = word.prev;
    const next: NjdWord = word.next;
    if (prev !== undefined && word.string !== UNSET && prev.string !== UNSET && isPeriod(word.string) && prev.posGroup1 === NUMERAL && next.posGroup1 === NUMERAL) {
      load(word, DECIMAL_POINT);
      word.chainFlag = 1;
      if (isZero(prev.string)) lengthen(prev, 'レー');
      else if (prev.string === '二') lengthen(prev, 'ニー');
      else if (prev.string === '五') lengthen(prev, 'ゴー');
      else if (prev.string === '六') prev.acc = 1;
      // The digits after the point are not looked at again.
      let after: NjdWord | undefined = next;
      while (after !== undefined && after.pos === NOUN) after = after.next;
      word = after?.next;
    } else {
      word = next;
    }
  }
}

function lengthen(word: NjdWord, pron: string): void {
  word.set('pron', pron);
  word.moraSize = 2;
}

function applyReading(word: NjdWord, reading: DigitReading | undefined): void {
  if (reading === undefined) return;
  word.set('pron', reading.pron);
  word.acc = reading.acc;
  word.moraSize = reading.moraSize;
}

/** Voices (カ→ガ, ハ→バ) or half-voices (ハ→パ) the first kana of a pronunciation. */
function changeFirstSound(word: NjdWord, change: SoundChange | undefined): void {
  if (change === undefined) return;
  const pron = word.pron;
  const first = pron.charAt(0);
  const shifted = change === 1 ? VOICED.get(first) : HALF_VOICED.get(first);
  if (shifted !== undefined) word.set('pron', shifted + pron.slice(1));
}

/** Kana with a voiced form one code point on (カ→ガ ... ト→ド, ハ→バ ... ホ→ボ) and a half-voiced one two on. */
const VOICED: ReadonlyMap<string, string> = new Map(Array.from('カキクケコサシスセソタチツテトハヒフヘホ', (kana) => [kana, String.fromCharCode(kana.charCodeAt(0) + 1)] as const));
const HALF_VOICED: ReadonlyMap<string, string> = new Map(Array.from('ハヒフヘホ', (kana) => [kana, String.fromCharCode(kana.charCodeAt(0) + 2)] as const));

function isCounter(word: NjdWord): boolean {
  return word.posGroup2 === COUNTER || word.posGroup1 === ADVERBIAL_NOUN;
}

/** A numeral before a counter: its reading (六本 ロッ), the counter's first sound (ポン), one accent phrase. */
function readCounters(words: NjdWordList): void {
  for (let word = words.head?.next; word !== undefined; word = word.next) {
    const prev = word.prev;
    if (prev === undefined || prev.posGroup1 !== NUMERAL || !isCounter(word)) continue;
    const readings = NUMERAL_READING_GROUPS.find((group) => group.counters.has(word.string));
    applyReading(prev, readings?.readings.get(prev.string));
    const sounds = COUNTER_SOUND_GROUPS.find((group) => group.counters.has(word.string));
    changeFirstSound(word, sounds?.changes.get(prev.string));
    prev.chainFlag = 0;
    word.chainFlag = 1;
  }
}

/** Numerals and powers of ten: a multiplier starts the phrase with its power (三百), a digit after a power starts one. */
function joinNumerals(words: NjdWordList): void {
  for (let word = words.head?.next; word !== undefined; word = word.next) {
    const prev = word.prev;
    if (prev === undefined || prev.posGroup1 !== NUMERAL) continue;
    if (word.posGroup1 === NUMERAL) {
      if (MULTIPLIERS.has(prev.string)) {
        if (POWERS_OF_TEN.has(word.string)) {
          prev.chainFlag = 0;
          word.chainFlag = 1;
        }
      } else if (POWERS_OF_TEN.has(prev.string) && MULTIPLIERS.has(word.string)) {
        word.chainFlag = 0;
      }
    }
    if (word.string === '百') applyReading(prev, BEFORE_HUNDRED.get(prev.string));
    if (word.string === '千' || word.string === '兆') applyReading(prev, BEFORE_THOUSAND_TRILLION.get(prev.string));
    if (word.string === '百' || word.string === '千') changeFirstSound(word, HUNDRED_THOUSAND_SOUND.get(prev.string));
  }
}

/** The first numeral of a number before a counter: native readings (一棟 ひとむね), people (一人), days (二日, 一日). */
function readNativeNumerals(words: NjdWordList): void {
  for (let word = words.head; word !== undefined; word = word.next) {
    const next = word.next;
    const prev = word.prev;
    if (next === undefined || next.string === UNSET || word.posGroup1 !== NUMERAL) continue;
    if (prev !== undefined && prev.pos !== SYMBOL && prev.posGroup1 === NUMERAL) continue;
    if (!isCounter(next)) continue;
    if (NATIVE_COUNTERS.get(next.string)?.has(next.read) === true) {
      const native = NATIVE_NUMERALS.get(word.string);
      if (native !== undefined) {
        word.set('read', native.read);
        word.set('pron', native.read);
        word.acc = native.acc;
        word.moraSize = native.moraSize;
      }
    }
    if (next.string === '人') replaceWithNext(word, PEOPLE.get(word.string));
    if (next.string === '日' && word.string !== UNSET) {
      if (prev !== undefined && prev.string.includes('月') && word.string === '一') replaceWithNext(word, FIRST_OF_MONTH);
      else replaceWithNext(word, DAYS.get(word.string));
    } else if (next.string === '日間') {
      replaceWithNext(word, DAY_SPANS.get(word.string));
    }
  }
}

/** Loads the combined word (一人, 二日) into the numeral and silences the counter it absorbed. */
function replaceWithNext(word: NjdWord, entry: DigitWord | undefined): void {
  if (entry === undefined || word.next === undefined) return;
  load(word, entry);
  word.next.set('pron', undefined);
}

/** 十四日 じゅうよっか, 二十日 はつか, 二十四日 にじゅうよっか (and their 日間 spans). */
function readIrregularDays(words: NjdWordList): void {
  for (let word = words.head; word !== undefined; word = word.next) {
    const second = word.next;
    const third = second?.next;
    if ((word.prev !== undefined && word.prev.posGroup1 === NUMERAL) || second === undefined || third === undefined) continue;
    if (word.string === '十' && second.string === '四') {
      const entry = third.string === '日' ? FOURTEENTH : third.string === '日間' ? FOURTEEN_DAYS : undefined;
      if (entry !== undefined) absorb(word, entry, [second, third]);
    } else if (word.string === '二' && second.string === '十') {
      const fourth = third.next;
      if (third.string === '日') absorb(word, TWENTIETH, [second, third]);
      else if (third.string === '日間') absorb(word, TWENTY_DAYS, [second, third]);
      else if (third.string === '四' && fourth !== undefined) {
        const days = fourth.string === '日' ? FOURTH_AFTER_TWENTY : fourth.string === '日間' ? FOUR_DAYS_AFTER_TWENTY : undefined;
        if (days !== undefined) {
          load(word, TWENTY);
          load(second, days);
          third.set('pron', undefined);
          fourth.set('pron', undefined);
        }
      }
    }
  }
}

function absorb(word: NjdWord, entry: DigitWord, absorbed: readonly NjdWord[]): void {
  load(word, entry);
  for (const other of absorbed) other.set('pron', undefined);
}

export function setDigit(words: NjdWordList): void {
  if (!readDigitRuns(words)) return;
  words.removeSilent();
  if (words.head === undefined) return;
  readDecimalPoints(words);
  readCounters(words);
  joinNumerals(words);
  readNativeNumerals(words);
  readIrregularDays(words);
  words.removeSilent();
}
