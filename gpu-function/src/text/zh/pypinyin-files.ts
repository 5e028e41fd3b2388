/**
 * Reads pypinyin's two dictionaries out of a `pypinyin` package folder, in either form a release ships: JSON
 * (`pinyin_dict.json`, `phrases_dict.json`, pypinyin ≥ 0.52) or Python literals (`pinyin_dict.py`,
 * `phrases_dict.py`, earlier releases). Every entry is checked; a malformed file is an error naming it.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pythonAssignment, type PythonLiteral } from '../frontend-data/python-literal.ts';
import type { PypinyinDictionaries } from './pypinyin-source.ts';

export interface PypinyinFolder {
  readonly dictionaries: PypinyinDictionaries;
  /** The files read, as absolute paths: the JSON pair or the `.py` pair. */
  readonly files: readonly string[];
  readonly format: 'json' | 'python';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `pinyin_dict`: decimal code point → comma-separated tone-marked readings. */
export function checkPinyinDict(value: unknown, file: string): Record<string, string> {
  if (!isRecord(value)) throw new Error(`${file}: pinyin_dict is not an object`);
  for (const [key, readings] of Object.entries(value)) {
    if (!/^[1-9][0-9]*$/u.test(key) || typeof readings !== 'string' || readings === '') {
      throw new Error(`${file}: entry ${JSON.stringify(key)} is not "code point": "readings"`);
    }
  }
  if (Object.keys(value).length === 0) throw new Error(`${file}: pinyin_dict is empty`);
  return value as Record<string, string>;
}

/** `phrases_dict`: phrase → one list of tone-marked readings per character. */
export function checkPhrasesDict(value: unknown, file: string): Record<string, string[][]> {
  if (!isRecord(value)) throw new Error(`${file}: phrases_dict is not an object`);
  for (const [phrase, readings] of Object.entries(value)) {
    const valid =
      Array.isArray(readings) &&
      readings.length > 0 &&
      readings.every((options: unknown) => Array.isArray(options) && options.length > 0 && options.every((reading: unknown) => typeof reading === 'string'));
    if (!valid) throw new Error(`${file}: entry ${JSON.stringify(phrase)} is not a list of reading lists`);
  }
  if (Object.keys(value).length === 0) throw new Error(`${file}: phrases_dict is empty`);
  return value as Record<string, string[][]>;
}

function parseJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/** A plain JS value of a Python literal: dict keys become strings, lists / tuples / sets become arrays. */
function plain(value: PythonLiteral, file: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value.kind !== 'dict') return value.items.map((item) => plain(item, file));
  const out: Record<string, unknown> = {};
  for (const [key, item] of value.entries) {
    if (typeof key !== 'string' && typeof key !== 'number') throw new Error(`${file}: a dict key is not a string or an integer`);
    out[String(key)] = plain(item, file);
  }
  return out;
}

function fromPython(file: string, name: string): unknown {
  return plain(pythonAssignment(readFileSync(file, 'utf8'), file, name), file);
}

/** The dictionaries of the pypinyin package at `dir`; JSON wins where a release ships both. */
export function readPypinyinFolder(dir: string): PypinyinFolder {
  const json = [join(dir, 'pinyin_dict.json'), join(dir, 'phrases_dict.json')] as const;
  if (json.every((file) => existsSync(file))) {
    return {
      dictionaries: { pinyinDict: checkPinyinDict(parseJson(json[0]), json[0]), phrasesDict: checkPhrasesDict(parseJson(json[1]), json[1]) },
      files: json,
      format: 'json',
    };
  }
  const python = [join(dir, 'pinyin_dict.py'), join(dir, 'phrases_dict.py')] as const;
  const missing = python.filter((file) => !existsSync(file));
  if (missing.length > 0) throw new Error(`${dir} is not a pypinyin package folder: neither pinyin_dict.json + phrases_dict.json nor ${missing.join(', ')}`);
  return {
    dictionaries: {
      pinyinDict: checkPinyinDict(fromPython(python[0], 'pinyin_dict'), python[0]),
      phrasesDict: checkPhrasesDict(fromPython(python[1], 'phrases_dict'), python[1]),
    },
    files: python,
    format: 'python',
  };
}
