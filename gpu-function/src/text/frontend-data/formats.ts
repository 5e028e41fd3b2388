/**
 * The JSON forms frontend data takes inside a bundle (see catalog.ts), written at bundle time and checked when
 * loaded: named word lists, and word → phones dictionaries. A file that does not have the expected shape is an
 * error naming it.
 * @module
 */

export type WordLists<Name extends string> = Readonly<Record<Name, readonly string[]>>;

/** Sorted, so the same lists always make the same bytes (and the same SHA-256 in the manifest). */
export function encodeWordLists<Name extends string>(lists: WordLists<Name>): string {
  const sorted = Object.fromEntries(Object.entries<readonly string[]>(lists).map(([name, words]) => [name, [...new Set(words)].sort()]));
  return `${JSON.stringify(sorted, null, 1)}\n`;
}

function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item: unknown) => typeof item === 'string');

export function decodeWordLists<Name extends string>(text: string, file: string, names: readonly Name[]): Record<Name, ReadonlySet<string>> {
  const value = parseJson(text, file);
  if (!isRecord(value)) throw new Error(`${file}: expected an object of word lists`);
  const extra = Object.keys(value).filter((key) => !(names as readonly string[]).includes(key));
  if (extra.length > 0) throw new Error(`${file}: unexpected list ${extra.join(', ')}`);
  const lists = {} as Record<Name, ReadonlySet<string>>;
  for (const name of names) {
    const words = value[name];
    if (!isStringArray(words)) throw new Error(`${file}: ${name} is missing or not a list of strings`);
    lists[name] = new Set(words);
  }
  return lists;
}

/** Word → phones, keys in sorted order. */
export function encodePronunciations(entries: ReadonlyMap<string, readonly string[]>): string {
  const sorted = [...entries.keys()].sort();
  const lines = sorted.map((word) => `${JSON.stringify(word)}:${JSON.stringify(entries.get(word))}`);
  return `{\n${lines.join(',\n')}\n}\n`;
}

export function decodePronunciations(text: string, file: string): Map<string, readonly string[]> {
  const value = parseJson(text, file);
  if (!isRecord(value)) throw new Error(`${file}: expected an object of word → phones`);
  const entries = new Map<string, readonly string[]>();
  for (const [word, phones] of Object.entries(value)) {
    if (!isStringArray(phones)) throw new Error(`${file}: the phones of ${JSON.stringify(word)} are not a list of strings`);
    entries.set(word, phones);
  }
  return entries;
}
