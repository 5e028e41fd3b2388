/**
 * The morae OpenJTalk's rules recognise in readings: every katakana mora (a kana, or a kana with a small ャュョァィゥェォ
 * that makes one sound with it), the long-vowel mark, and the same morae written in hiragana. Written for gsv-edge
 * from the kana syllabary; the set of two-kana morae is the one OpenJTalk's tables accept (no クァ, no ヂャ, no
 * ヮ/ヵ/ヶ), so unusual spellings split the way OpenJTalk splits them.
 * @module
 */

/** One-kana morae: the gojūon rows with their voiced and half-voiced forms, ヰヱヲンヴッ and the small kana. */
const SINGLE_KATAKANA =
  'アイウエオカキクケコガギグゲゴサシスセソザジズゼゾタチツテトダヂヅデドナニヌネノハヒフヘホバビブベボパピプペポ' +
  'マミムメモヤユヨラリルレロワヰヱヲンヴッァィゥェォャュョ';

/** Two-kana morae: a head kana followed by the small kana it combines with. */
const DIGRAPHS: readonly (readonly [string, string])[] = [
  ['キギシジチニヒビピミリ', 'ャュョェ'],
  ['ヴ', 'ァィェォャュョ'],
  ['フツ', 'ァィェォ'],
  ['テデ', 'ィャュョ'],
  ['トド', 'ゥ'],
  ['スズ', 'ィ'],
  ['ウ', 'ィェォ'],
  ['イ', 'ェ'],
];

export const LONG_VOWEL_MARK = 'ー';

/** Hiragana and katakana sit 0x60 apart in Unicode. */
const KATAKANA_TO_HIRAGANA = -0x60;

function toHiragana(katakana: string): string {
  return Array.from(katakana, (kana) => String.fromCharCode(kana.charCodeAt(0) + KATAKANA_TO_HIRAGANA)).join('');
}

function katakanaMorae(): string[] {
  const morae = Array.from(SINGLE_KATAKANA);
  for (const [heads, smalls] of DIGRAPHS) for (const head of heads) for (const small of smalls) morae.push(head + small);
  return morae;
}

/** Every katakana mora and the long-vowel mark: what a pronunciation is made of. */
export const KATAKANA_MORAE: ReadonlySet<string> = new Set([...katakanaMorae(), LONG_VOWEL_MARK]);

/** Kana (either script) to its katakana mora. */
const KANA_TO_KATAKANA: ReadonlyMap<string, string> = new Map([
  ...[...KATAKANA_MORAE].map((mora) => [mora, mora] as const),
  ...katakanaMorae().map((mora) => [toHiragana(mora), mora] as const),
]);

/** The longest mora (two code units, then one) at `index` in a table, as OpenJTalk's ordered tables match. */
function longestMatch(table: ReadonlySet<string> | ReadonlyMap<string, string>, text: string, index: number): string | undefined {
  const two = text.slice(index, index + 2);
  if (two.length === 2 && table.has(two)) return two;
  const one = text.slice(index, index + 1);
  return one !== '' && table.has(one) ? one : undefined;
}

/** The katakana mora at `index` of a pronunciation, if one starts there. */
export function katakanaMoraAt(pron: string, index: number): string | undefined {
  return longestMatch(KATAKANA_MORAE, pron, index);
}

/** The kana (hiragana or katakana) mora at `index`, with its katakana spelling. */
export function kanaMoraAt(text: string, index: number): { kana: string; katakana: string } | undefined {
  const kana = longestMatch(KANA_TO_KATAKANA, text, index);
  if (kana === undefined) return undefined;
  return { kana, katakana: KANA_TO_KATAKANA.get(kana) ?? kana };
}

/** Number of morae in a katakana reading (every recognised mora counts one, unknown characters none). */
export function countMorae(katakana: string): number {
  let count = 0;
  for (let index = 0; index < katakana.length; ) {
    const mora = katakanaMoraAt(katakana, index);
    if (mora === undefined) index++;
    else {
      count++;
      index += mora.length;
    }
  }
  return count;
}
