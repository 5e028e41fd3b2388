/**
 * GPT-SoVITS's `en_normalization/expend.py`: numbers, ordinals, currency, decimals, fractions, times, measurements,
 * arithmetic and negatives are spelled out, accents are stripped and everything outside `[ A-Za-z'.,?!-]` is dropped.
 *
 * The rules run in expend.py's order with its regexes, quirks included ("-5" after a space loses the space:
 * "to -5" → "tonegative five"; "km/h" reads "kilometersh"), because the model was trained on text normalized this
 * way. Python's Unicode `\d`, `\w`, `\b` are spelled out with Unicode properties.
 * @module
 */
import { numberToWords, ordinal } from './inflect-numbers.ts';

/** Python `\b` before a word character: not preceded by a word character. */
const WORD_START = String.raw`(?<![\p{L}\p{N}_])`;
/** Python `\b` after a word character: not followed by a word character. */
const WORD_END = String.raw`(?![\p{L}\p{N}_])`;

const ORDINAL_LIST_ITEM = new RegExp(String.raw`${WORD_START}([0-9]+)\. `, 'gu');
const COMMA_NUMBER = /([0-9][0-9,]+[0-9])/gu;
const TIME = new RegExp(String.raw`${WORD_START}([01]?[0-9]|2[0-3]):([0-5][0-9])${WORD_END}`, 'gu');
const MEASUREMENT = new RegExp(
  String.raw`${WORD_START}([0-9]+(\.[0-9]+)?(m|km|km\/h|ft|L|tbsp|tsp|h|min|s|°C|°F))${WORD_END}`,
  'gu',
);
const POUNDS_BEFORE = /£([0-9.,]*[0-9])/gu;
const POUNDS_AFTER = /(?<![0-9.,])([0-9.,]*[0-9])£/gu;
const DOLLARS_BEFORE = /\$([0-9.,]*[0-9])/gu;
const DOLLARS_AFTER = /(?<![(0-9.,])([(0-9.,]*[0-9])\$/gu;
const DECIMAL = /(?<![0-9])([0-9]+\.\s*[0-9]+)/gu;
const FRACTION = /(?<![0-9])([0-9]+\/[0-9]+)/gu;
const ORDINAL = /(?<![0-9])[0-9]+(st|nd|rd|th)/gu;
const NUMBER = /[0-9]+/gu;

const SUPERSCRIPTS = '⁰¹²³⁴⁵⁶⁷⁸⁹ˣʸⁿ';
const OPERAND = String.raw`((?<![\p{Nd}.])(-?)((\p{Nd}+)(\.\p{Nd}+)?[${SUPERSCRIPTS}]*)|(\.\p{Nd}+[${SUPERSCRIPTS}]*)|([A-Za-z][${SUPERSCRIPTS}]*))`;
const ARITHMETIC = new RegExp(String.raw`${OPERAND}\s+([+\-×÷=])\s+${OPERAND}`, 'gu');
const OPERATOR_WORDS: Readonly<Record<string, string>> = {
  '+': ' plus ', '-': ' minus ', '×': ' times ', '÷': ' divided by ', '=': ' Equals ',
};
const NEGATIVE = /(?:^|(?<!\s)\s+)(-)(\p{Nd}+)/gu;

const MEASUREMENT_WORDS: Readonly<Record<string, readonly [string, string]>> = {
  m: ['meter', 'meters'], km: ['kilometer', 'kilometers'], 'km/h': ['kilometer per hour', 'kilometers per hour'],
  ft: ['feet', 'feet'], L: ['liter', 'liters'], tbsp: ['tablespoon', 'tablespoons'], tsp: ['teaspoon', 'teaspoons'],
  h: ['hour', 'hours'], min: ['minute', 'minutes'], s: ['second', 'seconds'],
  '°C': ['degree celsius', 'degrees celsius'], '°F': ['degree fahrenheit', 'degrees fahrenheit'],
};

/*
 * The `(?<!…)` guards in front of digit runs do not change what matches (a match always starts at the first digit of
 * a run), but stop the engine from retrying at every later digit; and expend.py's `[0-9.,]*[0-9]+` is written as the
 * equivalent `[0-9.,]*[0-9]`. Both made long digit strings quadratic.
 */

/** Python's `int()` on a matched digit string; a stray comma or parenthesis (a crash in Python) is ignored here. */
function toInt(text: string): number {
  return Number.parseInt(text.replace(/[^0-9]/gu, '') || '0', 10);
}

function expandTime(hoursText: string, minutesText: string): string {
  let hours = toInt(hoursText);
  const minutes = toInt(minutesText);
  const period = hours < 12 ? 'a.m.' : 'p.m.';
  if (hours > 12) hours -= 12;
  const hourWords = numberToWords(hours);
  return minutes === 0 ? `${hourWords} o'clock ${period}` : `${hourWords} ${numberToWords(minutes)} ${period}`;
}

function expandMeasurement(whole: string, decimalPart: string | undefined, unit: string): string {
  const number = toInt(whole.replaceAll(unit, '').replace('.', ''));
  const forms = MEASUREMENT_WORDS[unit] ?? [unit, unit];
  const plural = !(decimalPart === undefined && number === 1);
  return whole.replaceAll(unit, ` ${plural ? forms[1] : forms[0]}`);
}

/** expend.py's `_expand_pounds` / `_expand_dollars`: whole units and hundredths, singular or plural. */
function expandMoney(amount: string, units: readonly [string, string, string, string]): string {
  const [one, many, oneCent, manyCents] = units;
  const parts = amount.split('.');
  if (parts.length > 2) return `${amount} ${many}`;
  const whole = parts[0] ? toInt(parts[0]) : 0;
  const cents = parts[1] ? toInt(parts[1].padEnd(2, '0')) : 0;
  const wholeUnit = whole === 1 ? one : many;
  const centUnit = cents === 1 ? oneCent : manyCents;
  if (whole && cents) return `${whole} ${wholeUnit} and ${cents} ${centUnit}`;
  if (whole) return `${whole} ${wholeUnit}`;
  if (cents) return `${cents} ${centUnit}`;
  return `zero ${many}`;
}

const POUND_WORDS = ['pound', 'pounds', 'penny', 'pence'] as const;
const DOLLAR_WORDS = ['dollar', 'dollars', 'cent', 'cents'] as const;

function expandDecimal(match: string): string {
  const [whole = '', fraction = ''] = match.split('.');
  return `${whole} point ${Array.from(fraction).join(' ')}`;
}

function expandFraction(match: string): string {
  const [numeratorText = '0', denominatorText = '0'] = match.split('/');
  const numerator = toInt(numeratorText);
  const denominator = toInt(denominatorText);
  const numeratorWords = numberToWords(numerator);
  if (denominator === 1) return numeratorWords;
  let denominatorWords: string;
  if (denominator === 2) denominatorWords = numerator === 1 ? 'half' : 'halves';
  else {
    denominatorWords = ordinal(numberToWords(denominator));
    if (numerator > 1) denominatorWords += 's';
  }
  return `${numeratorWords} ${denominatorWords}`;
}

function expandNumber(match: string): string {
  const number = toInt(match);
  if (number > 1000 && number < 3000) {
    if (number === 2000) return 'two thousand';
    if (number > 2000 && number < 2010) return `two thousand ${numberToWords(number % 100)}`;
    if (number % 100 === 0) return `${numberToWords(Math.floor(number / 100))} hundred`;
    return numberToWords(number, { andword: '', zero: 'oh', group: 2 }).replaceAll(', ', ' ');
  }
  return numberToWords(match.replace(/^0+(?=\d)/u, ''), { andword: '' });
}

function expandArithmetic(text: string): string {
  // Each pass replaces at least one operator with words, so the loop ends; the bound is a second guard.
  let current = text;
  for (let pass = 0; pass < current.length + 1; pass += 1) {
    ARITHMETIC.lastIndex = 0;
    if (!ARITHMETIC.test(current)) break;
    current = current.replace(ARITHMETIC, (...groups: unknown[]) => {
      const left = String(groups[1]);
      const operator = String(groups[8]);
      const right = String(groups[9]);
      return `${left}${OPERATOR_WORDS[operator] ?? ` ${operator} `}${right}`;
    });
  }
  return current;
}

/** expend.py's `normalize`. */
export function expandEnglish(input: string): string {
  let text = input.replace(ORDINAL_LIST_ITEM, (_m, digits: string) => `${ordinal(digits)}, `);
  text = expandArithmetic(text);
  text = text.replace(NEGATIVE, (_m, sign: string, digits: string) => `${sign ? 'negative ' : ''}${digits}`);
  text = text.replace(COMMA_NUMBER, (match: string) => match.replaceAll(',', ''));
  text = text.replace(TIME, (_m, hours: string, minutes: string) => expandTime(hours, minutes));
  text = text.replace(MEASUREMENT, (_m, whole: string, decimalPart: string | undefined, unit: string) =>
    expandMeasurement(whole, decimalPart, unit),
  );
  text = text.replace(POUNDS_BEFORE, (_m, amount: string) => expandMoney(amount, POUND_WORDS));
  text = text.replace(POUNDS_AFTER, (_m, amount: string) => expandMoney(amount, POUND_WORDS));
  text = text.replace(DOLLARS_BEFORE, (_m, amount: string) => expandMoney(amount, DOLLAR_WORDS));
  text = text.replace(DOLLARS_AFTER, (_m, amount: string) => expandMoney(amount, DOLLAR_WORDS));
  text = text.replace(DECIMAL, expandDecimal);
  text = text.replace(FRACTION, expandFraction);
  text = text.replace(ORDINAL, (match: string) => numberToWords(match));
  text = text.replace(NUMBER, expandNumber);
  text = text.normalize('NFD').replace(/\p{Mn}/gu, '');
  text = text.replaceAll('%', ' percent');
  text = text.replace(/[^ A-Za-z'.,?!-]/gu, '');
  text = text.replace(/i\.e\./giu, 'that is');
  text = text.replace(/e\.g\./giu, 'for example');
  // Python's (?<!^)(?<![\s]): ASCII-only text remains here, so \s is just the space.
  return text.replace(/(?<!^)(?<!\s)([A-Z])/gu, ' $1');
}
