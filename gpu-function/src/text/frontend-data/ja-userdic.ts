/**
 * GPT-SoVITS's Japanese user dictionary: when `GPT_SoVITS/text/ja_userdic/userdict.csv` exists, japanese.py compiles
 * it at import with `pyopenjtalk.mecab_dict_index` (against pyopenjtalk's dictionary) and reads every sentence with
 * it (`update_global_jtalk_with_user_dict`). The bundle carries the CSV verbatim with the dictionary folder's `.def`
 * files that compiling reads (context ids for entries that leave them empty, POS ids for all), and the user
 * dictionary is compiled when the bundle is loaded, byte for byte as pyopenjtalk compiles it. A CSV that
 * pyopenjtalk could not compile (OpenJTalk's MeCab crashes on those) fails the bundle, naming the line.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { compileUserDictionary, type DictionaryDefinitions } from '../ja/mecab/compile/index.ts';
import { MecabDictionaryFile } from '../ja/mecab/dictionary-file.ts';
import type { MecabDictionary } from '../ja/mecab/index.ts';
import { OPEN_JTALK_DIC_DIR } from './open-jtalk-dic.ts';

/** The CSV, relative to GPT-SoVITS's text folder. */
export const JA_USERDIC_CSV = 'ja_userdic/userdict.csv';
/** The `.def` files, in catalog order. */
export const DICTIONARY_DEFINITION_NAMES = ['rewrite.def', 'left-id.def', 'right-id.def', 'pos-id.def'] as const;
/** The same, relative to site-packages. */
export const DICTIONARY_DEFINITION_FILES: readonly string[] = DICTIONARY_DEFINITION_NAMES.map((name) => `${OPEN_JTALK_DIC_DIR}/${name}`);

const KEYS: Readonly<Record<(typeof DICTIONARY_DEFINITION_NAMES)[number], keyof DictionaryDefinitions>> = {
  'rewrite.def': 'rewrite',
  'left-id.def': 'leftId',
  'right-id.def': 'rightId',
  'pos-id.def': 'posId',
};

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The system dictionary with the user dictionary compiled from the CSV and `.def` files (in catalog order: the
 * CSV, then rewrite.def, left-id.def, right-id.def, pos-id.def, each named by its path in errors).
 */
export function withUserDictionary(mecab: MecabDictionary, files: readonly { readonly path: string; readonly bytes: Uint8Array }[]): MecabDictionary {
  const [csv, ...defs] = files;
  if (csv === undefined) throw new Error('ja_userdic: userdict.csv is missing');
  const definitions: Partial<Record<keyof DictionaryDefinitions, string>> = {};
  for (const file of defs) {
    const name = basename(file.path);
    if (!(name in KEYS)) throw new Error(`${file.path}: not one of the dictionary's .def files (${DICTIONARY_DEFINITION_NAMES.join(', ')})`);
    const key = KEYS[name as keyof typeof KEYS];
    try {
      definitions[key] = decoder.decode(file.bytes);
    } catch (error) {
      throw new Error(`${file.path}: not UTF-8 (OpenJTalk's dictionary is UTF-8)`, { cause: error });
    }
  }
  const user = compileUserDictionary(csv.bytes, mecab, definitions, csv.path);
  // Compiled from the CSV at `csv.path`; errors in the compiled form (none expected) name that file.
  return { ...mecab, users: [...mecab.users, new MecabDictionaryFile(user, `${csv.path} (compiled)`)] };
}

/** Compiles at bundle time, so a CSV pyopenjtalk could not compile fails the bundle rather than the server. */
export async function checkUserDictionary(mecab: MecabDictionary, paths: readonly string[]): Promise<void> {
  const files = [];
  for (const path of paths) files.push({ path, bytes: await readFile(path) });
  withUserDictionary(mecab, files);
}
