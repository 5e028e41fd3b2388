/**
 * OpenJTalk's `mecab2njd` and `NJDNode_load`: each MeCab word (`surface,feature`) becomes an NJD word. NAIST-JDIC's
 * feature is part of speech ×4, conjugation type and form, base form, reading, pronunciation, `accent/morae` and the
 * accent chain rule. A compound entry lists several words joined by `:` in the base form, reading, pronunciation and
 * accent (`1/2:0/3`); it is split back into its words, the later ones starting their own accent phrase. A word with
 * no `n/m` accent (symbols, unknown words) gets accent and mora count 0, which marks it for the pronunciation rule.
 * @module
 */
import type { Morpheme } from '../mecab/index.ts';
import { NjdWord, NjdWordList } from './word.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** C's `atoi`: the leading decimal integer, 0 when there is none. */
function atoi(text: string): number {
  const match = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(text);
  return match?.[1] === undefined ? 0 : Number.parseInt(match[1], 10);
}

/** Splits at the first `delimiter`, as OpenJTalk's tokenizer consumes a field. */
function takeToken(text: string, delimiter: string): [token: string, rest: string] {
  const at = text.indexOf(delimiter);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/** `n/m` of the accent field: accent nucleus and mora count. */
function accentAndMorae(field: string): [acc: number, moraSize: number, rest: string] {
  const [acc, afterAcc] = takeToken(field, '/');
  const [morae, rest] = takeToken(afterAcc, ':');
  return [atoi(acc), atoi(morae), rest];
}

export function wordsFromFeature(surface: string, feature: string): NjdWord[] {
  const fields = feature.split(',');
  const field = (index: number): string => fields[index] ?? '';
  const word = new NjdWord();
  word.set('pos', field(0));
  word.set('posGroup1', field(1));
  word.set('posGroup2', field(2));
  word.set('posGroup3', field(3));
  word.set('ctype', field(4));
  word.set('cform', field(5));
  word.set('chainRule', field(10));
  const flag = field(11);
  if (flag === '1' || flag === '0') word.chainFlag = Number(flag);
  const [orig, read, pron, accent] = [field(6), field(7), field(8), field(9)];

  const parts = accent.includes('*') ? 0 : accent.split('/').length - 1;
  if (parts <= 1) {
    word.set('string', surface);
    word.set('orig', orig);
    word.set('read', read);
    word.set('pron', pron);
    if (parts === 1) [word.acc, word.moraSize] = accentAndMorae(accent);
    return [word];
  }

  // A compound: its surface is cut by the byte lengths of the base forms, as OpenJTalk cuts it.
  const surfaceBytes = encoder.encode(surface);
  let surfaceOffset = 0;
  let [restOrig, restRead, restPron, restAccent] = [orig, read, pron, accent];
  const words: NjdWord[] = [];
  let part = word;
  for (let index = 0; index < parts; index++) {
    if (index > 0) {
      part = part.clone();
      part.chainFlag = 0;
    }
    let token: string;
    [token, restOrig] = takeToken(restOrig, ':');
    part.set('orig', token);
    if (index + 1 < parts) {
      part.set('string', token);
      surfaceOffset += encoder.encode(token).length;
    } else {
      part.set('string', decoder.decode(surfaceBytes.subarray(Math.min(surfaceOffset, surfaceBytes.length))));
    }
    [token, restRead] = takeToken(restRead, ':');
    part.set('read', token);
    [token, restPron] = takeToken(restPron, ':');
    part.set('pron', token);
    [part.acc, part.moraSize, restAccent] = accentAndMorae(restAccent);
    words.push(part);
  }
  return words;
}

export function mecab2njd(morphemes: readonly Pick<Morpheme, 'surface' | 'feature'>[]): NjdWordList {
  return NjdWordList.of(morphemes.flatMap((morpheme) => wordsFromFeature(morpheme.surface, morpheme.feature)));
}
