/**
 * The G2PW model's side files, parsed as `_G2PWBaseOnnxConverter.__init__` does: phoneme labels and per-character
 * label masks from POLYPHONIC_CHARS.txt, the monophonic dictionary, bopomofo → pinyin, the config flags, and the
 * optional GPT-SoVITS polyphone post-fix dictionary.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inspectG2pwFolder } from './folder.ts';

export interface G2pwAssets {
  /** Sorted labels the model's output columns stand for (bopomofo with tone, or "char bopomofo"). */
  readonly labels: readonly string[];
  /** Label indices each polyphonic character may take. */
  readonly charPhonemes: ReadonlyMap<string, readonly number[]>;
  /** Characters the model is asked about, minus GPT-SoVITS's `non_polyphonic` list. */
  readonly polyphonicChars: ReadonlySet<string>;
  /** `char2id`: index of each polyphonic character in the sorted character list. */
  readonly charIds: ReadonlyMap<string, number>;
  /** Monophonic character → bopomofo with tone. */
  readonly monophonic: ReadonlyMap<string, string>;
  /** Bopomofo without tone → pinyin without tone. */
  readonly bopomofoToPinyin: ReadonlyMap<string, string>;
  readonly useMask: boolean;
  readonly useCharPhoneme: boolean;
  /** `polyphonic.rep` + `polyphonic-fix.rep` (word → TONE3 readings), empty when the folder has neither. */
  readonly polyphonicFix: ReadonlyMap<string, readonly string[]>;
}

/** Characters GPT-SoVITS never sends to the model, and monophonic entries it ignores. */
const NON_POLYPHONIC = new Set(Array.from('一不和咋嗲剖差攢倒難奔勁拗肖瘙誒泊听噢'));
const NON_MONOPHONIC = new Set(['似', '攢']);

function tabLines(text: string, file: string): [string, string][] {
  return text
    .trim()
    .split('\n')
    .map((line) => {
      const [char, phoneme] = line.replace(/\r$/, '').split('\t');
      if (char === undefined || phoneme === undefined) throw new Error(`${file}: line "${line}" is not "char<TAB>bopomofo"`);
      return [char, phoneme];
    });
}

/** `config.py` is Python; only the two boolean flags matter here (defaults as g2pW's `default_config_dict`). */
export function parseConfigFlags(source: string): { useMask: boolean; useCharPhoneme: boolean } {
  const flag = (name: string, fallback: boolean): boolean => {
    const match = new RegExp(`^\\s*${name}\\s*=\\s*(True|False)\\b`, 'm').exec(source);
    return match ? match[1] === 'True' : fallback;
  };
  return { useMask: flag('use_mask', true), useCharPhoneme: flag('use_char_phoneme', false) };
}

/** Lines like `湖泊: ['hu2','po1']`; later lines win, as `read_dict` does. */
export function parsePolyphonicRep(text: string, into = new Map<string, readonly string[]>()): Map<string, readonly string[]> {
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const readings = Array.from(line.slice(colon + 1).matchAll(/'([^']*)'|"([^"]*)"/g), (m) => m[1] ?? m[2] ?? '');
    into.set(line.slice(0, colon).trim(), readings);
  }
  return into;
}

/** Where each text came from, for error messages. */
export interface G2pwAssetNames {
  readonly polyphonicChars: string;
  readonly monophonicChars: string;
}

