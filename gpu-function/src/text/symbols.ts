/**
 * GPT-SoVITS phoneme symbol tables (`text/symbols.py` for v1, `text/symbols2.py` for v2+).
 *
 * A checkpoint's phone embedding rows are indexed by position in these tables, so the order is part of the model's
 * interface. The tables are rebuilt here from the phone inventories they are made of (pinyin initials and toned
 * finals, OpenJTalk phones, ARPAbet, Hangul jamo, Jyutping) in the same order GPT-SoVITS builds them; the tests pin
 * them to the SHA-256 values of GPT-SoVITS's own lists.
 * @module
 */
import type { SymbolTableVersion } from './types.ts';

/** The 23 pinyin initials plus the pseudo-initials opencpop uses for syllables that start with a vowel. */
const MANDARIN_INITIALS = [
  'AA', 'EE', 'OO', 'b', 'c', 'ch', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'q', 'r', 's', 'sh', 't', 'w',
  'x', 'y', 'z', 'zh',
];

/** opencpop-strict finals: `ir` after zh/ch/sh/r, `i0` after z/c/s, `v*` for ü, `E`/`En` for ê-type rhymes. */
const MANDARIN_FINALS = [
  'E', 'En', 'a', 'ai', 'an', 'ang', 'ao', 'e', 'ei', 'en', 'eng', 'er', 'i', 'i0', 'ia', 'ian', 'iang', 'iao', 'ie',
  'in', 'ing', 'iong', 'ir', 'iu', 'o', 'ong', 'ou', 'u', 'ua', 'uai', 'uan', 'uang', 'ui', 'un', 'uo', 'v', 'van',
  've', 'vn',
];

/** Mandarin tones 1-4 plus 5 for the neutral tone. */
const MANDARIN_TONES = ['1', '2', '3', '4', '5'];

/** The OpenJTalk phone set GPT-SoVITS keeps (devoiced I/U, moraic N, geminate `cl`, palatalised `*y`). */
const JAPANESE_PHONES = [
  'I', 'N', 'U', 'a', 'b', 'by', 'ch', 'cl', 'd', 'dy', 'e', 'f', 'g', 'gy', 'h', 'hy', 'i', 'j', 'k', 'ky', 'm', 'my',
  'n', 'ny', 'o', 'p', 'py', 'r', 'ry', 's', 'sh', 't', 'ts', 'u', 'v', 'w', 'y', 'z',
];

/** Punctuation phones every language maps to, then the pause/unknown markers. */
export const PUNCTUATION_PHONES: readonly string[] = ['!', '?', '…', ',', '.', '-'];
const SPECIAL_PHONES = ['SP', 'SP2', 'SP3', 'UNK'];
const PAD = '_';

/** CMUdict's ARPAbet: 15 vowels with stress 0-2, 24 consonants, plus bare `ER` and `IH`, which GPT-SoVITS lists too. */
const ARPABET_VOWELS = ['AA', 'AE', 'AH', 'AO', 'AW', 'AY', 'EH', 'ER', 'EY', 'IH', 'IY', 'OW', 'OY', 'UH', 'UW'];
const ARPABET_UNSTRESSED_EXTRAS = ['ER', 'IH'];
const ARPABET_CONSONANTS = [
  'B', 'CH', 'D', 'DH', 'F', 'G', 'HH', 'JH', 'K', 'L', 'M', 'N', 'NG', 'P', 'R', 'S', 'SH', 'T', 'TH', 'V', 'W', 'Y',
  'Z', 'ZH',
];

/** Japanese pitch rise / fall marks, appended by v2. */
const PITCH_MARKS = ['[', ']'];

/** Hangul compatibility jamo g2pk2 output is split into, plus `空` (space) and `停` (anything else). */
const KOREAN_PHONES = Array.from('ㄱㄴㄷㄹㅁㅂㅅㅇㅈㅊㅋㅌㅍㅎㄲㄸㅃㅆㅉㅏㅓㅗㅜㅡㅣㅐㅔ空停');

