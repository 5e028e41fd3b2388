/**
 * GPT-SoVITS's `ToneSandhi` (from PaddleSpeech): word merges before pinyin (`pre_merge_for_modify`) and the tone
 * rules on each word's finals (`modified_tone`): 不, 一, neutral tone and third tone.
 *
 * Finals are pypinyin FINALS_TONE3 strings (`ao3`, `e5`); only their last character, the tone, is read or changed.
 * Where Python indexes an empty final and raises, the merge steps keep its behaviour (the step is skipped, as its
 * `try` does) and the tone rules treat the empty final as "not that tone" instead of failing.
 * @module
 */
import { cutForSearch, type TaggedWord } from './segmenter.ts';
import type { ZhWordLists } from './word-lists.ts';

/**
 * Finals of the word at `offset` in its segment, as `lazy_pinyin(word, Style.FINALS_TONE3,
 * neutral_tone_with_five=True)`.
 */
export type WordFinals = (word: string, offset: number) => string[];

interface Word {
  word: string;
  pos: string;
}

/** CJK ideographs Python's `str.isnumeric()` accepts (Unicode numeric properties); `\p{N}` misses them. */
const CJK_NUMERIC = new Set(Array.from('一七万三九二五亖亿什仟仨伍佰億兆兩八六十千卄卅卌叁参參叄四壱壹幺廾廿弌弍弎弐拾捌柒漆玖百肆萬貮貳贰阡陆陌陸零'));
const isNumeric = (char: string): boolean => CJK_NUMERIC.has(char) || /^\p{N}$/u.test(char);

const PUNCTUATION = new Set(Array.from('：，；。？！“”‘’\':,;.?!'));
const toneOf = (final: string | undefined): string => (final ? final.charAt(final.length - 1) : '');
const withTone = (final: string, tone: string): string => final.slice(0, -1) + tone;
const allToneThree = (finals: readonly string[]): boolean => finals.every((final) => toneOf(final) === '3');
const isReduplication = (word: string): boolean => word.length === 2 && word[0] === word[1];

class EmptyFinal extends Error {}
/** The tone of a final where Python would raise IndexError on an empty one. */
function strictTone(final: string | undefined): string {
  if (!final) throw new EmptyFinal();
  return toneOf(final);
}

function mergeBu(seg: readonly Word[]): Word[] {
  const merged: Word[] = [];
  let last = '';
  for (const { word: original, pos } of seg) {
    const word = last === '不' ? last + original : original;
    if (word !== '不') merged.push({ word, pos });
    last = word;
  }
  if (last === '不') merged.push({ word: '不', pos: 'd' });
  return merged;
}

function mergeYi(seg: readonly Word[]): Word[] {
  const reduplicated: Word[] = [];
  for (let i = 0; i < seg.length; ) {
    const current = seg[i] as Word;
    const next = seg[i + 1];
    const last = reduplicated.at(-1);
    if (i >= 1 && current.word === '一' && next && last && last.word === next.word && last.pos === 'v' && next.pos === 'v') {
      last.word = `${last.word}一${next.word}`;
      i += 2;
    } else {
      reduplicated.push({ ...current });
      i += 1;
    }
  }
  const merged: Word[] = [];
  for (const item of reduplicated) {
    const last = merged.at(-1);
    if (last?.word === '一') last.word += item.word;
    else merged.push({ ...item });
  }
  return merged;
}

function mergeReduplication(seg: readonly Word[]): Word[] {
  const merged: Word[] = [];
  for (const item of seg) {
    const last = merged.at(-1);
    if (last && last.word === item.word) last.word += item.word;
    else merged.push({ ...item });
  }
  return merged;
}

