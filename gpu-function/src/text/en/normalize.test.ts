import { ApiError } from '@gsv-edge/shared';
import { describe, expect, it } from 'vitest';
import { numberToWords, ordinal } from './inflect-numbers.ts';
import { normalizeEnglish } from './normalize.ts';

describe('inflect number words', () => {
  it('reads whole numbers with inflect commas and without "and"', () => {
    expect(numberToWords(1234567, { andword: '' })).toBe(
      'one million, two hundred thirty-four thousand, five hundred sixty-seven',
    );
    expect(numberToWords(101)).toBe('one hundred and one');
    expect(numberToWords(0)).toBe('zero');
  });

  it('reads years in digit pairs with "oh"', () => {
    expect(numberToWords(1905, { andword: '', zero: 'oh', group: 2 })).toBe('nineteen, oh five');
  });

  it('makes ordinals of digits and of words', () => {
    expect(ordinal('1')).toBe('1st');
    expect(ordinal('12')).toBe('12th');
    expect(ordinal('twenty')).toBe('twentieth');
    expect(numberToWords('21st')).toBe('twenty-first');
  });

  it('refuses numbers beyond decillions with a clear error, as inflect does', () => {
    expect(() => numberToWords('1'.repeat(40))).toThrow(ApiError);
  });
});

describe('English normalization (expend.py)', () => {
  const cases: [string, string][] = [
    ['I have 3 apples.', 'I have three apples.'],
    ['The population reached 1,234,567.', 'The population reached one million, two hundred thirty-four thousand, five hundred sixty-seven.'],
    ['She was born in 1990.', 'She was born in nineteen ninety.'],
    ['It was 2005 and 2000 and 1800.', 'It was two thousand five and two thousand and eighteen hundred.'],
    ['He finished 1st and 22nd.', 'He finished first and twenty-second.'],
    ['1. Mix the flour.', 'first, Mix the flour.'],
    ['Add 1/2 cup, 3/4 and 3/2.', 'Add one half cup, three fourths and three halves.'],
    ['It costs $12.50 or £1 or 20$.', 'It costs twelve dollars and fifty cents or one pound or twenty dollars.'],
    ['Pi is 3.14.', 'Pi is three point one four.'],
    ['Meet at 13:45 or 9:00.', "Meet at one forty-five p.m. or nine o'clock a.m."],
    ['It is 25°C, 5km, 1m and 120km/h.', 'It is twenty-five degrees celsius, five kilometers, one meter and one hundred twenty kilometersh.'],
    ['Up 15%.', 'Up fifteen percent.'],
    ['2 + 2 = 4', 'two plus two Equals four'],
    ['dropped to -5 today', 'dropped tonegative five today'],
    ['Bring food, e.g. cake, i.e. sweets.', 'Bring food, for example cake, that is sweets.'],
    ['My iPhone and the USA.', 'My i Phone and the U S A.'],
    ['Café naïve', 'Cafe naive'],
    ['Wait... what?!', 'Wait. what?'],
    ['Hello，world。', 'Helloworld.'],
    ['Time: now; go!', 'Time now go!'],
  ];
  it.each(cases)('%s', (input, expected) => {
    expect(normalizeEnglish(input)).toBe(expected);
  });

  it('drops control characters, emoji, other scripts and lone surrogates', () => {
    expect(normalizeEnglish('a\u0000b\u0007c 🙂 你好 \ud800x\udfff')).toBe('abc   x');
  });
});
