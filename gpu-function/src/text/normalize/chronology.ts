/**
 * Dates and times of GPT-SoVITS's `zh_normalization/chronology.py`, including its quirk that the second half of a
 * time range reads 半 when the FIRST minute is 30.
 * @module
 */
import { num2str, verbalizeCardinal, verbalizeDigit } from './num.ts';

function timeNum2str(value: string): string {
  const result = num2str(value.replace(/^0+/, ''));
  return value.startsWith('0') ? `零${result}` : result;
}

const TIME = '([0-1]?[0-9]|2[0-3]):([0-5][0-9])(:([0-5][0-9]))?';
export const RE_TIME = new RegExp(TIME, 'g');
export const RE_TIME_RANGE = new RegExp(`${TIME}(~|-)${TIME}`, 'g');

const hasNonZero = (value: string | undefined): value is string => value !== undefined && /[^0]/.test(value);

function clock(hour: string, minute: string, second: string | undefined, halfMinute: string): string {
  let result = `${num2str(hour)}点`;
  if (hasNonZero(minute)) result += Number(halfMinute) === 30 ? '半' : `${timeNum2str(minute)}分`;
  if (hasNonZero(second)) result += `${timeNum2str(second)}秒`;
  return result;
}

export function replaceTime(_m: string, ...groups: (string | undefined)[]): string {
  const [hour = '', minute = '', , second] = groups;
  let result = clock(hour, minute, second, minute);
  // Range matches carry 9 groups; a plain time has 4, then offset and input follow.
  if (typeof groups[4] === 'string' && (groups[4] === '~' || groups[4] === '-')) {
    const [, , , , , hour2 = '', minute2 = '', , second2] = groups;
    result += `至${clock(hour2, minute2, second2, minute)}`;
  }
  return result;
}

export const RE_DATE = /(\d{4}|\d{2})年((0?[1-9]|1[0-2])月)?(((0?[1-9])|((1|2)[0-9])|30|31)([日号]))?/g;
export function replaceDate(_m: string, ...groups: (string | undefined)[]): string {
  const [year, , month, , day, , , , suffix] = groups;
  let result = '';
  if (year) result += `${verbalizeDigit(year)}年`;
  if (month) result += `${verbalizeCardinal(month)}月`;
  if (day) result += `${verbalizeCardinal(day)}${suffix ?? ''}`;
  return result;
}

export const RE_DATE2 = /(\d{4})([- /.])(0[1-9]|1[012])\2(0[1-9]|[12][0-9]|3[01])/g;
export function replaceDate2(_m: string, year: string, _sep: string, month: string, day: string): string {
  return `${verbalizeDigit(year)}年${verbalizeCardinal(month)}月${verbalizeCardinal(day)}日`;
}
