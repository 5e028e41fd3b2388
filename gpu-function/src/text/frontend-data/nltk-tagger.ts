/**
 * NLTK's averaged perceptron tagger weights from the user's NLTK data, in either form NLTK has shipped them:
 * `taggers/averaged_perceptron_tagger_eng/averaged_perceptron_tagger_eng.{weights,tagdict,classes}.json` (NLTK
 * 3.8.2 and later) or `taggers/averaged_perceptron_tagger/averaged_perceptron_tagger.pickle` (earlier releases: a
 * pickled `(weights, tagdict, classes)` of plain dicts and a set, read by the safe unpickler, nothing executed).
 * Written into the bundle as one JSON file and loaded back with {@link decodePerceptronTagger}.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { unpickle, type GlobalHandler } from '../../checkpoint/pickle-reader.ts';
import { describePickleValue, PyDict, PySet, PyTuple, type PickleValue } from '../../checkpoint/pickle-values.ts';
import type { PerceptronTaggerData } from '../en/perceptron-tagger.ts';

export const NLTK_TAGGER_JSON = ['weights', 'tagdict', 'classes'].map(
  (part) => `taggers/averaged_perceptron_tagger_eng/averaged_perceptron_tagger_eng.${part}.json`,
);
export const NLTK_TAGGER_PICKLE = 'taggers/averaged_perceptron_tagger/averaged_perceptron_tagger.pickle';

/** Python 2 pickles carry `str` as bytes; NLTK's tagger holds ASCII text, read as Latin-1 like `encoding='latin1'`. */
function text(value: PickleValue, file: string, what: string): string {
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  throw new Error(`${file}: ${what} is a ${describePickleValue(value)}, not a string`);
}

function checked(weights: Map<string, Map<string, number>>, tagdict: Map<string, string>, classes: string[], file: string): PerceptronTaggerData {
  if (classes.length === 0) throw new Error(`${file}: the tagger has no classes`);
  const known = new Set(classes);
  for (const [feature, row] of weights) {
    for (const label of row.keys()) if (!known.has(label)) throw new Error(`${file}: weights["${feature}"] names "${label}", which is not a class`);
  }
  return { weights, tagdict, classes };
}

/**
 * `set(iterable)`: NLTK's pickle was written by Python 2 at protocol 2, which has no set opcodes, so `classes` is
 * stored as a call of the builtin `set` on a list (`c__builtin__ set`, a list, REDUCE; Python 3 names it
 * `builtins.set`). Building a set from a list of plain values is data, not code, so this one global is allowed.
 */
const SET_FROM_ITERABLE: GlobalHandler = {
  kind: 'function',
  call: (args) => {
    if (args.length === 0) return new PySet([], false);
    const [items] = args;
    if (args.length !== 1 || !(Array.isArray(items) || items instanceof PyTuple || items instanceof PySet)) {
      throw new Error(`set() takes one list, tuple or set, got ${args.map((arg) => describePickleValue(arg)).join(', ')}`);
    }
    return new PySet(Array.isArray(items) ? [...items] : [...items.items], false);
  },
};
const TAGGER_GLOBALS: ReadonlyMap<string, GlobalHandler> = new Map([
  ['__builtin__.set', SET_FROM_ITERABLE],
  ['builtins.set', SET_FROM_ITERABLE],
]);

/** The pickled `(weights, tagdict, classes)` tuple. */
export async function readTaggerPickle(file: string): Promise<PerceptronTaggerData> {
  let value: PickleValue;
  try {
    value = unpickle(await readFile(file), { globals: TAGGER_GLOBALS });
  } catch (error) {
    throw new Error(`${file}: not a readable pickle of plain values (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  const [weights, tagdict, classes] = value instanceof PyTuple ? value.items : [];
  if (!(weights instanceof PyDict) || !(tagdict instanceof PyDict) || !(classes instanceof PySet)) {
    throw new Error(`${file}: expected a pickled (weights dict, tagdict dict, classes set) tuple`);
  }
  const weightMap = new Map<string, Map<string, number>>();
  for (const [feature, row] of weights) {
    if (!(row instanceof PyDict)) throw new Error(`${file}: the weights of ${text(feature, file, 'a feature')} are not a dict`);
    const labels = new Map<string, number>();
    for (const [label, weight] of row) {
      if (typeof weight !== 'number') throw new Error(`${file}: a weight is not a number`);
      labels.set(text(label, file, 'a label'), weight);
    }
    weightMap.set(text(feature, file, 'a feature'), labels);
  }
  const tags = new Map<string, string>();
  for (const [word, tag] of tagdict) tags.set(text(word, file, 'a tagdict word'), text(tag, file, 'a tagdict tag'));
  return checked(weightMap, tags, classes.items.map((label) => text(label, file, 'a class')), file);
}

function parseJson(source: string, file: string): unknown {
  try {
    return JSON.parse(source);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function fromJson(weights: unknown, tagdict: unknown, classes: unknown, file: string): PerceptronTaggerData {
  if (!isRecord(weights)) throw new Error(`${file}: weights is not an object`);
  if (!isRecord(tagdict) || !Object.values(tagdict).every((tag) => typeof tag === 'string')) throw new Error(`${file}: tagdict is not an object of tags`);
  if (!Array.isArray(classes) || !classes.every((label) => typeof label === 'string')) throw new Error(`${file}: classes is not a list of tags`);
  const weightMap = new Map<string, Map<string, number>>();
  for (const [feature, row] of Object.entries(weights)) {
    if (!isRecord(row) || !Object.values(row).every((weight) => typeof weight === 'number')) throw new Error(`${file}: weights["${feature}"] is not an object of numbers`);
    weightMap.set(feature, new Map(Object.entries(row as Record<string, number>)));
  }
  return checked(weightMap, new Map(Object.entries(tagdict as Record<string, string>)), classes, file);
}

/** NLTK 3.8.2+'s three JSON files (paths in {@link NLTK_TAGGER_JSON} order). */
export async function readTaggerJson(files: readonly string[]): Promise<PerceptronTaggerData> {
  const [weights, tagdict, classes] = await Promise.all(files.map(async (file) => parseJson(await readFile(file, 'utf8'), file)));
  return fromJson(weights, tagdict, classes, files.join(', '));
}

export function encodePerceptronTagger(data: PerceptronTaggerData): string {
  const weights = Object.fromEntries([...data.weights].map(([feature, row]) => [feature, Object.fromEntries(row)]));
  return `${JSON.stringify({ weights, tagdict: Object.fromEntries(data.tagdict), classes: data.classes })}\n`;
}

/** The bundle's `frontend/en/averaged-perceptron.json`. */
export function decodePerceptronTagger(source: string, file: string): PerceptronTaggerData {
  const value = parseJson(source, file);
  if (!isRecord(value)) throw new Error(`${file}: expected an object with weights, tagdict and classes`);
  return fromJson(value['weights'], value['tagdict'], value['classes'], file);
}
