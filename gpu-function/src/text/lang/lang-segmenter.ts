/**
 * GPT-SoVITS's `LangSegmenter.getTexts`: turns script runs into runs of zh / ja / ko / en text.
 *
 * Rules, as in langsegmenter.py: a run that `full_en` accepts is English; with a default language every other run
 * takes it; otherwise kana inside non-Japanese runs and Hangul inside non-Korean runs are split out (`split_jako`),
 * unknown (`x`) runs keep only their CJK characters and become zh, digit runs are given a neighbour's language by
 * punctuation and length rules, remaining `x` runs inherit a neighbour's language, and equal neighbours merge.
 * @module
 */
import { isFullEnglish, splitScriptRuns, type ScriptLanguage } from './script-runs.ts';

export type SegmentLanguage = 'zh' | 'ja' | 'ko' | 'en';

export interface LanguageRun {
  lang: string;
  text: string;
}

// The combining voicing marks U+3099/U+309A are written as alternatives: inside a class they would trip ESLint.
const KANA = String.raw`(?:[\u3041-\u3096\u30A1-\u30FA\u30FC]|\u3099|\u309A)`;
const JA_RUN = new RegExp(String.raw`(${KANA}+(?:[0-9、-〜。！？.!?… ]+${KANA}*)*)`, 'gu');
const KO_RUN = /([\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]+(?:[0-9、-〜。！？.!?… ]+[\u1100-\u11FF\u3130-\u318F\uAC00-\uD7AF]*)*)/gu;
const CJK_RANGES: readonly (readonly [number, number])[] = [
  [0x4e00, 0x9fff], [0x3400, 0x4db5], [0x20000, 0x2a6dd], [0x2a700, 0x2b73f], [0x2b740, 0x2b81f], [0x2b820, 0x2ceaf],
  [0x2ceb0, 0x2ebef], [0x30000, 0x3134a], [0x31350, 0x323af], [0x2ebf0, 0x2ee5d],
];
const CJK_KEEP = /^[0-9、-〜。！？.!?… /]$/u;
const SENTENCE_PUNCTUATION = new Set([',', '.', '!', '?', '，', '。', '！', '？']);

/** `full_cjk`: the CJK ideographs of the text, plus digits and CJK/ASCII sentence punctuation. */
function keepCjk(text: string): string {
  let kept = '';
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0;
    if (CJK_RANGES.some(([start, end]) => code >= start && code <= end) || CJK_KEEP.test(char)) kept += char;
  }
  return kept;
}

/** `split_jako`: cuts kana (ja) or Hangul (ko) stretches out of a run of another language. */
function splitJaKo(tagLang: 'ja' | 'ko', item: LanguageRun): LanguageRun[] {
  const pattern = tagLang === 'ja' ? JA_RUN : KO_RUN;
  const out: LanguageRun[] = [];
  let tag = 0;
  for (const match of item.text.matchAll(pattern)) {
    const start = match.index;
    if (start > tag) out.push({ lang: item.lang, text: item.text.slice(tag, start) });
    tag = start + match[0].length;
    out.push({ lang: tagLang, text: match[0] });
  }
  if (tag < item.text.length) out.push({ lang: item.lang, text: item.text.slice(tag) });
  return out;
}

function mergeLang(list: LanguageRun[], item: LanguageRun): LanguageRun[] {
  const last = list.at(-1);
  if (last !== undefined && last.lang === item.lang) last.text += item.text;
  else list.push({ ...item });
  return list;
}

function resolveUnknown(list: LanguageRun[], item: LanguageRun): void {
  if (item.lang === 'x') {
    const cjk = keepCjk(item.text);
    mergeLang(list, cjk !== '' ? { lang: 'zh', text: cjk } : item);
  } else {
    mergeLang(list, item);
  }
}

function resolveDigits(items: LanguageRun[], defaultLang: string): LanguageRun[] {
  const list: LanguageRun[] = [];
  items.forEach((item, index) => {
    if (item.lang === 'digit') {
      const last = list.at(-1);
      const next = items[index + 1];
      if (defaultLang !== '') item.lang = defaultLang;
      else if (last !== undefined && next === undefined) item.lang = last.lang;
      else if (last === undefined && next !== undefined) item.lang = items[1]?.lang ?? 'zh';
      else if (last !== undefined && next !== undefined) {
        if (last.lang === next.lang) item.lang = last.lang;
        else if (SENTENCE_PUNCTUATION.has(last.text.at(-1) ?? '')) item.lang = next.lang;
        else if (SENTENCE_PUNCTUATION.has(next.text[0] ?? '')) item.lang = last.lang;
        else if (item.text.endsWith('。') || item.text.endsWith('.')) item.lang = last.lang;
        else if (last.text.length >= next.text.length) item.lang = last.lang;
        else item.lang = next.lang;
      } else item.lang = 'zh';
    }
    mergeLang(list, item);
  });
  return list;
}

/** `LangSegmenter.getTexts(text, default_lang)`. */
export function segmentLanguages(text: string, defaultLang: '' | SegmentLanguage = ''): LanguageRun[] {
  let list: LanguageRun[] = [];
  let haveDigits = false;
  for (const run of splitScriptRuns(text)) {
    const item: LanguageRun = { lang: run.lang satisfies ScriptLanguage, text: run.text };
    if (item.lang === 'digit') {
      if (defaultLang !== '') item.lang = defaultLang;
      else haveDigits = true;
      mergeLang(list, item);
      continue;
    }
    if (isFullEnglish(item.text)) {
      mergeLang(list, { lang: 'en', text: item.text });
      continue;
    }
    if (defaultLang !== '') {
      mergeLang(list, { lang: defaultLang, text: item.text });
      continue;
    }
    const jaPieces = item.lang !== 'ja' ? splitJaKo('ja', item) : [];
    if (jaPieces.length === 0) jaPieces.push(item);
    const pieces: LanguageRun[] = [];
    for (const piece of jaPieces) {
      const koPieces = piece.lang !== 'ko' ? splitJaKo('ko', piece) : [];
      pieces.push(...(koPieces.length > 0 ? koPieces : [piece]));
    }
    if (pieces.length === 1) resolveUnknown(list, item);
    else for (const piece of pieces) resolveUnknown(list, piece);
  }
  if (haveDigits) list = resolveDigits(list, defaultLang);
  const resolved: LanguageRun[] = [];
  for (const item of list) {
    if (item.lang === 'x') {
      const last = resolved.at(-1);
      if (last !== undefined) item.lang = last.lang;
      else if (list.length > 1) item.lang = list[1]?.lang ?? 'zh';
      else item.lang = 'zh';
    }
    mergeLang(resolved, item);
  }
  return resolved;
}