/** `_merge_continuous_three_tones` (whole words all third tone) and its `_2` variant (boundary syllables). */
function mergeThirdTones(seg: readonly Word[], finalsOf: WordFinals, boundaryOnly: boolean): Word[] {
  let offset = 0;
  const finals = seg.map(({ word }) => {
    const start = offset;
    offset += word.length;
    return finalsOf(word, start);
  });
  const mergedIntoLast: boolean[] = [];
  const merged: Word[] = [];
  seg.forEach((item, i) => {
    const previous = seg[i - 1];
    let joins = false;
    if (previous) {
      // Same evaluation order as Python, so an empty final raises in the same cases.
      const before = finals[i - 1] ?? [];
      const current = finals[i] ?? [];
      const tonesJoin = boundaryOnly
        ? strictTone(before.at(-1)) === '3' && strictTone(current[0]) === '3'
        : before.every((f) => strictTone(f) === '3') && current.every((f) => strictTone(f) === '3');
      joins = tonesJoin && !(mergedIntoLast[i - 1] ?? false);
    }
    const last = merged.at(-1);
    if (joins && previous && last && !isReduplication(previous.word) && previous.word.length + item.word.length <= 3) {
      last.word += item.word;
      mergedIntoLast[i] = true;
    } else {
      merged.push({ ...item });
    }
  });
  return merged;
}

function mergeEr(seg: readonly Word[]): Word[] {
  const merged: Word[] = [];
  seg.forEach((item, i) => {
    const last = merged.at(-1);
    if (i >= 1 && item.word === '儿' && seg[i - 1]?.word !== '#' && last) last.word += item.word;
    else merged.push({ ...item });
  });
  return merged;
}

/** Runs a merge step; a step that hits an empty final is skipped, as Python's `try/except` around it does. */
function tryStep(seg: Word[], step: (seg: Word[]) => Word[]): Word[] {
  try {
    return step(seg);
  } catch (error) {
    if (error instanceof EmptyFinal) return seg;
    throw error;
  }
}

/** `pre_merge_for_modify`: 不+next, X一X and 一+next, reduplications, third-tone runs, then 儿. */
export function preMergeForModify(seg: readonly TaggedWord[], finalsOf: WordFinals): TaggedWord[] {
  let words: Word[] = mergeBu(seg.map(({ word, pos }) => ({ word, pos })));
  words = mergeYi(words);
  words = mergeReduplication(words);
  words = tryStep(words, (s) => mergeThirdTones(s, finalsOf, false));
  words = tryStep(words, (s) => mergeThirdTones(s, finalsOf, true));
  return mergeEr(words);
}

function buSandhi(word: string, finals: string[]): void {
  if (word.length === 3 && word[1] === '不') {
    finals[1] = withTone(finals[1] ?? '', '5');
    return;
  }
  for (let i = 0; i + 1 < word.length; i += 1) {
    if (word[i] === '不' && toneOf(finals[i + 1]) === '4') finals[i] = withTone(finals[i] ?? '', '2');
  }
}

function yiSandhi(word: string, finals: string[]): void {
  if (word.includes('一') && Array.from(word).every((char) => char === '一' || isNumeric(char))) return;
  if (word.length === 3 && word[1] === '一' && word[0] === word[2]) {
    finals[1] = withTone(finals[1] ?? '', '5');
  } else if (word.startsWith('第一')) {
    finals[1] = withTone(finals[1] ?? '', '1');
  } else {
    for (let i = 0; i + 1 < word.length; i += 1) {
      if (word[i] !== '一') continue;
      if (toneOf(finals[i + 1]) === '4') finals[i] = withTone(finals[i] ?? '', '2');
      else if (!PUNCTUATION.has(word[i + 1] as string)) finals[i] = withTone(finals[i] ?? '', '4');
    }
  }
}

/** `_split_word`: the shortest search-mode sub-word and the rest, in reading order. */
export function splitWord(word: string): [string, string] {
  const pieces = cutForSearch(word).sort((a, b) => a.length - b.length);
  const first = pieces[0] ?? word;
  if (word.indexOf(first) === 0) return [first, word.slice(first.length)];
  return [word.slice(0, -first.length), first];
}

const isMustNeutral = (word: string, lists: ZhWordLists): boolean =>
  lists.mustNeutralTone.has(word) || lists.mustNeutralTone.has(word.slice(-2));
