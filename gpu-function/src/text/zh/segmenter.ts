/**
 * Word segmentation with part-of-speech tags, standing in for `jieba_fast.posseg.lcut` (HMM on), plus
 * `jieba.cut_for_search` for the tone-sandhi word splits.
 *
 * @node-rs/jieba (jieba-rs) ships jieba's dictionary with its tags and gives `jieba.lcut`'s and
 * `jieba.lcut_for_search`'s exact words. Python's posseg differs in one place: a run of characters the dictionary
 * does not cover is segmented and tagged by posseg's own character-level POS HMM, whose model is not published on
 * npm. Here such runs keep jieba's HMM segmentation, and words it found get the tag `n`. docs/frontend.md
 * lists the effect (names tagged `nr`, erhua after them, and rare boundary differences inside unknown runs). With
 * the user's posseg HMM (a bundle's frontend data), posseg/ cuts those runs exactly as posseg does.
 * @module
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

export interface TaggedWord {
  readonly word: string;
  readonly pos: string;
}

/** `jieba.posseg.lcut(text)`: words with their part-of-speech tags. */
export type ZhPosTagger = (text: string) => TaggedWord[];

/**
 * jieba-rs tags words its HMM found `x`; posseg's POS HMM gives them a real tag, most often a noun class. Only the
 * first letter matters to the sandhi rules here (reduplication needs n/v/a), and `n` matched best on the test set.
 */
const UNKNOWN_WORD_POS = 'n';
const HAN = /[\u4e00-\u9fff]/;

let jieba: Jieba | undefined;

/** Loads jieba's dictionary once (about 0.3 s); later calls are free. */
export function jiebaInstance(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

export function tagWords(text: string): TaggedWord[] {
  if (text === '') return [];
  return jiebaInstance()
    .tag(text, true)
    .map(({ word, tag }) => ({ word, pos: tag === 'x' && HAN.test(word) ? UNKNOWN_WORD_POS : tag }));
}

export function cutForSearch(text: string): string[] {
  if (text === '') return [];
  return jiebaInstance().cutForSearch(text, true);
}
