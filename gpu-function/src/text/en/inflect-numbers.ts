/**
 * The subset of Python `inflect` (`number_to_words`, `ordinal`) that GPT-SoVITS's English normalizer calls.
 *
 * Written by hand because no npm package reproduces inflect's output: GPT-SoVITS relies on its exact spacing and
 * commas ("one million, two hundred thirty-four thousand, ..."), on `andword=""`, on `zero="oh"` with `group=2`
 * ("nineteen oh five") and on word ordinals ("twenty" → "twentieth"). The steps mirror inflect's regex pipeline so
 * that the same inputs give the same strings, commas included (they become `,` phones downstream).
 * @module
 */
import { ApiError } from '@gsv-edge/shared';

const UNITS = ['', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const TEENS = [
  'ten', 'eleven', 'twelve', 'thirteen', 'fourteen', 'fifteen', 'sixteen', 'seventeen', 'eighteen', 'nineteen',
];
const TENS = ['', '', 'twenty', 'thirty', 'forty', 'fifty', 'sixty', 'seventy', 'eighty', 'ninety'];
const MILLIONS = [
  ' ', ' thousand', ' million', ' billion', ' trillion', ' quadrillion', ' quintillion', ' sextillion', ' septillion',
  ' octillion', ' nonillion', ' decillion',
];
/** Digit ordinal suffixes by `n % 100`, falling back to `n % 10` (inflect's `nth`). */
const NTH: Readonly<Record<number, string>> = {
  0: 'th', 1: 'st', 2: 'nd', 3: 'rd', 4: 'th', 5: 'th', 6: 'th', 7: 'th', 8: 'th', 9: 'th', 11: 'th', 12: 'th', 13: 'th',
};
/** Word ordinal endings, in inflect's order (the first alternative that ends the word wins). */
const WORD_ORDINALS: readonly (readonly [string, string])[] = [
  ['ty', 'tieth'], ['one', 'first'], ['two', 'second'], ['three', 'third'], ['five', 'fifth'], ['eight', 'eighth'],
  ['nine', 'ninth'], ['twelve', 'twelfth'],
];

export interface NumberToWordsOptions {
  /** 0: whole number; 2: read in pairs of digits ("nineteen, eighty-four"). */
  readonly group?: 0 | 2;
  readonly andword?: string;
  readonly zero?: string;
}

interface Words {
  readonly andword: string;
  readonly zero: string;
}

function millionWord(index: number): string {
  const word = MILLIONS[index];
  if (word === undefined) {
    // inflect raises NumOutOfRangeError here, which makes GPT-SoVITS fail the request.
    throw new ApiError('invalid_field', 'text contains a number too large to read aloud (more than 36 digits)', {
      param: 'text',
    });
  }
  return word;
}

function digit(text: string | undefined): number {
  return text === undefined ? 0 : text.charCodeAt(0) - 48;
}

function tenWords(tens: number, units: number, millIndex = 0): string {
  if (tens !== 1) {
    return `${TENS[tens] ?? ''}${tens !== 0 && units !== 0 ? '-' : ''}${UNITS[units] ?? ''}${millionWord(millIndex)}`;
  }
  return `${TEENS[units] ?? ''}${millionWord(millIndex)}`;
}

function hundredWords(hundreds: number, tens: number, units: number, millIndex: number, words: Words): string {
  if (hundreds !== 0) {
    const and = tens !== 0 || units !== 0 ? ` ${words.andword} ` : '';
    return `${UNITS[hundreds] ?? ''} hundred${and}${tenWords(tens, units)}${millionWord(millIndex)}, `;
  }
  if (tens !== 0 || units !== 0) return `${tenWords(tens, units)}${millionWord(millIndex)}, `;
  return '';
}

/** inflect's `enword` for group 0: three digits at a time from the right, each with its thousands word. */
function wholeNumberWords(digits: string, words: Words): string {
  const value = digits.replace(/^\s+/u, '').replace(/^0+/u, '');
  if (value === '') return words.zero;
  if (value === '1') return 'one';
  const groups: string[] = [];
  let rest = value;
  let millIndex = 0;
  while (rest.length >= 3) {
    const tail = rest.slice(-3);
    groups.unshift(hundredWords(digit(tail[0]), digit(tail[1]), digit(tail[2]), millIndex, words));
    millIndex += 1;
    rest = rest.slice(0, -3);
  }
  if (rest.length === 2) groups.unshift(`${tenWords(digit(rest[0]), digit(rest[1]), millIndex)}, `);
  else if (rest.length === 1) groups.unshift(`${UNITS[digit(rest[0])] ?? ''}${millionWord(millIndex)}, `);
  return groups.join('');
}

/** inflect's `enword` for group 2: digit pairs, then a lone leading digit. */
function pairWords(digits: string, words: Words): string {
  let out = '';
  let index = 0;
  for (; index + 1 < digits.length; index += 2) {
    const tens = digit(digits[index]);
    const units = digit(digits[index + 1]);
    if (tens !== 0) out += `${tenWords(tens, units)}, `;
    else if (units !== 0) out += ` ${words.zero} ${UNITS[units] ?? ''}, `;
    else out += ` ${words.zero} ${words.zero}, `;
  }
  if (index < digits.length) {
    const units = digit(digits[index]);
    out += units !== 0 ? `${UNITS[units] ?? ''}, ` : ` ${words.zero}, `;
  }
  return out;
}

function wordOrdinal(text: string): string {
  for (const [ending, replacement] of WORD_ORDINALS) {
    if (text.endsWith(ending)) return text.slice(0, -ending.length) + replacement;
  }
  return `${text}th`;
}

/**
 * `inflect.number_to_words` for a non-negative integer, or digits followed by an ordinal suffix (`"21st"`).
 * Only the options GPT-SoVITS passes are supported.
 */
export function numberToWords(value: number | string, options: NumberToWordsOptions = {}): string {
  const words: Words = { andword: options.andword ?? 'and', zero: options.zero ?? 'zero' };
  const group = options.group ?? 0;
  let text = String(value);
  const isOrdinal = /(?:st|nd|rd|th)$/u.test(text);
  if (isOrdinal) text = text.slice(0, -2);
  const digits = text.replace(/\D/gu, '') || '0';
  let chunk = group === 2 ? pairWords(digits, words) : wholeNumberWords(digits, words);
  if (chunk.endsWith(', ')) chunk = chunk.slice(0, -2);
  chunk = chunk.replace(/\s+,/gu, ',');
  if (group === 0) chunk = chunk.replace(/, (\S+)\s+$/u, ` ${words.andword} $1`);
  chunk = chunk.replace(/\s+/gu, ' ').trim();
  const parts = chunk.split(', ');
  if (isOrdinal) {
    const last = parts.length - 1;
    parts[last] = wordOrdinal(parts[last] ?? '');
  }
  return parts.join(', ');
}

/** `inflect.ordinal`: digits get a suffix (`"3"` → `"3rd"`), words become ordinal words (`"four"` → `"fourth"`). */
export function ordinal(value: string): string {
  if (/^\d/u.test(value)) {
    const number = Number.parseInt(value.replace(/\D/gu, '').slice(-3) || '0', 10);
    return `${value}${NTH[number % 100] ?? NTH[number % 10] ?? 'th'}`;
  }
  return wordOrdinal(value);
}