/**
 * Cantonese (Jyutping) symbols, each prefixed `Y`. Toneless entries are the syllable heads cantonese.py's
 * first-matching-prefix split yields: the 19 Jyutping initials plus the vowel-initial heads it treats as initials.
 * Toned entries are the finals it yields (including the stop codas `g k p t` left over by that split) with tones 1-6.
 */
const CANTONESE_HEADS = [
  'b', 'c', 'd', 'f', 'g', 'gw', 'h', 'j', 'k', 'kw', 'l', 'm', 'n', 'ng', 'p', 's', 't', 'w', 'z',
  'a', 'aa', 'ai', 'ak', 'au', 'e', 'o', 'oi', 'ok', 'on', 'ou', 'uk',
];
const CANTONESE_FINALS = [
  'a', 'aa', 'aai', 'aak', 'aam', 'aan', 'aang', 'aap', 'aat', 'aau', 'ai', 'ak', 'am', 'an', 'ang', 'ap', 'at', 'au',
  'e', 'ei', 'ek', 'eng', 'eoi', 'eon', 'eot', 'g', 'i', 'ik', 'im', 'in', 'ing', 'ip', 'it', 'iu', 'k', 'm', 'n', 'o',
  'oe', 'oek', 'oeng', 'oi', 'ok', 'on', 'ong', 'ot', 'ou', 'p', 't', 'u', 'ui', 'uk', 'un', 'ung', 'ut', 'yu', 'yun',
  'yut',
];
const CANTONESE_TONES = ['1', '2', '3', '4', '5', '6'];

/** Python's `sorted(set(xs))` for BMP strings: UTF-16 order equals code-point order there. */
function sortedUnique(items: readonly string[]): string[] {
  return [...new Set(items)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

function cross(heads: readonly string[], tails: readonly string[]): string[] {
  return heads.flatMap((head) => tails.map((tail) => head + tail));
}

function buildV1(): readonly string[] {
  return Object.freeze(
    sortedUnique([
      PAD,
      ...MANDARIN_INITIALS,
      ...cross(MANDARIN_FINALS, MANDARIN_TONES),
      ...JAPANESE_PHONES,
      ...PUNCTUATION_PHONES,
      ...SPECIAL_PHONES,
      ...cross(ARPABET_VOWELS, ['0', '1', '2']),
      ...ARPABET_UNSTRESSED_EXTRAS,
      ...ARPABET_CONSONANTS,
    ]),
  );
}

function buildV2(v1: readonly string[]): readonly string[] {
  // v2 keeps v1's ids and appends; the new groups are sorted within themselves only.
  const cantonese = [...CANTONESE_HEADS, ...cross(CANTONESE_FINALS, CANTONESE_TONES)].map((s) => `Y${s}`);
  return Object.freeze([...v1, ...PITCH_MARKS, ...sortedUnique(KOREAN_PHONES), ...sortedUnique(cantonese)]);
}

const V1 = buildV1();
const V2 = buildV2(V1);
const INDEX = {
  v1: new Map(V1.map((symbol, id) => [symbol, id])),
  v2: new Map(V2.map((symbol, id) => [symbol, id])),
} as const;

/** The symbol that stands for any phone missing from a table. */
export const UNKNOWN_SYMBOL = 'UNK';

export function symbolTable(version: SymbolTableVersion): readonly string[] {
  return version === 'v1' ? V1 : V2;
}

export function hasSymbol(version: SymbolTableVersion, symbol: string): boolean {
  return INDEX[version].has(symbol);
}

/** Id of `symbol` in the table; a symbol the table lacks gets `UNK`'s id, as GPT-SoVITS's cleaner does. */
export function symbolId(version: SymbolTableVersion, symbol: string): number {
  const index = INDEX[version];
  return index.get(symbol) ?? (index.get(UNKNOWN_SYMBOL) as number);
}

/** Ids for a phone sequence (`cleaned_text_to_sequence` after the cleaner's UNK substitution). */
export function symbolIds(version: SymbolTableVersion, phones: readonly string[]): Int32Array {
  const ids = new Int32Array(phones.length);
  for (let i = 0; i < phones.length; i += 1) ids[i] = symbolId(version, phones[i] as string);
  return ids;
}
