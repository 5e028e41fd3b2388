/**
 * Cuts a target text into the segments GPT-SoVITS synthesizes one by one (`TextPreprocessor.preprocess` up to
 * `pre_seg_text`): collapse punctuation runs, prepend 。 (. for en) when the first clause is shorter than 4 characters,
 * apply the split method, drop empty and symbol-only pieces, merge pieces shorter than 5 characters, end every piece
 * with a split mark, and cut pieces over 510 characters at split marks.
 * @module
 */
import { ApiError, type TextLanguage, type TextSplitMethod } from '@gsv-edge/shared';
import { applySplitMethod, SPLIT_MARKS } from './segment-methods.ts';

const MAX_SEGMENT_CHARS = 510;
const MERGE_THRESHOLD = 5;
const SPLIT_MARK_CLASS = `[${[...SPLIT_MARKS].map((mark) => mark.replace(/[\\\]^-]/gu, '\\$&')).join('')}]`;

/** Python's `len`: code points, not UTF-16 units. */
export function codePointLength(text: string): number {
  let length = 0;
  for (const _char of text) length += 1;
  return length;
}

/** `TextPreprocessor.replace_consecutive_punctuation`: a run of `! ? … , . -` keeps its first mark. */
export function collapsePunctuationRuns(text: string): string {
  return text.replace(/([!?…,.-])[!?…,.-]+/gu, '$1');
}

function stripNewlines(text: string): string {
  return text.replace(/^\n+|\n+$/gu, '');
}

/** `get_first`: the first clause, trimmed. */
function firstClause(text: string): string {
  return (text.split(new RegExp(SPLIT_MARK_CLASS, 'u'))[0] ?? '').trim();
}

/** `merge_short_text_in_array`: join neighbours until each piece has at least `threshold` characters. */
export function mergeShortTexts(texts: readonly string[], threshold: number): string[] {
  if (texts.length < 2) return [...texts];
  const result: string[] = [];
  let current = '';
  for (const text of texts) {
    current += text;
    if (codePointLength(current) >= threshold) {
      result.push(current);
      current = '';
    }
  }
  if (current !== '') {
    if (result.length === 0) result.push(current);
    else result.push((result.pop() ?? '') + current);
  }
  return result;
}

/** `split_big_text`: greedy pieces of at most `maxLength` characters, cut after split marks. */
export function splitBigText(text: string, maxLength = MAX_SEGMENT_CHARS): string[] {
  const parts = text.split(new RegExp(`(${SPLIT_MARK_CLASS})`, 'u'));
  const result: string[] = [];
  let current = '';
  for (const part of parts) {
    if (codePointLength(current + part) > maxLength) {
      result.push(current);
      current = part;
    } else {
      current += part;
    }
  }
  if (current !== '') result.push(current);
  return result;
}

/** `filter_text`: GPT-SoVITS rejects a text whose pieces are all blank, and drops blank pieces otherwise. */
function dropBlankPieces(pieces: readonly string[]): string[] {
  if (pieces.every((piece) => piece === ' ' || piece === '\n' || piece === '')) {
    throw new ApiError('invalid_field', 'text has nothing to read aloud', { param: 'text' });
  }
  return pieces.filter((piece) => piece !== ' ' && piece !== '');
}

/** The segments of a target text, in order; empty when nothing speakable is left. */
export function splitText(input: string, method: TextSplitMethod, lang: TextLanguage): string[] {
  const finalMark = lang === 'en' ? '.' : '。';
  let text = stripNewlines(collapsePunctuationRuns(input));
  if (text === '') return [];
  if (!SPLIT_MARKS.has(text[0] ?? '') && codePointLength(firstClause(text)) < 4) text = finalMark + text;
  let split = applySplitMethod(text, method);
  while (split.includes('\n\n')) split = split.replaceAll('\n\n', '\n');
  const pieces = mergeShortTexts(dropBlankPieces(split.split('\n')), MERGE_THRESHOLD);
  const segments: string[] = [];
  for (const piece of pieces) {
    if (piece.trim() === '') continue;
    // Python's re.sub("\W+", "", text): nothing but non-word characters means symbols only.
    if (piece.replace(/[^\p{L}\p{N}_]+/gu, '') === '') continue;
    const ended = SPLIT_MARKS.has(Array.from(piece).at(-1) ?? '') ? piece : piece + finalMark;
    if (codePointLength(ended) > MAX_SEGMENT_CHARS) segments.push(...splitBigText(ended));
    else segments.push(ended);
  }
  return segments;
}
