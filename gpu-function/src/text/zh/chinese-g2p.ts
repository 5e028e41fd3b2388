/**
 * chinese2.py's `g2p` (and chinese.py's for v1 bundles) on normalized text: split after punctuation, drop Latin
 * letters, segment with POS, pre-merge, pinyin per word, tone sandhi, erhua (v2 only), then opencpop phones.
 * @module
 */
import type { SymbolTableVersion } from '../types.ts';
import { mergeErhua } from './erhua.ts';
import type { PinyinSource } from './pinyin-source.ts';
import type { ZhResources } from './resources.ts';
import type { TaggedWord, ZhPosTagger } from './segmenter.ts';
import { splitSyllable, syllablePhones } from './syllable.ts';
import { modifiedTone, preMergeForModify } from './tone-sandhi.ts';
import type { ZhWordLists } from './word-lists.ts';

export interface ZhPhones {
  readonly phones: string[];
  readonly word2ph: number[];
}

const SPLIT_MARKS = new Set(['!', '?', '…', ',', '.', '-']);

/** `re.split(r"(?<=[!?…,.\-])\s*", text)` without the empty pieces: each piece ends at a punctuation mark. */
export function splitAfterPunctuation(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i += 1) {
    if (!SPLIT_MARKS.has(text[i] as string)) continue;
    let end = i + 1;
    pieces.push(text.slice(start, end));
    while (end < text.length && /\s/.test(text[end] as string)) end += 1;
    start = end;
    i = end - 1;
  }
  pieces.push(text.slice(start));
  return pieces.filter((piece) => piece.trim() !== '');
}

/** The pinyin of one word: by default from the pinyin source; the G2PW path passes its own per-word readings. */
export type WordPinyin = (word: string, offset: number) => string[];

export interface SegmentInput {
  readonly text: string;
  readonly words: readonly TaggedWord[];
  /** The pypinyin-style reading of each word (by its offset in `text`). */
  readonly pinyinOf: WordPinyin;
}

/** Per-word readings: per word for pypinyin, sliced from one whole-segment call for a context-aware source. */
export function wordPinyin(text: string, source: PinyinSource): WordPinyin {
  if (source.context === 'word') return (word) => source.read(word);
  const readings = source.read(text);
  return (word, offset) => readings.slice(offset, offset + word.length);
}

/** Segments ready for pinyin: letters removed, POS-tagged and pre-merged, as `_g2p` prepares them. */
export function prepareSegments(normText: string, source: PinyinSource, tagWords: ZhPosTagger): SegmentInput[] {
  return splitAfterPunctuation(normText).map((piece) => {
    const text = piece.replace(/[a-zA-Z]+/g, '');
    const pinyinOf = wordPinyin(text, source);
    const finalsOf = (word: string, offset: number): string[] =>
      pinyinOf(word, offset).map((reading, i) => splitSyllable(word[i] ?? '', reading).final);
    return { text, words: preMergeForModify(tagWords(text), finalsOf), pinyinOf };
  });
}

export function segmentPhones(
  segment: SegmentInput,
  pinyinOf: WordPinyin,
  version: SymbolTableVersion,
  lists: ZhWordLists,
): ZhPhones {
  const phones: string[] = [];
  const word2ph: number[] = [];
  let offset = 0;
  for (const { word, pos } of segment.words) {
    const start = offset;
    offset += word.length;
    if (pos === 'eng') continue;
    const syllables = pinyinOf(word, start).map((reading, i) => splitSyllable(word[i] ?? '', reading));
    let finals = modifiedTone(word, pos, syllables.map((s) => s.final), lists);
    if (version !== 'v1') finals = mergeErhua(finals, word, pos, lists);
    syllables.forEach((syllable, i) => {
      const syllablePhoneList = syllablePhones({ initial: syllable.initial, final: finals[i] ?? syllable.final });
      phones.push(...syllablePhoneList);
      word2ph.push(syllablePhoneList.length);
    });
  }
  return { phones, word2ph };
}

/** The pypinyin-style path: every word's pinyin comes from the resources' pinyin source. */
export function g2pNormalized(normText: string, version: SymbolTableVersion, resources: ZhResources): ZhPhones {
  const phones: string[] = [];
  const word2ph: number[] = [];
  for (const segment of prepareSegments(normText, resources.pinyinSource, resources.tagWords)) {
    const result = segmentPhones(segment, segment.pinyinOf, version, resources.wordLists);
    // Appended one by one: spreading a 100k-element array into push() overflows the call stack.
    for (const phone of result.phones) phones.push(phone);
    for (const count of result.word2ph) word2ph.push(count);
  }
  return { phones, word2ph };
}
