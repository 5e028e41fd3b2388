/**
 * Mandarin for the text frontend: `createZhG2p` implements {@link LanguageG2p} as GPT-SoVITS's `chinese2` (v2
 * tables) or `chinese` (v1 tables): pypinyin-style pinyin synchronously, and G2PW (`g2pw/`) through `convertBatch`
 * when the bundle carries the user's G2PW model. `zhG2p` runs on npm data only; a bundle's frontend data
 * (../frontend-data/) supplies pypinyin's dictionaries, GPT-SoVITS's word lists and char_convert table, and jieba's
 * POS HMM.
 * @module
 */
import { normalizeZh, type ToSimplified } from '../normalize/index.ts';
import type { G2pResult, LanguageG2p, SymbolTableVersion } from '../types.ts';
import { g2pNormalized } from './chinese-g2p.ts';
import { assertConvertible, toTableSymbols } from './convert-guards.ts';
import type { G2pw } from './g2pw/predictor.ts';
import { convertZhBatchWithG2pw } from './g2pw-g2p.ts';
import { pinyinProSource, type PinyinSource } from './pinyin-source.ts';
import { loadPypinyinSource } from './pypinyin-source.ts';
import { zhResources, type ZhResources } from './resources.ts';
import type { ZhPosTagger } from './segmenter.ts';
import type { ZhWordLists } from './word-lists.ts';

export { loadPypinyinSource, createPypinyinSource, type PypinyinDictionaries } from './pypinyin-source.ts';
export { readPypinyinFolder, type PypinyinFolder } from './pypinyin-files.ts';
export { EMPTY_ZH_WORD_LISTS, type ZhWordLists } from './word-lists.ts';
export { pinyinProSource, type PinyinSource } from './pinyin-source.ts';
export { MAX_ZH_TEXT_LENGTH } from './convert-guards.ts';
export { convertZhBatchWithG2pw, convertZhWithG2pw, correctPronunciation } from './g2pw-g2p.ts';
export { zhResources, type ZhResources } from './resources.ts';
export type { TaggedWord, ZhPosTagger } from './segmenter.ts';
export { compilePossegHmm, type PossegHmm, type PossegHmmTables } from './posseg/hmm.ts';
export { createPossegTagger } from './posseg/tagger.ts';
export { G2pw, G2PW_CONTEXT_CHARS, type G2pwModelRunner } from './g2pw/predictor.ts';
export { loadG2pwAssets, buildG2pwAssets, type G2pwAssets } from './g2pw/assets.ts';
export { inspectG2pwFolder, G2PW_REQUIRED_FILES, G2PW_OPTIONAL_FILES, G2PW_MODEL_NAMES, type G2pwFolder } from './g2pw/folder.ts';

export interface ZhG2pOptions {
  /** Per-word pinyin; defaults to {@link defaultPinyinSource}. */
  readonly pinyinSource?: PinyinSource;
  /** GPT-SoVITS's neutral-tone and erhua word lists; empty by default (they are the user's data). */
  readonly wordLists?: ZhWordLists;
  /** `jieba.posseg.lcut`; defaults to @node-rs/jieba's tags (posseg/ with the user's POS HMM). */
  readonly tagWords?: ZhPosTagger;
  /** char_convert.py's traditional → simplified table; defaults to OpenCC's. */
  readonly toSimplified?: ToSimplified;
  /**
   * The bundle's G2PW model. With it the module gains `convertBatch`, which reads Mandarin with G2PW (v2 tables), as
   * GPT-SoVITS v2+ does; `convert` stays the synchronous pypinyin-style path.
   */
  readonly g2pw?: G2pw;
}

/**
 * Environment variable naming a pypinyin package directory (`pinyin_dict.json` + `phrases_dict.json`, or the `.py`
 * pair of older releases), for development; a bundle's frontend data is the primary route.
 */
export const PYPINYIN_DIR_ENV = 'GSV_EDGE_PYPINYIN_DIR';

let defaultSource: PinyinSource | undefined;

/**
 * pypinyin's own dictionaries when `GSV_EDGE_PYPINYIN_DIR` points at them (exact `lazy_pinyin`), else pinyin-pro.
 * Resolved once, on first use.
 */
export function defaultPinyinSource(): PinyinSource {
  const dir = process.env[PYPINYIN_DIR_ENV];
  defaultSource ??= dir ? loadPypinyinSource(dir) : pinyinProSource;
  return defaultSource;
}

export function createZhG2p(options: ZhG2pOptions = {}): LanguageG2p {
  let resolved: ZhResources | undefined;
  const resources = (): ZhResources =>
    (resolved ??= zhResources(options.pinyinSource ?? defaultPinyinSource(), {
      ...(options.wordLists === undefined ? {} : { wordLists: options.wordLists }),
      ...(options.tagWords === undefined ? {} : { tagWords: options.tagWords }),
      ...(options.toSimplified === undefined ? {} : { toSimplified: options.toSimplified }),
    }));
  const { g2pw } = options;
  return {
    language: 'zh',
    convert(text: string, symbols: SymbolTableVersion): G2pResult {
      assertConvertible(text);
      const normText = normalizeZh(text, resources().toSimplified);
      if (normText === '') return { normText, phones: [], word2ph: [] };
      const { phones, word2ph } = g2pNormalized(normText, symbols, resources());
      return { normText, phones: toTableSymbols(phones, symbols), word2ph };
    },
    ...(g2pw === undefined ? {} : { convertBatch: (texts, symbols) => convertZhBatchWithG2pw(texts, symbols, g2pw, resources()) }),
  };
}

/** Mandarin on npm data only: the default pinyin source and no GPT-SoVITS word lists. */
export const zhG2p: LanguageG2p = createZhG2p();
