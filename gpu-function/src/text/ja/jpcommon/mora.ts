/**
 * Katakana morae and their phonemes, as JPCommon splits a pronunciation: at each position the longest mora it knows
 * (two characters before one), each giving one phoneme (vowel, ン `N`, ッ `cl`) or a consonant and a vowel. The
 * inventory is built from the kana rows rather than listed; it holds exactly JPCommon's morae, quirks included
 * (ヴャ/ヴュ/ヴョ read `by`, ヂ `j`, ヅ `z`, no ヂャ or キィ), because a mora JPCommon lacks splits differently.
 * @module
 */

export type MoraPhonemes = readonly [string] | readonly [string, string];

const VOWELS = ['a', 'i', 'u', 'e', 'o'] as const;

/** Each row's five kana (a i u e o; `-` where the row has none) and its consonant, with per-kana exceptions. */
const ROWS: readonly (readonly [string, string, Readonly<Record<string, string>>?])[] = [
  ['カキクケコ', 'k'],
  ['ガギグゲゴ', 'g'],
  ['サシスセソ', 's', { シ: 'sh' }],
  ['ザジズゼゾ', 'z', { ジ: 'j' }],
  ['タチツテト', 't', { チ: 'ch', ツ: 'ts' }],
  ['ダヂヅデド', 'd', { ヂ: 'j', ヅ: 'z' }],
  ['ナニヌネノ', 'n'],
  ['ハヒフヘホ', 'h', { フ: 'f' }],
  ['バビブベボ', 'b'],
  ['パピプペポ', 'p'],
  ['マミムメモ', 'm'],
  ['ヤ-ユ-ヨ', 'y'],
  ['ラリルレロ', 'r'],
  ['ワ----', 'w'],
  ['ャ-ュ-ョ', 'y'],
  ['ヮ----', 'w'],
  ['---ヶ-', 'k'],
];

/** Kana read as a bare vowel (or ン / ッ). */
const SINGLE: Readonly<Record<string, string>> = {
  ア: 'a', イ: 'i', ウ: 'u', エ: 'e', オ: 'o',
  ァ: 'a', ィ: 'i', ゥ: 'u', ェ: 'e', ォ: 'o',
  ヰ: 'i', ヱ: 'e', ヲ: 'o',
  ン: 'N', ッ: 'cl',
};

/** Small kana by the vowel they carry. */
const SMALL_VOWEL: Readonly<Record<string, string>> = { ァ: 'a', ィ: 'i', ゥ: 'u', ェ: 'e', ォ: 'o' };
const SMALL_Y: Readonly<Record<string, string>> = { ャ: 'a', ュ: 'u', ョ: 'o' };

/** Two-kana morae: a head kana, the consonant it takes, and which small kana may follow it. */
const COMBINED: readonly (readonly [string, string, string])[] = [
  // Palatalized rows: small ya/yu/yo and small e.
  ...Array.from('キギニヒビピミリ').map((head, index) => [head, `${'kgnhbpmr'[index] ?? ''}y`, 'ャュョェ'] as const),
  ['シ', 'sh', 'ャュョェ'],
  ['ジ', 'j', 'ャュョェ'],
  ['チ', 'ch', 'ャュョェ'],
  ['テ', 't', 'ィ'],
  ['テ', 'ty', 'ャュョ'],
  ['デ', 'd', 'ィ'],
  ['デ', 'dy', 'ャュョ'],
  ['ト', 't', 'ゥ'],
  ['ド', 'd', 'ゥ'],
  ['ツ', 'ts', 'ァィェォ'],
  ['フ', 'f', 'ァィェォ'],
  ['ウ', 'w', 'ィェォ'],
  ['イ', 'y', 'ェ'],
  ['ス', 's', 'ィ'],
  ['ズ', 'z', 'ィ'],
  ['ヴ', 'v', 'ァィェォ'],
  ['ヴ', 'by', 'ャュョ'],
  ['ク', 'kw', 'ヮ'],
  ['グ', 'gw', 'ヮ'],
];

function buildInventory(): ReadonlyMap<string, MoraPhonemes> {
  const morae = new Map<string, MoraPhonemes>();
  for (const [kana, phoneme] of Object.entries(SINGLE)) morae.set(kana, [phoneme]);
  for (const [row, consonant, exceptions] of ROWS) {
    Array.from(row).forEach((kana, index) => {
      const vowel = VOWELS[index];
      if (kana === '-' || vowel === undefined) return;
      morae.set(kana, [exceptions?.[kana] ?? consonant, vowel]);
    });
  }
  morae.set('ヴ', ['v', 'u']);
  for (const [head, consonant, smalls] of COMBINED) {
    for (const small of Array.from(smalls)) {
      const vowel = SMALL_VOWEL[small] ?? SMALL_Y[small] ?? (small === 'ヮ' ? 'a' : undefined);
      if (vowel === undefined) throw new Error(`no vowel for ${small}`);
      morae.set(`${head}${small}`, [consonant, vowel]);
    }
  }
  return morae;
}

const INVENTORY = buildInventory();

/** The mora at the start of `text` (at UTF-16 offset `at`): its kana and phonemes, or undefined when none. */
export function moraAt(text: string, at: number): { readonly kana: string; readonly phonemes: MoraPhonemes } | undefined {
  for (const length of [2, 1]) {
    const kana = text.slice(at, at + length);
    if (kana.length !== length) continue;
    const phonemes = INVENTORY.get(kana);
    if (phonemes !== undefined) return { kana, phonemes };
  }
  return undefined;
}

/** Every mora JPCommon knows, for tests. */
export function moraInventory(): ReadonlyMap<string, MoraPhonemes> {
  return INVENTORY;
}
