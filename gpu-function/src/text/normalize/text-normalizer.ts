/**
 * GPT-SoVITS's `zh_normalization.TextNormalizer` (from PaddleSpeech): split into sentences, then per sentence convert
 * characters, verbalise dates, times, ranges, temperatures, units, arithmetic, fractions, percentages, phone numbers
 * and numbers in its fixed order, and finally spell out symbols.
 * @module
 */
import { fullWidthToHalfWidth, traditionalToSimplified, type ToSimplified } from './char-convert.ts';
import { RE_DATE, RE_DATE2, RE_TIME, RE_TIME_RANGE, replaceDate, replaceDate2, replaceTime } from './chronology.ts';
import {
  RE_ASMD, RE_DECIMAL_NUM, RE_DEFAULT_NUM, RE_FRAC, RE_INTEGER, RE_NUMBER, RE_PERCENTAGE, RE_POSITIVE_QUANTIFIERS,
  RE_POWER, RE_RANGE, RE_TO_RANGE, RE_VERSION_NUM, replaceAsmd, replaceDefaultNum, replaceFrac, replaceNegativeNum,
  replaceNumber, replacePercentage, replacePositiveQuantifier, replacePower, replaceRange, replaceToRange,
  replaceVersionNum,
} from './num.ts';
import { RE_MOBILE_PHONE, RE_NATIONAL_UNIFORM_NUMBER, RE_TELEPHONE, replaceMobile, replacePhone } from './phonecode.ts';
import { pyStrip } from './py-strip.ts';
import { RE_TEMPERATURE, replaceMeasure, replaceTemperature } from './quantifier.ts';

const SENTENCE_SPLITTER = /([：、，；。？！,;?!][”’]?)/g;
const SPLIT_FILTER = /[—《》【】<>{}()（）#&@“”^_|\\]/g;
const POST_FILTER = /[-—《》【】<=>{}()（）#&@“”^_|\\]/g;

/** Symbols read aloud by `_post_replace`, in its order (the `-` → 减 fallback comes after the Greek letters). */
const SYMBOL_WORDS: readonly (readonly [string, string])[] = [
  ['/', '每'], ['①', '一'], ['②', '二'], ['③', '三'], ['④', '四'], ['⑤', '五'], ['⑥', '六'], ['⑦', '七'], ['⑧', '八'],
  ['⑨', '九'], ['⑩', '十'], ['α', '阿尔法'], ['β', '贝塔'], ['γ', '伽玛'], ['Γ', '伽玛'], ['δ', '德尔塔'], ['Δ', '德尔塔'],
  ['ε', '艾普西龙'], ['ζ', '捷塔'], ['η', '依塔'], ['θ', '西塔'], ['Θ', '西塔'], ['ι', '艾欧塔'], ['κ', '喀帕'],
  ['λ', '拉姆达'], ['Λ', '拉姆达'], ['μ', '缪'], ['ν', '拗'], ['ξ', '克西'], ['Ξ', '克西'], ['ο', '欧米克伦'], ['π', '派'],
  ['Π', '派'], ['ρ', '肉'], ['ς', '西格玛'], ['Σ', '西格玛'], ['σ', '西格玛'], ['τ', '套'], ['υ', '宇普西龙'], ['φ', '服艾'],
  ['Φ', '服艾'], ['χ', '器'], ['ψ', '普赛'], ['Ψ', '普赛'], ['ω', '欧米伽'], ['Ω', '欧米伽'], ['+', '加'], ['-', '减'],
  ['×', '乘'], ['÷', '除'], ['=', '等'],
];

/** `TextNormalizer._split` for zh: drop ASCII spaces and bracket/quote symbols, cut after sentence punctuation. */
export function splitSentences(text: string): string[] {
  const marked = text.replaceAll(' ', '').replace(SPLIT_FILTER, '').replace(SENTENCE_SPLITTER, '$1\n');
  return pyStrip(marked)
    .split(/\n+/)
    .map((sentence) => pyStrip(sentence));
}

function postReplace(sentence: string): string {
  let result = sentence;
  for (const [symbol, word] of SYMBOL_WORDS) if (result.includes(symbol)) result = result.replaceAll(symbol, word);
  return result.replace(POST_FILTER, '');
}

/** `toSimplified` is char_convert.py's table when the bundle carries it, OpenCC's otherwise. */
export function normalizeSentence(input: string, toSimplified: ToSimplified = traditionalToSimplified): string {
  // GPT-SoVITS also "translates" U+3000 with a str-keyed table, which Python ignores: ideographic spaces survive.
  let s = fullWidthToHalfWidth(toSimplified(input));
  s = s.replace(RE_DATE, replaceDate).replace(RE_DATE2, replaceDate2);
  s = s.replace(RE_TIME_RANGE, replaceTime).replace(RE_TIME, replaceTime);
  s = s.replace(RE_TO_RANGE, replaceToRange).replace(RE_TEMPERATURE, replaceTemperature);
  s = replaceMeasure(s);
  // Each pass rewrites every other operator of a chain, so this ends after log2(operators) passes.
  for (let before = ''; before !== s && /[+\-×÷=]/.test(s); ) {
    before = s;
    s = s.replace(RE_ASMD, replaceAsmd);
  }
  s = s.replace(RE_POWER, replacePower).replace(RE_FRAC, replaceFrac).replace(RE_PERCENTAGE, replacePercentage);
  s = s.replace(RE_MOBILE_PHONE, replaceMobile).replace(RE_TELEPHONE, replacePhone);
  s = s.replace(RE_NATIONAL_UNIFORM_NUMBER, replacePhone).replace(RE_RANGE, replaceRange);
  s = s.replace(RE_INTEGER, replaceNegativeNum).replace(RE_VERSION_NUM, replaceVersionNum);
  s = s.replace(RE_DECIMAL_NUM, replaceNumber).replace(RE_POSITIVE_QUANTIFIERS, replacePositiveQuantifier);
  s = s.replace(RE_DEFAULT_NUM, replaceDefaultNum).replace(RE_NUMBER, replaceNumber);
  return postReplace(s);
}

export function normalizeSentences(text: string, toSimplified: ToSimplified = traditionalToSimplified): string[] {
  return splitSentences(text).map((sentence) => normalizeSentence(sentence, toSimplified));
}
