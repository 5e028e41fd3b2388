/**
 * Readers for the files of GPT-SoVITS's `GPT_SoVITS/text` folder, each read the way GPT-SoVITS reads it: the word
 * lists of tone_sandhi.py and chinese2.py (Python set literals), english.py's dictionary (`read_dict_new` over
 * cmudict.rep and cmudict-fast.rep, or the engdict_cache.pickle it prefers when present, then `hot_reload_hot` with
 * engdict-hot.rep), its name dictionary (namedict_cache.pickle) and zh_normalization/char_convert.py's two strings.
 * Errors name the file.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { unpickle } from '../../checkpoint/pickle-reader.ts';
import { formatPickleValue, PyDict, PyTuple, type PickleValue } from '../../checkpoint/pickle-values.ts';
import { charConvertTable } from '../normalize/char-convert.ts';
import { pythonAssignment, stringCollection } from './python-literal.ts';

export const TONE_SANDHI_LISTS = ['must_neural_tone_words', 'must_not_neural_tone_words'] as const;
export const ERHUA_LISTS = ['must_erhua', 'not_erhua'] as const;

async function namedLists<Name extends string>(file: string, names: readonly Name[], prefix: string): Promise<Record<Name, string[]>> {
  const source = await readFile(file, 'utf8');
  const lists = {} as Record<Name, string[]>;
  for (const name of names) lists[name] = stringCollection(pythonAssignment(source, file, prefix + name), file, prefix + name);
  return lists;
}

/** `ToneSandhi.__init__`'s `self.must_neural_tone_words` and `self.must_not_neural_tone_words`. */
export function readToneSandhiWords(file: string): Promise<Record<(typeof TONE_SANDHI_LISTS)[number], string[]>> {
  return namedLists(file, TONE_SANDHI_LISTS, 'self.');
}

/** chinese2.py's module-level `must_erhua` and `not_erhua`. */
export function readErhuaWords(file: string): Promise<Record<(typeof ERHUA_LISTS)[number], string[]>> {
  return namedLists(file, ERHUA_LISTS, '');
}

export const CHAR_CONVERT_STRINGS = ['simplified_charcters', 'traditional_characters'] as const;

/**
 * char_convert.py's `simplified_charcters` and `traditional_characters` (sic): two string literals whose i-th
 * characters pair up; checked by building the table from them.
 */
export async function readCharConvert(file: string): Promise<{ simplified: string; traditional: string }> {
  const source = await readFile(file, 'utf8');
  const [simplified, traditional] = CHAR_CONVERT_STRINGS.map((name) => {
    const value = pythonAssignment(source, file, name);
    if (typeof value !== 'string' || value === '') throw new Error(`${file}: ${name} is not a non-empty string`);
    return value;
  });
  charConvertTable(simplified ?? '', traditional ?? '', file);
  return { simplified: simplified ?? '', traditional: traditional ?? '' };
}

/** The lines Python's text-mode file iteration yields (universal newlines), without their line breaks. */
export function pythonLines(text: string): string[] {
  const lines = text.split(/\r\n|\r|\n/u);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

/** `read_dict_new`: cmudict.rep from line 57 on ("WORD  PH PH"), then words cmudict-fast.rep adds ("WORD PH PH"). */
export function readDictNew(cmudict: string, cmudictFile: string, fast: string): Map<string, string[]> {
  const entries = new Map<string, string[]>();
  pythonLines(cmudict).forEach((raw, index) => {
    if (index + 1 < 57) return;
    const fields = raw.trim().split('  ');
    const [word, phones] = fields;
    // english.py would fail here with an IndexError.
    if (word === undefined || phones === undefined) throw new Error(`${cmudictFile}:${index + 1}: expected "WORD  PHONES", found ${JSON.stringify(raw)}`);
    entries.set(word.toLowerCase(), phones.split(' '));
  });
  for (const raw of pythonLines(fast)) {
    const [word = '', ...phones] = raw.trim().split(' ');
    if (!entries.has(word.toLowerCase())) entries.set(word.toLowerCase(), phones);
  }
  return entries;
}

/** `hot_reload_hot`: engdict-hot.rep's words replace the dictionary's. */
export function applyHotWords(entries: Map<string, readonly string[]>, hot: string): void {
  for (const raw of pythonLines(hot)) {
    const [word = '', ...phones] = raw.trim().split(' ');
    entries.set(word.toLowerCase(), phones);
  }
}

const items = (value: PickleValue | undefined): readonly PickleValue[] | undefined =>
  Array.isArray(value) ? value : value instanceof PyTuple ? value.items : undefined;

/**
 * A pickled `{word: [[phones], ...]}` (engdict_cache.pickle, namedict_cache.pickle), reduced to the first
 * pronunciation of each word, the only one english.py reads (`self.cmu[word][0]`). Nothing in the pickle runs:
 * no Python global is allowed.
 */
export async function readPickledPronunciations(file: string): Promise<Map<string, string[]>> {
  let value: PickleValue;
  try {
    value = unpickle(await readFile(file), { globals: new Map() });
  } catch (error) {
    throw new Error(`${file}: not a readable pickle of plain values (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  if (!(value instanceof PyDict)) throw new Error(`${file}: expected a pickled dict of word → pronunciations`);
  const entries = new Map<string, string[]>();
  for (const [word, pronunciations] of value) {
    const first = items(items(pronunciations)?.[0]);
    if (typeof word !== 'string' || first === undefined || !first.every((phone) => typeof phone === 'string')) {
      throw new Error(`${file}: entry ${formatPickleValue(word)} is not word → [[phones]]`);
    }
    entries.set(word, first as string[]);
  }
  if (entries.size === 0) throw new Error(`${file}: the dictionary is empty`);
  return entries;
}
