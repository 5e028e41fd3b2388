/**
 * Which language each part of a text is read in, for a GPT-SoVITS `text_lang` (`TextPreprocessor.get_phones_and_bert`).
 *
 * - `all_zh` / `all_ja` / `all_ko`: LangSegmenter with that default, so only English runs keep their own language;
 *   `all_yue` is `all_zh` with zh read as Cantonese.
 * - `en`: the whole text is English.
 * - `auto`: detected runs; `auto_yue` reads zh runs as Cantonese.
 * - `zh` / `ja` / `ko` / `yue`: detected runs, where every non-English run takes the requested language and
 *   neighbouring runs of the same kind merge.
 * Runs of spaces collapse to one first.
 * @module
 */
import { ApiError, type TextLanguage } from '@gsv-edge/shared';
import type { RunLanguage } from '../types.ts';
import { segmentLanguages } from './lang-segmenter.ts';

export interface TextRun {
  readonly lang: RunLanguage;
  readonly text: string;
}

function asRunLanguage(lang: string): RunLanguage {
  // LangSegmenter only yields zh/ja/ko/en (x is always resolved); anything else would be a bug upstream.
  if (lang === 'zh' || lang === 'ja' || lang === 'ko' || lang === 'en' || lang === 'yue') return lang;
  throw new ApiError('internal_error', `language splitter produced an unknown language "${lang}"`);
}

export function routeLanguages(input: string, language: TextLanguage): TextRun[] {
  const text = input.replace(/ {2,}/gu, ' ');
  switch (language) {
    case 'en':
      return [{ lang: 'en', text }];
    case 'all_zh':
    case 'all_ja':
    case 'all_ko':
      return segmentLanguages(text, language.slice(4) as 'zh' | 'ja' | 'ko').map((run) => ({
        lang: asRunLanguage(run.lang),
        text: run.text,
      }));
    case 'all_yue':
      return segmentLanguages(text, 'zh').map((run) => ({
        lang: run.lang === 'zh' ? 'yue' : asRunLanguage(run.lang),
        text: run.text,
      }));
    case 'auto':
    case 'auto_yue':
      return segmentLanguages(text).map((run) => ({
        lang: language === 'auto_yue' && run.lang === 'zh' ? 'yue' : asRunLanguage(run.lang),
        text: run.text,
      }));
    case 'zh':
    case 'ja':
    case 'ko':
    case 'yue': {
      const runs: { lang: RunLanguage; text: string }[] = [];
      for (const run of segmentLanguages(text)) {
        const lang: RunLanguage = run.lang === 'en' ? 'en' : language;
        const last = runs.at(-1);
        if (last !== undefined && (last.lang === 'en') === (lang === 'en')) last.text += run.text;
        else runs.push({ lang, text: run.text });
      }
      return runs;
    }
  }
}
