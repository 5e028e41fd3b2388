/**
 * `jieba.posseg.lcut(text)` (HMM on) with the user's posseg HMM: the dictionary route from jieba-rs, words tagged
 * from jieba's dictionary, and every run of single characters that is not itself a dictionary word cut and tagged by
 * the POS HMM (posseg's `__cut_DAG` / `__cut_detail`), where plain jieba would use its B/M/E/S segmentation HMM.
 * @module
 */
import { dict } from '@node-rs/jieba/dict.js';
import { jiebaInstance, type TaggedWord } from '../segmenter.ts';
import { possegHmmCut, type PossegHmm } from './hmm.ts';

// posseg's regular expressions (jieba/posseg/__init__.py).
const HAN_INTERNAL = /[\u4E00-\u9FD5a-zA-Z0-9+#&._]+/gu;
const HAN_DETAIL = /[\u4E00-\u9FD5]+/gu;
const SKIP_DETAIL = /[.0-9]+|[a-zA-Z0-9]+/gu;
const SKIP_INTERNAL = /\r\n|\s/gu;
const NUM = /^[.0-9]+/u;
const ENG = /^[a-zA-Z0-9]+/u;
const ASCII_ALNUM = /^[a-zA-Z0-9]+$/u;

interface JiebaDictionary {
  /** `word_tag_tab`: every dictionary word's tag. */
  readonly tags: ReadonlyMap<string, string>;
  /** Words with a non-zero count (`FREQ.get(word)` is truthy). */
  readonly counted: ReadonlySet<string>;
}

let dictionary: JiebaDictionary | undefined;

/** jieba's dictionary as @node-rs/jieba ships it (the same words, counts and tags as jieba 0.42.1's dict.txt). */
function jiebaDictionary(): JiebaDictionary {
  if (dictionary !== undefined) return dictionary;
  const tags = new Map<string, string>();
  const counted = new Set<string>();
  for (const line of Buffer.from(dict).toString('utf8').split('\n')) {
    const [word, count, tag] = line.trim().split(' ');
    if (word === undefined || word === '' || tag === undefined) continue;
    tags.set(word, tag);
    if (Number(count) > 0) counted.add(word);
  }
  dictionary = { tags, counted };
  return dictionary;
}

/** `re.split` with a capturing group: the pieces between matches and the matches, in order. */
function splitKeeping(text: string, pattern: RegExp): { text: string; matched: boolean }[] {
  const pieces: { text: string; matched: boolean }[] = [];
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    pieces.push({ text: text.slice(last, match.index), matched: false }, { text: match[0], matched: true });
    last = match.index + match[0].length;
  }
  pieces.push({ text: text.slice(last), matched: false });
  return pieces;
}

function cutDetail(text: string, hmm: PossegHmm): TaggedWord[] {
  const words: TaggedWord[] = [];
  for (const block of splitKeeping(text, HAN_DETAIL)) {
    if (block.matched) {
      words.push(...possegHmmCut(block.text, hmm));
      continue;
    }
    for (const piece of splitKeeping(block.text, SKIP_DETAIL)) {
      if (piece.text === '') continue;
      words.push({ word: piece.text, pos: NUM.test(piece.text) ? 'm' : ENG.test(piece.text) ? 'eng' : 'x' });
    }
  }
  return words;
}

/**
 * The dictionary route of a block, one word per route step. jieba-rs without HMM joins consecutive one-letter
 * ASCII steps into one word (as jieba's no-HMM cut does); posseg's HMM cut sees them as single steps, so such a
 * joined word that is not in the dictionary is split back.
 */
function route(block: string, words: JiebaDictionary): string[] {
  return jiebaInstance()
    .cut(block, false)
    .flatMap((word) => (word.length > 1 && ASCII_ALNUM.test(word) && !words.tags.has(word) ? Array.from(word) : [word]));
}

function cutDag(block: string, hmm: PossegHmm, words: JiebaDictionary): TaggedWord[] {
  const tagOf = (word: string): string => words.tags.get(word) ?? 'x';
  const result: TaggedWord[] = [];
  let buffer = '';
  const flush = (): void => {
    if (buffer === '') return;
    if (buffer.length === 1) result.push({ word: buffer, pos: tagOf(buffer) });
    else if (!words.counted.has(buffer)) result.push(...cutDetail(buffer, hmm));
    else for (const char of buffer) result.push({ word: char, pos: tagOf(char) });
    buffer = '';
  };
  for (const word of route(block, words)) {
    if (word.length === 1) {
      buffer += word;
      continue;
    }
    flush();
    result.push({ word, pos: tagOf(word) });
  }
  flush();
  return result;
}

/** A tagger that cuts `text` as `jieba.posseg.lcut(text)` does with the given HMM. */
export function createPossegTagger(hmm: PossegHmm): (text: string) => TaggedWord[] {
  return (text) => {
    const words = jiebaDictionary();
    const result: TaggedWord[] = [];
    for (const block of splitKeeping(text, HAN_INTERNAL)) {
      if (block.matched) {
        result.push(...cutDag(block.text, hmm, words));
        continue;
      }
      for (const piece of splitKeeping(block.text, SKIP_INTERNAL)) {
        if (piece.matched) {
          result.push({ word: piece.text, pos: 'x' });
          continue;
        }
        // posseg tests ENG against the whole piece, not the character (kept as written).
        const english = ENG.test(piece.text);
        for (const char of piece.text) result.push({ word: char, pos: NUM.test(char) ? 'm' : english ? 'eng' : 'x' });
      }
    }
    return result;
  };
}