const GE_COUNTERS = '几有两半多各整每做是';

function neutralSandhi(word: string, pos: string, finals: string[], lists: ZhWordLists): string[] {
  for (let j = 1; j < word.length; j += 1) {
    if (word[j] === word[j - 1] && 'nva'.includes(pos.charAt(0) || '#') && !lists.mustNotNeutralTone.has(word)) {
      finals[j] = withTone(finals[j] ?? '', '5');
    }
  }
  const last = word.charAt(word.length - 1);
  const geIndex = word.indexOf('个');
  const setLast = (): void => {
    finals[finals.length - 1] = withTone(finals.at(-1) ?? '', '5');
  };
  if (word.length >= 1 && '吧呢哈啊呐噻嘛吖嗨呐哦哒额滴哩哟喽啰耶喔诶'.includes(last)) setLast();
  else if (word.length >= 1 && '的地得'.includes(last)) setLast();
  else if (word.length === 1 && '了着过'.includes(word) && ['ul', 'uz', 'ug'].includes(pos)) setLast();
  else if (word.length > 1 && '们子'.includes(last) && ['r', 'n'].includes(pos) && !lists.mustNotNeutralTone.has(word)) setLast();
  else if (word.length > 1 && '上下里'.includes(last) && ['s', 'l', 'f'].includes(pos)) setLast();
  else if (word.length > 1 && '来去'.includes(last) && '上下进出回过起开'.includes(word.charAt(word.length - 2))) setLast();
  else if ((geIndex >= 1 && (isNumeric(word[geIndex - 1] as string) || GE_COUNTERS.includes(word[geIndex - 1] as string))) || word === '个') {
    finals[geIndex] = withTone(finals[geIndex] ?? '', '5');
  } else if (isMustNeutral(word, lists)) setLast();

  const parts = splitWord(word);
  const split = parts[0].length;
  const halves = [finals.slice(0, split), finals.slice(split)];
  parts.forEach((part, i) => {
    const half = halves[i] as string[];
    if (isMustNeutral(part, lists) && half.length > 0) half[half.length - 1] = withTone(half.at(-1) ?? '', '5');
  });
  return halves.flat();
}

function threeSandhi(word: string, finals: string[]): string[] {
  if (word.length === 2 && allToneThree(finals)) {
    finals[0] = withTone(finals[0] ?? '', '2');
  } else if (word.length === 3) {
    const parts = splitWord(word);
    const split = parts[0].length;
    if (allToneThree(finals)) {
      if (split === 2) {
        finals[0] = withTone(finals[0] ?? '', '2');
        finals[1] = withTone(finals[1] ?? '', '2');
      } else if (split === 1) {
        finals[1] = withTone(finals[1] ?? '', '2');
      }
    } else {
      const halves = [finals.slice(0, split), finals.slice(split)] as const;
      halves.forEach((half, i) => {
        if (allToneThree(half) && half.length === 2) {
          half[0] = withTone(half[0] ?? '', '2');
        } else if (i === 1 && !allToneThree(half) && toneOf(half[0]) === '3' && toneOf(halves[0].at(-1)) === '3') {
          halves[0][halves[0].length - 1] = withTone(halves[0].at(-1) ?? '', '2');
        }
      });
      return [...halves[0], ...halves[1]];
    }
  } else if (word.length === 4) {
    const halves = [finals.slice(0, 2), finals.slice(2)];
    for (const half of halves) if (allToneThree(half)) half[0] = withTone(half[0] ?? '', '2');
    return halves.flat();
  }
  return finals;
}

/**
 * `modified_tone`: 不, 一, neutral tone, then third tone, on a copy of the word's finals. `lists` are ToneSandhi's
 * neutral-tone word lists (empty without the user's GPT-SoVITS data).
 */
export function modifiedTone(word: string, pos: string, finals: readonly string[], lists: ZhWordLists): string[] {
  const result = [...finals];
  buSandhi(word, result);
  yiSandhi(word, result);
  return threeSandhi(word, neutralSandhi(word, pos, result, lists));
}
