/**
 * OpenJTalk's `njd_set_accent_type`: each accent phrase's accent nucleus, held on its first word, follows from the
 * chain rule of every word that joins it (NAIST-JDIC's `F`/`C`/`P` combination types, optionally chosen by the
 * previous word's part of speech: `名詞%F1/動詞%F2@0`), then numbers get the accents of spoken Japanese numerals
 * (三十 さんじゅう, 七百 ななひゃく, ...).
 * @module
 */
import type { NjdWord, NjdWordList } from './word.ts';

interface ChainRule {
  readonly type: string;
  readonly shift: number;
}

/** C's `atoi`: the leading decimal integer, 0 when there is none. */
function atoi(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return match?.[1] === undefined ? 0 : Number.parseInt(match[1], 10);
}

/**
 * Reads a chain rule as OpenJTalk's tokenizer does: `%`, `@` and `/` end a token; `POS%TYPE@SHIFT` applies when the
 * previous word's part of speech contains POS, an alternative without `%` always applies, the first match wins.
 */
export function chainRuleFor(rule: string, prevPos: string): ChainRule {
  let index = 0;
  const token = (): [text: string, end: string] => {
    let text = '';
    while (index < rule.length && !'%@/'.includes(rule.charAt(index))) text += rule.charAt(index++);
    const end = rule.charAt(index);
    if (end !== '') index++;
    return [text, end];
  };
  let end = ' ';
  while (end !== '') {
    let text: string;
    [text, end] = token();
    if ((end === '%' && prevPos.includes(text)) || end === '@' || end === '/' || end === '') {
      let type = text;
      if (end === '%') [type, end] = token();
      if (end !== '@') return { type, shift: 0 };
      const [shift] = token();
      return { type, shift: atoi(shift) };
    }
    while (end === '%' || end === '@') [, end] = token();
  }
  return { type: '*', shift: 0 };
}

/** The phrase's new accent under a combination type, or undefined to leave it. */
function combinedAccent(type: string, shift: number, top: NjdWord, word: NjdWord, moraBefore: number): number | undefined {
  switch (type) {
    case 'F2': return top.acc === 0 ? moraBefore + shift : undefined;
    case 'F3': return top.acc !== 0 ? moraBefore + shift : undefined;
    case 'F4': return moraBefore + shift;
    case 'F5': return 0;
    case 'C1': return moraBefore + word.acc;
    case 'C2': return moraBefore + 1;
    case 'C3': return moraBefore;
    case 'C4': return 0;
    case 'P1': return word.acc === 0 ? 0 : moraBefore + word.acc;
    case 'P2': return word.acc === 0 ? moraBefore + 1 : moraBefore + word.acc;
    case 'P6': return 0;
    case 'P14': return word.acc !== 0 ? moraBefore + word.acc : undefined;
    default: return undefined; // '*', F1, C5 and unknown types leave the accent as it is
  }
}

const NUMERAL = '数';
const DIGITS_BEFORE_HUNDRED_ON_ONE = new Set(['三', '四', '九', '何']);
const DIGITS_BEFORE_OKU_ON_TWO = new Set(['一', '六', '七', '八', '幾']);
const DIGITS_BEFORE_CHOU_ON_TWO = new Set(['六', '七']);
const FLAT_TENS = new Set(['五', '六', '八']);
const ONE_TO_NINE = new Set(['一', '二', '三', '四', '五', '六', '七', '八', '九']);

/** Accent of a numeral before a power of ten, as spoken (二十 にじゅう, 七百 ななひゃく, 六億 ろくおく). */
function setNumeralAccent(prev: NjdWord, word: NjdWord): void {
  switch (word.string) {
    case '十':
      // OpenJTalk tells 三十/四十/九十/何十/数十 apart here but gives every digit accent 1; 五十, 六十, 八十 followed
      // by a digit are flat.
      prev.acc = 1;
      if (FLAT_TENS.has(prev.string) && word.next !== undefined && ONE_TO_NINE.has(word.next.string)) prev.acc = 0;
      break;
    case '百':
      if (prev.string === '七') prev.acc = 2;
      else if (DIGITS_BEFORE_HUNDRED_ON_ONE.has(prev.string)) prev.acc = 1;
      else prev.acc = prev.moraSize + word.moraSize;
      break;
    case '千':
    case '万':
      prev.acc = prev.moraSize + 1;
      break;
    case '億':
      prev.acc = DIGITS_BEFORE_OKU_ON_TWO.has(prev.string) ? 2 : 1;
      break;
    case '兆':
      prev.acc = DIGITS_BEFORE_CHOU_ON_TWO.has(prev.string) ? 2 : 1;
      break;
    default:
      break;
  }
}

export function setAccentType(words: NjdWordList): void {
  let top: NjdWord | undefined;
  let moraBefore = 0;
  for (const word of words) {
    const prev = word.prev;
    if (word === words.head || word.chainFlag !== 1 || top === undefined) {
      top = word;
      moraBefore = 0;
    } else if (prev !== undefined) {
      const { type, shift } = chainRuleFor(word.chainRule, prev.pos);
      const accent = combinedAccent(type, shift, top, word, moraBefore);
      if (accent !== undefined) top.acc = accent;
    }
    if (prev !== undefined && word.chainFlag === 1 && prev.posGroup1 === NUMERAL && word.posGroup1 === NUMERAL) setNumeralAccent(prev, word);
    if (word.string === '十' && word.chainFlag !== 1 && word.next?.posGroup1 === NUMERAL) word.acc = 0;
    moraBefore += word.moraSize;
  }
}
