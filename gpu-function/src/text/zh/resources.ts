/**
 * What the Mandarin rules read besides the text: per-word pinyin, GPT-SoVITS's word lists, the POS tagger and the
 * traditional → simplified table. Each defaults to npm data; a bundle's frontend data (../frontend-data/) replaces
 * it with the user's GPT-SoVITS data.
 * @module
 */
import { traditionalToSimplified, type ToSimplified } from '../normalize/char-convert.ts';
import type { PinyinSource } from './pinyin-source.ts';
import { tagWords, type ZhPosTagger } from './segmenter.ts';
import { EMPTY_ZH_WORD_LISTS, type ZhWordLists } from './word-lists.ts';

export interface ZhResources {
  readonly pinyinSource: PinyinSource;
  readonly wordLists: ZhWordLists;
  /** `jieba.posseg.lcut`: @node-rs/jieba's tags by default, the user's posseg HMM when the bundle has it. */
  readonly tagWords: ZhPosTagger;
  /** char_convert.py's table when the bundle has it, OpenCC's otherwise. */
  readonly toSimplified: ToSimplified;
}

/** The npm-data resources with `pinyinSource`. */
export function zhResources(pinyinSource: PinyinSource, overrides: Partial<Omit<ZhResources, 'pinyinSource'>> = {}): ZhResources {
  return {
    pinyinSource,
    wordLists: overrides.wordLists ?? EMPTY_ZH_WORD_LISTS,
    tagWords: overrides.tagWords ?? tagWords,
    toSimplified: overrides.toSimplified ?? traditionalToSimplified,
  };
}
