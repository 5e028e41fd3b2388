/**
 * pyopenjtalk's compiled MeCab dictionary (OpenJTalk 1.11's NAIST-JDIC), which pyopenjtalk downloads into its
 * package folder on first use (`pyopenjtalk/open_jtalk_dic_utf_8-1.11/`). The four files MeCab's analysis reads
 * are copied into the bundle verbatim and checked completely, both when bundling and when loading, by the analyser's
 * own readers.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { MECAB_DICTIONARY_FILES, mecabDictionaryFromBytes, type MecabDictionary, type MecabDictionaryFileName } from '../ja/mecab/index.ts';

/** The dictionary folder inside a site-packages folder. */
export const OPEN_JTALK_DIC_DIR = 'pyopenjtalk/open_jtalk_dic_utf_8-1.11';
/** Its files, relative to site-packages, in catalog order (sys.dic, unk.dic, matrix.bin, char.bin). */
export const OPEN_JTALK_DIC_FILES: readonly string[] = MECAB_DICTIONARY_FILES.map((name) => `${OPEN_JTALK_DIC_DIR}/${name}`);

/** Builds the dictionary from its four files' bytes (in catalog order), each named by its path in errors. */
export function openJtalkDictionary(files: readonly { readonly path: string; readonly bytes: Uint8Array }[]): MecabDictionary {
  const byName = new Map(files.map((file) => [basename(file.path), file]));
  const entries = MECAB_DICTIONARY_FILES.map((name) => {
    const file = byName.get(name);
    if (file === undefined) throw new Error(`pyopenjtalk's dictionary: ${name} is missing`);
    return [name, { bytes: file.bytes, name: file.path }] as const;
  });
  return mecabDictionaryFromBytes({ files: Object.fromEntries(entries) as Record<MecabDictionaryFileName, { bytes: Uint8Array; name: string }> });
}

/** Reads and checks the files at `paths` (bundle time). */
export async function readOpenJtalkDictionary(paths: readonly string[]): Promise<MecabDictionary> {
  const files = [];
  for (const path of paths) files.push({ path, bytes: await readFile(path) });
  return openJtalkDictionary(files);
}
