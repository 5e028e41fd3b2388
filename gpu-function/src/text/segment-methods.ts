/**
 * GPT-SoVITS's text segmentation methods (`text_segmentation_method.py`): cut0-cut5 return the pieces joined by
 * newlines, with punctuation-only pieces dropped.
 * @module
 */
import type { TextSplitMethod } from '@gsv-edge/shared';

/** `splits`: the marks a clause ends at. */
export const SPLIT_MARKS: ReadonlySet<string> = new Set(['，', '。', '？', '！', ',', '.', '?', '!', '~', ':', '：', '—', '…']);
/** The "punctuation" a piece made only of is dropped (space included). */
const DROPPABLE = new Set(['!', '?', '…', ',', '.', '-', ' ']);
const CUT5_MARKS = new Set([',', '.', ';', '?', '!', '、', '，', '。', '？', '！', '：', '…']);

/** Python's `set(item).issubset(chars)`; an empty string is a subset of anything. */
function onlyOf(text: string, chars: ReadonlySet<string>): boolean {
  for (const char of text) if (!chars.has(char)) return false;
  return true;
}

function stripChars(text: string, chars: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && chars.includes(text[start] ?? '')) start += 1;
  while (end > start && chars.includes(text[end - 1] ?? '')) end -= 1;
  return text.slice(start, end);
}

/** `split`: clauses ending at a split mark (the text gets a final 。 if it has none). */
function clauses(input: string): string[] {
  let text = input.replaceAll('……', '。').replaceAll('——', '，');
  if (!SPLIT_MARKS.has(text.at(-1) ?? '')) text += '。';
  const out: string[] = [];
  let tail = 0;
  for (let head = 0; head < text.length; head += 1) {
    if (SPLIT_MARKS.has(text[head] ?? '')) {
      out.push(text.slice(tail, head + 1));
      tail = head + 1;
    }
  }
  return out;
}

function keep(pieces: readonly string[], droppable: ReadonlySet<string> = DROPPABLE): string {
  return pieces.filter((piece) => !onlyOf(piece, droppable)).join('\n');
}

function cut0(text: string): string {
  return onlyOf(text, DROPPABLE) ? '\n' : text;
}

function cut1(input: string): string {
  const text = stripChars(input, '\n');
  const parts = clauses(text);
  const starts: number[] = [];
  for (let index = 0; index < parts.length; index += 4) starts.push(index);
  if (starts.length <= 1) return keep([text]);
  // GPT-SoVITS replaces the last group start with None, so the final group takes the remaining 5-8 clauses.
  const groups = starts.slice(0, -1).map((begin, index) =>
    parts.slice(begin, index === starts.length - 2 ? undefined : starts[index + 1]).join(''),
  );
  return keep(groups);
}

function cut2(input: string): string {
  const text = stripChars(input, '\n');
  const parts = clauses(text);
  if (parts.length < 2) return text;
  const out: string[] = [];
  let length = 0;
  let current = '';
  for (const part of parts) {
    length += Array.from(part).length;
    current += part;
    if (length > 50) {
      out.push(current);
      length = 0;
      current = '';
    }
  }
  if (current !== '') out.push(current);
  if (out.length > 1 && Array.from(out.at(-1) ?? '').length < 50) {
    const last = out.pop() ?? '';
    out.push((out.pop() ?? '') + last);
  }
  return keep(out);
}

function cut3(input: string): string {
  const text = stripChars(stripChars(input, '\n'), '。');
  return keep(text.split('。'));
}

function cut4(input: string): string {
  const text = stripChars(stripChars(input, '\n'), '.');
  return keep(text.split(/(?<!\p{Nd})\.(?!\p{Nd})/u));
}

function cut5(input: string): string {
  const text = stripChars(input, '\n');
  const chars = Array.from(text);
  const pieces: string[] = [];
  let current = '';
  chars.forEach((char, index) => {
    current += char;
    if (!CUT5_MARKS.has(char)) return;
    const betweenDigits =
      char === '.' && index > 0 && index < chars.length - 1 && /\p{Nd}/u.test(chars[index - 1] ?? '') && /\p{Nd}/u.test(chars[index + 1] ?? '');
    if (!betweenDigits) {
      pieces.push(current);
      current = '';
    }
  });
  if (current !== '') pieces.push(current);
  return keep(pieces, CUT5_MARKS);
}

const METHODS: Readonly<Record<TextSplitMethod, (text: string) => string>> = { cut0, cut1, cut2, cut3, cut4, cut5 };

export function applySplitMethod(text: string, method: TextSplitMethod): string {
  return METHODS[method](text);
}
