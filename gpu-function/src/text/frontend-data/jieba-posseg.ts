/**
 * jieba posseg's POS HMM from the user's Python packages (`jieba_fast/posseg/` as GPT-SoVITS installs it, or
 * `jieba/posseg/`): each of its four tables from the pickle jieba keeps (`prob_start.p`, ...) or, where a package
 * ships only the modules CPython imports, from the Python literal (`prob_start.py`: `P = {...}`). Both are read as
 * data (the safe unpickler, the literal parser), never run. Written into the bundle as one JSON file, loaded back
 * with {@link decodePossegHmm}.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unpickle } from '../../checkpoint/pickle-reader.ts';
import { PyDict, PyTuple, type PickleValue } from '../../checkpoint/pickle-values.ts';
import { compilePossegHmm, type PossegHmm, type PossegHmmTables } from '../zh/posseg/hmm.ts';
import { isFile } from './locate.ts';
import { pythonAssignment, type PythonLiteral } from './python-literal.ts';

/** The four tables and the module names jieba gives them. */
export const POSSEG_TABLES = {
  start: 'prob_start',
  trans: 'prob_trans',
  emit: 'prob_emit',
  charStates: 'char_state_tab',
} as const satisfies Record<keyof PossegHmmTables, string>;

/** The packages looked in, in order: GPT-SoVITS imports jieba_fast's. */
export const POSSEG_PACKAGES = ['jieba_fast/posseg', 'jieba/posseg'] as const;

/** A dict, tuple or list from either reader, in one plain form. */
type Plain = string | number | Plain[] | Map<Plain, Plain> | null;

function fromPickle(value: PickleValue, file: string): Plain {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  if (value instanceof PyDict) return new Map([...value].map(([k, v]) => [fromPickle(k, file), fromPickle(v, file)]));
  if (value instanceof PyTuple) return value.items.map((item) => fromPickle(item, file));
  if (Array.isArray(value)) return value.map((item) => fromPickle(item, file));
  throw new Error(`${file}: holds a value that is not a number, string, tuple, list or dict`);
}

function fromLiteral(value: PythonLiteral, file: string): Plain {
  if (value === null || typeof value === 'string' || typeof value === 'number') return value;
  if (typeof value === 'boolean') throw new Error(`${file}: holds a boolean where jieba's tables have none`);
  if (value.kind === 'dict') return new Map(value.entries.map(([k, v]) => [fromLiteral(k, file), fromLiteral(v, file)]));
  return value.items.map((item) => fromLiteral(item, file));
}

function dictOf(value: Plain, file: string, what: string): Map<Plain, Plain> {
  if (!(value instanceof Map)) throw new Error(`${file}: ${what} is not a dict`);
  return value;
}

/** `('B', 'a')` → `"B a"`. */
function stateName(value: Plain, file: string): string {
  if (!Array.isArray(value) || value.length !== 2 || typeof value[0] !== 'string' || typeof value[1] !== 'string') {
    throw new Error(`${file}: a state is not a (position, tag) pair of strings`);
  }
  return `${value[0]} ${value[1]}`;
}

function probability(value: Plain, file: string): number {
  if (typeof value !== 'number') throw new Error(`${file}: a probability is not a number`);
  return value;
}

function stateTable<T>(value: Plain, file: string, read: (entry: Plain) => T): Record<string, T> {
  const table: Record<string, T> = {};
  for (const [key, entry] of dictOf(value, file, 'P')) table[stateName(key, file)] = read(entry);
  return table;
}

const CONVERT: { readonly [K in keyof PossegHmmTables]: (value: Plain, file: string) => PossegHmmTables[K] } = {
  start: (value, file) => stateTable(value, file, (p) => probability(p, file)),
  trans: (value, file) => stateTable(value, file, (row) => stateTable(row, file, (p) => probability(p, file))),
  emit: (value, file) =>
    stateTable(value, file, (row) => {
      const emissions: Record<string, number> = {};
      for (const [char, p] of dictOf(row, file, 'an emission row')) {
        if (typeof char !== 'string') throw new Error(`${file}: an emission key is not a character`);
        emissions[char] = probability(p, file);
      }
      return emissions;
    }),
  charStates: (value, file) => {
    const table: Record<string, string[]> = {};
    for (const [char, states] of dictOf(value, file, 'P')) {
      if (typeof char !== 'string' || !Array.isArray(states)) throw new Error(`${file}: an entry is not character → states`);
      table[char] = states.map((state) => stateName(state, file));
    }
    return table;
  },
};

async function readTable(dir: string, name: string): Promise<{ value: Plain; file: string }> {
  const pickled = join(dir, `${name}.p`);
  if (await isFile(pickled)) {
    try {
      return { value: fromPickle(unpickle(await readFile(pickled), { globals: new Map() }), pickled), file: pickled };
    } catch (error) {
      throw new Error(`${pickled}: not a readable pickle of jieba's table (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
  }
  const module = join(dir, `${name}.py`);
  if (await isFile(module)) return { value: fromLiteral(pythonAssignment(await readFile(module, 'utf8'), module, 'P'), module), file: module };
  throw new Error(`${dir}: neither ${name}.p nor ${name}.py is there`);
}

/** Reads and checks the four tables in a posseg folder; resolves to them and the files read. */
export async function readPossegFolder(dir: string): Promise<{ tables: PossegHmmTables; files: string[] }> {
  const files: string[] = [];
  const read = async <K extends keyof PossegHmmTables>(key: K): Promise<PossegHmmTables[K]> => {
    const { value, file } = await readTable(dir, POSSEG_TABLES[key]);
    files.push(file);
    return CONVERT[key](value, file);
  };
  const tables: PossegHmmTables = { start: await read('start'), trans: await read('trans'), emit: await read('emit'), charStates: await read('charStates') };
  compilePossegHmm(tables, dir);
  return { tables, files };
}

export function encodePossegHmm(tables: PossegHmmTables): string {
  return `${JSON.stringify({ start: tables.start, trans: tables.trans, emit: tables.emit, char_states: tables.charStates })}\n`;
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function numberRecord(value: unknown, file: string, what: string): Record<string, number> {
  if (!isRecord(value) || !Object.values(value).every((p) => typeof p === 'number')) throw new Error(`${file}: ${what} is not an object of numbers`);
  return value as Record<string, number>;
}

function recordOf<T>(value: unknown, file: string, what: string, read: (entry: unknown, key: string) => T): Record<string, T> {
  if (!isRecord(value)) throw new Error(`${file}: ${what} is not an object`);
  return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, read(entry, key)]));
}

/** The bundle's `frontend/zh/posseg-hmm.json`, checked and indexed. */
export function decodePossegHmm(text: string, file: string): PossegHmm {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  if (!isRecord(value)) throw new Error(`${file}: expected an object with start, trans, emit and char_states`);
  const tables: PossegHmmTables = {
    start: numberRecord(value['start'], file, 'start'),
    trans: recordOf(value['trans'], file, 'trans', (row, key) => numberRecord(row, file, `trans["${key}"]`)),
    emit: recordOf(value['emit'], file, 'emit', (row, key) => numberRecord(row, file, `emit["${key}"]`)),
    charStates: recordOf(value['char_states'], file, 'char_states', (states, key) => {
      if (!Array.isArray(states) || !states.every((state) => typeof state === 'string')) throw new Error(`${file}: char_states["${key}"] is not a list of states`);
      return states;
    }),
  };
  return compilePossegHmm(tables, file);
}
