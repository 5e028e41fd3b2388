/**
 * A compiled MeCab dictionary folder, as MeCab 0.996 (and OpenJTalk's copy of it) opens one: `sys.dic`, `unk.dic`,
 * `matrix.bin` and `char.bin`, plus any compiled user dictionaries. The `.def` files beside them are only for
 * compiling and are not read. Everything is checked against everything else when loaded, so a mismatched or
 * damaged folder fails here, naming the file, rather than giving wrong words later.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CharProperty } from './char-property.ts';
import { MecabDictionaryFile, type DictionaryType } from './dictionary-file.ts';
import { ConnectionMatrix } from './matrix.ts';

/** The files analysis reads, in the order they are checked. */
export const MECAB_DICTIONARY_FILES = ['sys.dic', 'unk.dic', 'matrix.bin', 'char.bin'] as const;
export type MecabDictionaryFileName = (typeof MECAB_DICTIONARY_FILES)[number];

export interface MecabDictionary {
  readonly system: MecabDictionaryFile;
  readonly unknown: MecabDictionaryFile;
  readonly matrix: ConnectionMatrix;
  readonly chars: CharProperty;
  /** Compiled user dictionaries, searched after the system dictionary in this order. */
  readonly users: readonly MecabDictionaryFile[];
}

export interface MecabDictionarySources {
  /** Each file's bytes and the name to use for it in errors (usually its path). */
  readonly files: Readonly<Record<MecabDictionaryFileName, { readonly bytes: Uint8Array; readonly name: string }>>;
  readonly users?: readonly { readonly bytes: Uint8Array; readonly name: string }[];
}

function expectType(file: MecabDictionaryFile, type: DictionaryType): MecabDictionaryFile {
  if (file.type !== type) throw new Error(`${file.file}: a MeCab ${file.type} dictionary where a ${type} dictionary belongs`);
  return file;
}

/** Builds and cross-checks a dictionary from the files' bytes. */
export function mecabDictionaryFromBytes(sources: MecabDictionarySources): MecabDictionary {
  const { files } = sources;
  const system = expectType(new MecabDictionaryFile(files['sys.dic'].bytes, files['sys.dic'].name), 'system');
  const unknown = expectType(new MecabDictionaryFile(files['unk.dic'].bytes, files['unk.dic'].name), 'unknown');
  const matrix = new ConnectionMatrix(files['matrix.bin'].bytes, files['matrix.bin'].name);
  const chars = new CharProperty(files['char.bin'].bytes, files['char.bin'].name);
  for (const dictionary of [system, unknown]) {
    if (dictionary.leftSize !== matrix.leftSize || dictionary.rightSize !== matrix.rightSize) {
      throw new Error(
        `${dictionary.file}: compiled against a ${dictionary.leftSize}×${dictionary.rightSize} connection matrix, but ` +
          `${files['matrix.bin'].name} is ${matrix.leftSize}×${matrix.rightSize} (files from different dictionaries?)`,
      );
    }
  }
  const users = (sources.users ?? []).map(({ bytes, name }) => {
    const user = expectType(new MecabDictionaryFile(bytes, name), 'user');
    // MeCab's Dictionary::isCompatible: same matrix sizes and charset as the system dictionary.
    if (user.leftSize !== system.leftSize || user.rightSize !== system.rightSize || user.charset.toLowerCase() !== system.charset.toLowerCase()) {
      throw new Error(`${name}: a user dictionary compiled for another system dictionary (matrix or charset differ from ${system.file})`);
    }
    return user;
  });
  return { system, unknown, matrix, chars, users };
}

async function readNamed(path: string, what: string): Promise<{ bytes: Uint8Array; name: string }> {
  try {
    return { bytes: await readFile(path), name: path };
  } catch (error) {
    throw new Error(`${path}: cannot read ${what} (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
}

/** Reads the dictionary folder `dir` (and compiled user dictionaries, by path). */
export async function loadMecabDictionary(dir: string, userDictionaries: readonly string[] = []): Promise<MecabDictionary> {
  const entries = await Promise.all(MECAB_DICTIONARY_FILES.map(async (name) => [name, await readNamed(join(dir, name), 'the MeCab dictionary')] as const));
  const files = Object.fromEntries(entries) as Record<MecabDictionaryFileName, { bytes: Uint8Array; name: string }>;
  const users = await Promise.all(userDictionaries.map((path) => readNamed(path, 'the MeCab user dictionary')));
  return mecabDictionaryFromBytes({ files, users });
}
