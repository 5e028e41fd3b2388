/**
 * GPT-SoVITS's `clean_text` dispatch for one run of text in one language: the language's normalize + g2p, the `￥`
 * and `^` pauses of Mandarin (the mark is read as a comma whose `,` phones become `SP2` / `SP3`), and phones outside
 * the symbol table turned into `UNK`.
 *
 * Languages without a module here (Korean and Cantonese for now; Japanese when the bundle lacks pyopenjtalk's
 * dictionary, whose module refuses its own runs) are refused with `language_not_supported` rather than read with the
 * wrong phones.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';
import { hasSymbol, UNKNOWN_SYMBOL } from './symbols.ts';
import type { G2pResult, LanguageG2p, RunLanguage, SymbolTableVersion } from './types.ts';

export type LanguageModules = Readonly<Partial<Record<RunLanguage, LanguageG2p>>>;

/** Mandarin pause marks, checked in this order; only the first one present is handled (as in cleaner.py). */
const PAUSE_MARKS: readonly (readonly [string, string])[] = [
  ['￥', 'SP2'],
  ['^', 'SP3'],
];

const V1_LANGUAGES: ReadonlySet<RunLanguage> = new Set(['zh', 'ja', 'en']);

function describe(text: string): string {
  const chars = Array.from(text);
  return chars.length > 24 ? `${chars.slice(0, 24).join('')}…` : text;
}

export function cleanText(
  text: string,
  language: RunLanguage,
  symbols: SymbolTableVersion,
  modules: LanguageModules,
): G2pResult {
  // v1 bundles have no Korean or Cantonese symbols: GPT-SoVITS reads such a run as a blank English run.
  if (symbols === 'v1' && !V1_LANGUAGES.has(language)) return cleanText(' ', 'en', symbols, modules);
  const module = modules[language];
  if (module === undefined) {
    throw new ApiError(
      'language_not_supported',
      `language not supported yet: "${describe(text)}" needs ${language}, which this server cannot read yet`,
      { param: 'text_lang' },
    );
  }
  if (language === 'zh') {
    for (const [mark, pause] of PAUSE_MARKS) {
      if (!text.includes(mark)) continue;
      const result = module.convert(text.replaceAll(mark, ','), symbols);
      return { ...result, phones: result.phones.map((phone) => (phone === ',' ? pause : phone)) };
    }
  }
  const result = module.convert(text, symbols);
  return {
    ...result,
    phones: result.phones.map((phone) => (hasSymbol(symbols, phone) ? phone : UNKNOWN_SYMBOL)),
  };
}
