/**
 * Phone numbers of GPT-SoVITS's `zh_normalization/phonecode.py`: digits read one by one with 一 as 幺, groups
 * joined by a full-width comma (a pause).
 * @module
 */
import { verbalizeDigit } from './num.ts';

export const RE_MOBILE_PHONE = /(?<!\d)((\+?86 ?)?1([38]\d|5[0-35-9]|7[678]|9[89])\d{8})(?!\d)/g;
export const RE_TELEPHONE = /(?<!\d)((0(10|2[1-3]|[3-9]\d{2})-?)?[1-9]\d{6,7})(?!\d)/g;
export const RE_NATIONAL_UNIFORM_NUMBER = /(400)(-)?\d{3}(-)?\d{4}/g;

/** Python `str.split()` with no argument: runs of whitespace separate, empty parts dropped. */
const splitWhitespace = (value: string): string[] => value.split(/\s+/).filter((part) => part !== '');

export function replaceMobile(match: string): string {
  return splitWhitespace(match.replace(/^\++|\++$/g, ''))
    .map((part) => verbalizeDigit(part, true))
    .join('，');
}

export function replacePhone(match: string): string {
  return match
    .split('-')
    .map((part) => verbalizeDigit(part, true))
    .join('，');
}