export function buildG2pwAssets(
  files: {
    polyphonicChars: string;
    monophonicChars: string;
    bopomofoToPinyin: Readonly<Record<string, string>>;
    config: string;
    polyphonicRep?: readonly string[];
  },
  names: G2pwAssetNames = { polyphonicChars: 'POLYPHONIC_CHARS.txt', monophonicChars: 'MONOPHONIC_CHARS.txt' },
): G2pwAssets {
  const { useMask, useCharPhoneme } = parseConfigFlags(files.config);
  if (files.polyphonicChars.trim() === '') throw new Error(`${names.polyphonicChars}: no polyphonic characters in it`);
  const pairs = tabLines(files.polyphonicChars, names.polyphonicChars);
  for (const [, phoneme] of pairs) if (!/[1-5]$/u.test(phoneme)) throw new Error(`${names.polyphonicChars}: "${phoneme}" does not end in a tone digit 1-5`);
  const labelOf = ([char, phoneme]: [string, string]): string => (useCharPhoneme ? `${char} ${phoneme}` : phoneme);
  const labels = [...new Set(pairs.map(labelOf))].sort();
  const labelIndex = new Map(labels.map((label, i) => [label, i]));
  const charPhonemes = new Map<string, number[]>();
  for (const pair of pairs) {
    const list = charPhonemes.get(pair[0]) ?? [];
    list.push(labelIndex.get(labelOf(pair)) as number);
    charPhonemes.set(pair[0], list);
  }
  const chars = [...charPhonemes.keys()].sort();
  const monophonic = new Map(tabLines(files.monophonicChars, names.monophonicChars).filter(([char]) => !NON_MONOPHONIC.has(char)));
  const polyphonicFix = new Map<string, readonly string[]>();
  for (const text of files.polyphonicRep ?? []) parsePolyphonicRep(text, polyphonicFix);
  return {
    labels,
    charPhonemes,
    polyphonicChars: new Set(chars.filter((char) => !NON_POLYPHONIC.has(char))),
    charIds: new Map(chars.map((char, i) => [char, i])),
    monophonic,
    bopomofoToPinyin: new Map(Object.entries(files.bopomofoToPinyin)),
    useMask,
    useCharPhoneme,
    polyphonicFix,
  };
}

/** The files the assets are read from (a G2PWModel folder's, or a bundle's `g2pw/`). */
export interface G2pwAssetFiles {
  readonly config: string;
  readonly polyphonicChars: string;
  readonly monophonicChars: string;
  readonly bopomofoToPinyin: string;
  /** polyphonic.rep, then polyphonic-fix.rep, those present. */
  readonly polyphonicRep: readonly string[];
}

/** Reads and checks the files; every error names the file. */
export async function readG2pwAssets(files: G2pwAssetFiles): Promise<G2pwAssets> {
  const read = (file: string): Promise<string> =>
    readFile(file, 'utf8').catch((error: unknown) => {
      throw new Error(`${file}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
    });
  let bopomofo: unknown;
  try {
    bopomofo = JSON.parse(await read(files.bopomofoToPinyin));
  } catch (error) {
    throw new Error(`${files.bopomofoToPinyin}: not valid JSON (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  if (typeof bopomofo !== 'object' || bopomofo === null || Array.isArray(bopomofo) || !Object.values(bopomofo).every((v) => typeof v === 'string')) {
    throw new Error(`${files.bopomofoToPinyin}: not a JSON object of bopomofo → pinyin strings`);
  }
  const reps = [];
  for (const file of files.polyphonicRep) reps.push(await read(file));
  return buildG2pwAssets(
    {
      polyphonicChars: await read(files.polyphonicChars),
      monophonicChars: await read(files.monophonicChars),
      bopomofoToPinyin: bopomofo as Record<string, string>,
      config: await read(files.config),
      polyphonicRep: reps,
    },
    { polyphonicChars: files.polyphonicChars, monophonicChars: files.monophonicChars },
  );
}

/** A user's G2PWModel folder (with the post-fix dictionaries when the folder holds them). */
export async function loadG2pwAssets(dir: string): Promise<G2pwAssets> {
  const folder = await inspectG2pwFolder(dir);
  return readG2pwAssets({
    config: join(dir, 'config.py'),
    polyphonicChars: join(dir, 'POLYPHONIC_CHARS.txt'),
    monophonicChars: join(dir, 'MONOPHONIC_CHARS.txt'),
    bopomofoToPinyin: join(dir, 'bopomofo_to_pinyin_wo_tune_dict.json'),
    polyphonicRep: folder.files.filter((name) => name.endsWith('.rep')).map((name) => join(dir, name)),
  });
}
