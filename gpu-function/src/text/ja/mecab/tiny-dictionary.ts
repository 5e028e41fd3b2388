/**
 * A tiny MeCab dictionary written for gsv-edge's tests, in the real compiled format (sys.dic, unk.dic, matrix.bin,
 * char.bin) and, for compiling it with the genuine `mecab-dict-index`, as the text sources MeCab compiles (lex.csv,
 * unk.def, char.def, matrix.def). Its lexicon and costs are chosen to exercise ties between paths, a surface with
 * two tokens, a connection cost, and unknown words of every kind char.def allows (invoke, group, length, several
 * categories on one character).
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MecabDictionaryFileName } from './dictionary-folder.ts';
import { encodeCharProperty, encodeMatrix, encodeMecabDictionary, type CharDefinition, type DictionaryEntry, type MatrixDefinition } from './compile/index.ts';

/** Context ids: 0 BOS/EOS, 1 noun, 2 particle. */
const MATRIX: MatrixDefinition = {
  leftSize: 3,
  rightSize: 3,
  // A particle right after BOS costs extra; everything else connects for free, so word costs decide.
  costs: [[0, 2, 400]],
};

const entry = (surface: string, id: number, cost: number, feature: string): DictionaryEntry => ({ surface, leftId: id, rightId: id, cost, feature });

export const TINY_LEXICON: readonly DictionaryEntry[] = [
  entry('東', 1, 300, '名詞,一般,東,ヒガシ'),
  entry('京', 1, 300, '名詞,一般,京,キョウ'),
  // 東+京 costs what 東京 costs: MeCab keeps the path through the node connected last (東|京).
  entry('東京', 1, 600, '名詞,固有名詞,東京,トウキョウ'),
  entry('東京都', 1, 500, '名詞,固有名詞,東京都,トウキョウト'),
  entry('に', 2, 100, '助詞,格助詞,に,ニ'),
  // Two tokens for one surface at the same cost: the first in the dictionary wins.
  entry('は', 2, 100, '助詞,係助詞,は,ワ'),
  entry('は', 2, 100, '助詞,副助詞,は,ワ'),
  entry('アイ', 1, 3000, '名詞,一般,アイ,アイ'),
];

/** A user dictionary for the same matrix. */
export const TINY_USER_LEXICON: readonly DictionaryEntry[] = [entry('アイウ', 1, 100, '名詞,固有名詞,アイウ,アイウ'), entry('京に', 1, 200, '名詞,一般,京に,キョウニ')];

export const TINY_UNKNOWN: readonly DictionaryEntry[] = [
  entry('DEFAULT', 1, 1000, '記号,一般'),
  entry('SPACE', 1, 1000, '記号,空白'),
  entry('KANJI', 1, 2000, '名詞,一般'),
  entry('KATAKANA', 1, 1500, '名詞,一般'),
  entry('ALPHA', 1, 1200, '名詞,固有名詞'),
  entry('NUMERIC', 1, 1000, '名詞,数'),
];

export const TINY_CHARS: CharDefinition = {
  categories: [
    { name: 'DEFAULT', invoke: false, group: true, length: 0 },
    { name: 'SPACE', invoke: false, group: true, length: 0 },
    { name: 'KANJI', invoke: false, group: false, length: 2 },
    { name: 'KATAKANA', invoke: true, group: true, length: 0 },
    { name: 'ALPHA', invoke: true, group: true, length: 0 },
    { name: 'NUMERIC', invoke: true, group: true, length: 0 },
  ],
  ranges: [
    { low: 0x0020, high: 0x0020, categories: ['SPACE'] },
    { low: 0x0009, high: 0x0009, categories: ['SPACE'] },
    { low: 0x0030, high: 0x0039, categories: ['NUMERIC'] },
    { low: 0x0041, high: 0x005a, categories: ['ALPHA'] },
    { low: 0x0061, high: 0x007a, categories: ['ALPHA'] },
    { low: 0x30a1, high: 0x30ff, categories: ['KATAKANA'] },
    { low: 0x4e00, high: 0x9fff, categories: ['KANJI'] },
    // 〇 is both: a KANJI (its first category decides the unknown word) that runs on into digits.
    { low: 0x3007, high: 0x3007, categories: ['KANJI', 'NUMERIC'] },
  ],
};

let encoded: Record<MecabDictionaryFileName, Uint8Array> | undefined;

/** The four compiled files, encoded by gsv-edge's writers (once; each call gets its own copies). */
export function tinyDictionaryFiles(): Record<MecabDictionaryFileName, Uint8Array> {
  encoded ??= {
    'sys.dic': encodeMecabDictionary({ type: 'system', leftSize: MATRIX.leftSize, rightSize: MATRIX.rightSize, entries: TINY_LEXICON }),
    'unk.dic': encodeMecabDictionary({ type: 'unknown', leftSize: MATRIX.leftSize, rightSize: MATRIX.rightSize, entries: TINY_UNKNOWN }),
    'matrix.bin': encodeMatrix(MATRIX),
    'char.bin': encodeCharProperty(TINY_CHARS),
  };
  const { 'sys.dic': sys, 'unk.dic': unk, 'matrix.bin': matrix, 'char.bin': chars } = encoded;
  return { 'sys.dic': sys.slice(), 'unk.dic': unk.slice(), 'matrix.bin': matrix.slice(), 'char.bin': chars.slice() };
}

/** The user dictionary, compiled. */
export function tinyUserDictionary(): Uint8Array {
  return encodeMecabDictionary({ type: 'user', leftSize: MATRIX.leftSize, rightSize: MATRIX.rightSize, entries: TINY_USER_LEXICON });
}

export async function writeTinyDictionary(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const [name, bytes] of Object.entries(tinyDictionaryFiles())) await writeFile(join(dir, name), bytes);
}

const csv = (entries: readonly DictionaryEntry[]): string => entries.map((e) => `${e.surface},${e.leftId},${e.rightId},${e.cost},${e.feature}\n`).join('');
const hex = (code: number): string => `0x${code.toString(16).toUpperCase().padStart(4, '0')}`;

/** The same dictionary as MeCab's text sources, for `mecab-dict-index`. */
export function tinyDictionarySources(): Record<string, string> {
  const matrix = [`${MATRIX.leftSize} ${MATRIX.rightSize}`];
  for (let left = 0; left < MATRIX.leftSize; left++) {
    for (let right = 0; right < MATRIX.rightSize; right++) {
      const cost = MATRIX.costs.find(([l, r]) => l === left && r === right)?.[2] ?? 0;
      matrix.push(`${left} ${right} ${cost}`);
    }
  }
  const categories = TINY_CHARS.categories.map((c) => `${c.name} ${Number(c.invoke)} ${Number(c.group)} ${c.length}`);
  const ranges = TINY_CHARS.ranges.map((r) => `${r.low === r.high ? hex(r.low) : `${hex(r.low)}..${hex(r.high)}`} ${r.categories.join(' ')}`);
  return {
    'lex.csv': csv(TINY_LEXICON),
    'unk.def': csv(TINY_UNKNOWN),
    'char.def': `${[...categories, ...ranges].join('\n')}\n`,
    'matrix.def': `${matrix.join('\n')}\n`,
    // The compiler reads its settings from a dicrc; the analyser needs bos-feature.
    dicrc: 'cost-factor = 800\nbos-feature = BOS/EOS,*,*,*\n',
  };
}

/** The user dictionary's CSV (kept out of the folder: mecab-dict-index compiles every .csv there into sys.dic). */
export const tinyUserDictionarySource = (): string => csv(TINY_USER_LEXICON);
