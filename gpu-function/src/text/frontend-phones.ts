/**
 * GPT-SoVITS's `get_phones_and_bert` without the BERT part: split a segment into language runs, clean each run,
 * concatenate, and retry once with a leading "." when fewer than 6 phones come out.
 * @module
 */
import type { TextLanguage } from '@gsv-edge/shared';
import { cleanText, type LanguageModules } from './cleaner.ts';
import { routeLanguages } from './lang/route.ts';
import { symbolIds } from './symbols.ts';
import type { RunLanguage, SymbolTableVersion } from './types.ts';

/** Segments shorter than this many phones are retried with a "." in front. */
const MIN_PHONES = 6;

export interface PhoneRun {
  readonly lang: RunLanguage;
  readonly normText: string;
  readonly phones: readonly string[];
  readonly word2ph: readonly number[];
}

export interface PhoneSegment {
  /** The segment's text as split, before normalization. */
  readonly text: string;
  readonly normText: string;
  readonly phones: readonly string[];
  readonly phoneIds: Int32Array;
  readonly word2ph: readonly number[];
  /** The language runs the phones came from, in order (BERT is computed per zh run). */
  readonly runs: readonly PhoneRun[];
}

function convertOnce(text: string, lang: TextLanguage, symbols: SymbolTableVersion, modules: LanguageModules): PhoneRun[] {
  return routeLanguages(text, lang).map((run) => {
    const cleaned = cleanText(run.text, run.lang, symbols, modules);
    return { lang: run.lang, normText: cleaned.normText, phones: cleaned.phones, word2ph: cleaned.word2ph };
  });
}

export function segmentPhones(
  text: string,
  lang: TextLanguage,
  symbols: SymbolTableVersion,
  modules: LanguageModules,
): PhoneSegment {
  let runs = convertOnce(text, lang, symbols, modules);
  if (runs.reduce((count, run) => count + run.phones.length, 0) < MIN_PHONES) {
    runs = convertOnce(`.${text.replace(/ {2,}/gu, ' ')}`, lang, symbols, modules);
  }
  const phones = runs.flatMap((run) => run.phones);
  return {
    text,
    normText: runs.map((run) => run.normText).join(''),
    phones,
    phoneIds: symbolIds(symbols, phones),
    word2ph: runs.flatMap((run) => run.word2ph),
    runs,
  };
}
