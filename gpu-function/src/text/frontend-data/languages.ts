/**
 * The language modules a {@link FrontendData} makes: GPT-SoVITS's data where the bundle carries it, npm data
 * elsewhere. Pass them to `createTextFrontend({ symbols, languages })`.
 * @module
 */
import type { LanguageModules } from '../cleaner.ts';
import { createEnglishG2p } from '../en/index.ts';
import { createZhG2p } from '../zh/index.ts';
import type { FrontendData } from './load.ts';

export function frontendLanguages(data: FrontendData): LanguageModules {
  return {
    en: createEnglishG2p({ lexicon: data.en.lexicon, ...(data.en.oov === undefined ? {} : { oov: data.en.oov }) }),
    zh: createZhG2p({ wordLists: data.zh.wordLists, ...(data.zh.pinyinSource === undefined ? {} : { pinyinSource: data.zh.pinyinSource }) }),
  };
}
