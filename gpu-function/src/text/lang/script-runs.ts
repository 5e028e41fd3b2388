/**
 * The first stage of GPT-SoVITS's language splitting (`split_lang.LangSplitter.split_by_lang` with
 * `merge_across_digit=False`): cut the text where the script changes and label each piece.
 *
 * split_lang cuts at Han/kana, Hangul, digits, punctuation and line breaks, then asks budoux and fastText which
 * language each piece is. Here the label comes from the script alone: a Han/kana piece is `ja` if it contains kana
 * and `zh` otherwise (fastText would call some kanji-only phrases Japanese); a Latin piece is `en`; other scripts
 * are `x` (unknown), which LangSegmenter then resolves as GPT-SoVITS does. Punctuation joins the piece before it
 * (the next one at the start of the text), digits stay separate pieces labelled `digit`.
 * @module
 */

export type ScriptLanguage = 'zh' | 'ja' | 'ko' | 'en' | 'x' | 'digit';

export interface ScriptRun {
  lang: ScriptLanguage;
  text: string;
}

type Section = 'zh_ja' | 'ko' | 'digit' | 'punctuation' | 'newline' | 'other';

/** split_lang's PUNCTUATION set. */
const PUNCTUATION = new Set(
  Array.from(`〜~,.;:!?，。！？；：、·([{<（【《〈「『“‘)]}>）】》〉」』”’"-_——#$%&……￥'*+<=>?@[\\]^_\`{|}~`),
);
const ZH_JA = /[\u4e00-\u9fff\u3040-\u30ff々]/u;
const KANA = /[\u3040-\u30ff々]/u;
const HANGUL = /[\uac00-\ud7af]/u;
const DIGIT = /\p{Nd}/u;
const WHITESPACE = /\s/u;

function sectionOf(char: string, previous: string | undefined): Section | 'space' | 'word-apostrophe' {
  if (ZH_JA.test(char)) return 'zh_ja';
  if (HANGUL.test(char)) return 'ko';
  if (DIGIT.test(char)) return 'digit';
  if (PUNCTUATION.has(char)) {
    // An apostrophe after a letter is part of an English word ("don't").
    return char === "'" && previous !== undefined && !WHITESPACE.test(previous) ? 'word-apostrophe' : 'punctuation';
  }
  if (char === '\n' || char === '\r') return 'newline';
  if (WHITESPACE.test(char)) return 'space';
  return 'other';
}

/** LangSegmenter's `full_en`: has a Latin letter, and only ASCII, general/CJK/full-width punctuation and spaces. */
export function isFullEnglish(text: string): boolean {
  return /[A-Za-z]/u.test(text) && /^[A-Za-z0-9\s\u0020-\u007E\u2000-\u206F\u3000-\u303F\uFF00-\uFFEF]+$/u.test(text);
}

/**
 * fastText calls accented Latin words (café, naïve) French or Spanish, which GPT-SoVITS cannot read, so they end up
 * dropped; reading them as English (whose normalizer strips the accents) is the deliberate difference here.
 */
function labelOther(text: string): ScriptLanguage {
  if (isFullEnglish(text)) return 'en';
  return /\p{Script=Latin}/u.test(text) && /^[\p{Script=Latin}\p{M}\p{P}\p{N}\s]+$/u.test(text) ? 'en' : 'x';
}

function label(section: Section, text: string): ScriptLanguage | 'punctuation' | 'newline' {
  switch (section) {
    case 'zh_ja':
      return KANA.test(text) ? 'ja' : 'zh';
    case 'ko':
      return 'ko';
    case 'digit':
      return 'digit';
    case 'punctuation':
      return 'punctuation';
    case 'newline':
      return 'newline';
    case 'other':
      return labelOther(text);
  }
}

/** Pieces in text order; joining their texts gives the trimmed input back. */
export function splitScriptRuns(input: string): ScriptRun[] {
  const text = input.trim();
  const sections: { section: Section; text: string }[] = [];
  let current: Section = 'other';
  let buffer = '';
  const flush = (): void => {
    if (buffer !== '') sections.push({ section: current, text: buffer });
    buffer = '';
  };
  let previous: string | undefined;
  for (const char of text) {
    const kind = sectionOf(char, previous);
    previous = char;
    if (kind === 'space' || kind === 'word-apostrophe') {
      buffer += char;
      continue;
    }
    // Every punctuation mark and line break starts a piece of its own, as in split_lang.
    if (kind !== current || kind === 'punctuation' || kind === 'newline') {
      flush();
      current = kind;
    }
    buffer += char;
  }
  flush();
  // Punctuation and line breaks join the neighbouring piece: the previous one, or the next one at the start.
  const runs: ScriptRun[] = [];
  let pending = '';
  for (const { section, text: piece } of sections) {
    const lang = label(section, piece);
    if (lang === 'punctuation' || lang === 'newline') {
      const last = runs.at(-1);
      if (last === undefined) pending += piece;
      else last.text += piece;
      continue;
    }
    const merged = pending + piece;
    pending = '';
    // split_lang detects a Latin-script piece word by word, so "🙂 hello" is an unknown word and an English one.
    const words = section === 'other' ? (merged.match(/\s*\S+\s*/gu) ?? [merged]) : [merged];
    for (const word of words) {
      const wordLang = section === 'other' ? labelOther(word) : lang;
      const last = runs.at(-1);
      if (last !== undefined && last.lang === wordLang && wordLang !== 'digit') last.text += word;
      else runs.push({ lang: wordLang, text: word });
    }
  }
  if (pending !== '') runs.push({ lang: labelOther(pending), text: pending });
  return runs;
}
