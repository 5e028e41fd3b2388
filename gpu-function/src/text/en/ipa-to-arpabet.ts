/**
 * General American IPA (as the `phonemize` package writes it) → CMU ARPAbet with stress digits.
 *
 * Needed because the npm data closest to g2p_en's homograph list and a rule-based guess for unknown words both come
 * from `phonemize`, which writes IPA. A stress mark gives the next vowel 1 (ˈ) or 2 (ˌ); other vowels get 0.
 * Unknown IPA symbols are skipped rather than guessed.
 * @module
 */

const VOWELS: readonly (readonly [string, string])[] = [
  ['aʊ', 'AW'], ['aɪ', 'AY'], ['eɪ', 'EY'], ['oʊ', 'OW'], ['ɔɪ', 'OY'], ['ɑ', 'AA'], ['æ', 'AE'], ['ə', 'AH'],
  ['ʌ', 'AH'], ['ɔ', 'AO'], ['ɛ', 'EH'], ['ɝ', 'ER'], ['ɚ', 'ER'], ['ɪ', 'IH'], ['i', 'IY'], ['ʊ', 'UH'],
  ['u', 'UW'], ['a', 'AA'], ['o', 'OW'], ['e', 'EY'], ['ɒ', 'AA'], ['ɜ', 'ER'], ['ɐ', 'AH'],
];
const CONSONANTS: readonly (readonly [string, string])[] = [
  ['tʃ', 'CH'], ['dʒ', 'JH'], ['b', 'B'], ['d', 'D'], ['f', 'F'], ['h', 'HH'], ['k', 'K'], ['l', 'L'], ['ɫ', 'L'],
  ['m', 'M'], ['n', 'N'], ['p', 'P'], ['s', 'S'], ['t', 'T'], ['v', 'V'], ['w', 'W'], ['z', 'Z'], ['ð', 'DH'],
  ['θ', 'TH'], ['ŋ', 'NG'], ['ɡ', 'G'], ['g', 'G'], ['ɹ', 'R'], ['r', 'R'], ['ɾ', 'T'], ['ʃ', 'SH'], ['ʒ', 'ZH'],
  ['j', 'Y'],
];

export function ipaToArpabet(ipa: string): string[] {
  // A stress mark written inside an affricate ("dˈʒ") belongs before it.
  const text = ipa.replace(/([td])([ˈˌ])([ʃʒ])/gu, '$2$1$3');
  const phones: string[] = [];
  let stress = '0';
  let index = 0;
  while (index < text.length) {
    const char = text[index] ?? '';
    if (char === 'ˈ' || char === 'ˌ') {
      stress = char === 'ˈ' ? '1' : '2';
      index += 1;
      continue;
    }
    const vowel = VOWELS.find(([symbol]) => text.startsWith(symbol, index));
    if (vowel !== undefined) {
      phones.push(vowel[1] + stress);
      stress = '0';
      index += vowel[0].length;
      continue;
    }
    const consonant = CONSONANTS.find(([symbol]) => text.startsWith(symbol, index));
    if (consonant !== undefined) {
      phones.push(consonant[1]);
      index += consonant[0].length;
      continue;
    }
    index += 1;
  }
  return phones;
}
