/**
 * Pinyin syllable → opencpop phone pair, the mapping GPT-SoVITS reads from `opencpop-strict.txt`.
 *
 * That file is derived by regular rules from pinyin spelling, so the rules are written here instead of shipping the
 * table: vowel-initial syllables get the pseudo-initials AA/EE/OO; y/w stay as initials with the spelled remainder as
 * final (ü-forms become v*, yan/ye use E); `i` after zh/ch/sh/r is `ir`, after z/c/s `i0`; u after j/q/x is ü.
 * A one-off check reproduced all 429 lines of GPT-SoVITS's table with these rules (see the README).
 * @module
 */

const A_SYLLABLES = new Set(['a', 'ai', 'an', 'ang', 'ao']);
const E_SYLLABLES = new Set(['e', 'ei', 'en', 'eng', 'er']);
const O_SYLLABLES = new Set(['o', 'ou']);
const Y_FINALS: Readonly<Record<string, string>> = {
  a: 'a', ang: 'ang', ao: 'ao', o: 'o', ong: 'ong', ou: 'ou', i: 'i', in: 'in', ing: 'ing', an: 'En', e: 'E', u: 'v',
  uan: 'van', ue: 've', un: 'vn', v: 'v', van: 'van', ve: 've', vn: 'vn',
};
const W_FINALS = new Set(['a', 'ai', 'an', 'ang', 'ei', 'en', 'eng', 'o', 'u']);
const INITIALS = ['zh', 'ch', 'sh', 'b', 'p', 'm', 'f', 'd', 't', 'n', 'l', 'g', 'k', 'h', 'j', 'q', 'x', 'r', 'z', 'c', 's'];
/** Finals each initial can take in opencpop (before the ir/i0/ü rewrites). */
const FINALS_AFTER: Readonly<Record<string, string>> = {
  b: 'a ai an ang ao ei en eng i ian iao ie in ing o u',
  p: 'a ai an ang ao ei en eng i ian iao ie in ing o ou u',
  m: 'a ai an ang ao e ei en eng i ian iao ie in ing iu o ou u',
  f: 'a an ang ei en eng o ou u',
  d: 'a ai an ang ao e ei en eng i ia ian iao ie ing iu ong ou u uan ui un uo',
  t: 'a ai an ang ao e ei eng i ian iao ie ing ong ou u uan ui un uo',
  n: 'a ai an ang ao e ei en eng i ian iang iao ie in ing iu ong ou u uan un uo v ve',
  l: 'a ai an ang ao e ei eng i ia ian iang iao ie in ing iu o ong ou u uan un uo v ve',
  g: 'a ai an ang ao e ei en eng ong ou u ua uai uan uang ui un uo',
  k: 'a ai an ang ao e ei en eng ong ou u ua uai uan uang ui un uo',
  h: 'a ai an ang ao e ei en eng ong ou u ua uai uan uang ui un uo',
  j: 'i ia ian iang iao ie in ing iong iu u uan ue un v van ve vn',
  q: 'i ia ian iang iao ie in ing iong iu u uan ue un v van ve vn',
  x: 'i ia ian iang iao ie in ing iong iu u uan ue un v van ve vn',
  zh: 'a ai an ang ao e ei en eng i ong ou u ua uai uan uang ui un uo',
  ch: 'a ai an ang ao e en eng i ong ou u ua uai uan uang ui un uo',
  sh: 'a ai an ang ao e ei en eng i ou u ua uai uan uang ui un uo',
  r: 'an ang ao e en eng i ong ou u ua uan ui un uo',
  z: 'a ai an ang ao e ei en eng i ong ou u uan ui un uo',
  c: 'a ai an ang ao e ei en eng i ong ou u uan ui un uo',
  s: 'a ai an ang ao e en eng i ong ou u uan ui un uo',
};
const J_Q_X_FINALS: Readonly<Record<string, string>> = { u: 'v', ue: 've', uan: 'van', un: 'vn' };

function buildTable(): Map<string, readonly [string, string]> {
  const table = new Map<string, readonly [string, string]>();
  for (const s of A_SYLLABLES) table.set(s, ['AA', s]);
  for (const s of E_SYLLABLES) table.set(s, ['EE', s]);
  for (const s of O_SYLLABLES) table.set(s, ['OO', s]);
  for (const [rest, final] of Object.entries(Y_FINALS)) table.set(`y${rest}`, ['y', final]);
  for (const rest of W_FINALS) table.set(`w${rest}`, ['w', rest]);
  for (const initial of INITIALS) {
    for (const spelled of (FINALS_AFTER[initial] ?? '').split(' ')) {
      let final = spelled;
      if (spelled === 'i' && ['zh', 'ch', 'sh', 'r'].includes(initial)) final = 'ir';
      else if (spelled === 'i' && ['z', 'c', 's'].includes(initial)) final = 'i0';
      else if ('jqx'.includes(initial)) final = J_Q_X_FINALS[spelled] ?? spelled;
      table.set(initial + spelled, [initial, final]);
    }
  }
  return table;
}

const TABLE = buildTable();

/** The opencpop (initial, toneless final) for a toneless pinyin syllable, or undefined if opencpop lacks it. */
export function opencpopPhones(syllable: string): readonly [string, string] | undefined {
  return TABLE.get(syllable);
}

/** Every syllable the table knows (for tests). */
export function opencpopSyllables(): readonly string[] {
  return [...TABLE.keys()];
}
