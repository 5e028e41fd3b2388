/**
 * japanese.py's `pyopenjtalk_g2p_prosody` (from ESPnet): full-context labels → phones with prosody marks. `^` opens
 * and `$` (or `?` for a question) closes the utterance, `_` is a pause, `#` an accent-phrase boundary, `[` a pitch
 * rise and `]` the accent nucleus' fall; unvoiced vowels are read as voiced ones.
 *
 * The fields are read from the label strings with the same searches ESPnet uses, not from the structure that wrote
 * them: on labels where a field is `xx` a search can land on a later field, and the phones depend on that.
 * @module
 */

/** `_numeric_feature_by_regex`: the first match's number, or -50 when there is none. */
function numericFeature(pattern: RegExp, label: string): number {
  const match = pattern.exec(label);
  return match === null ? -50 : Number.parseInt(match[1] ?? '', 10);
}

const CURRENT_PHONEME = /-(.*?)\+/u;
const A1 = /\/A:([0-9-]+)\+/u;
const A2 = /\+(\d+)\+/u;
const A3 = /\+(\d+)\//u;
const F1 = /\/F:(\d+)_/u;
const E3 = /!(\d+)_/u;

/** ESPnet tests membership with `in` on a string, so any substring counts; for phonemes that is these. */
const isIn = (haystack: string, phoneme: string): boolean => haystack.includes(phoneme);

export function prosodyPhones(labels: readonly string[]): string[] {
  const phones: string[] = [];
  labels.forEach((label, n) => {
    let phoneme = CURRENT_PHONEME.exec(label)?.[1];
    if (phoneme === undefined) throw new Error(`not a full-context label: ${label}`);
    if (isIn('AEIOU', phoneme)) phoneme = phoneme.toLowerCase();
    if (phoneme === 'sil') {
      if (n !== 0 && n !== labels.length - 1) throw new Error(`silence inside the utterance at label ${String(n)}`);
      if (n === 0) phones.push('^');
      else {
        const question = numericFeature(E3, label);
        if (question === 0) phones.push('$');
        else if (question === 1) phones.push('?');
      }
      return;
    }
    if (phoneme === 'pau') {
      phones.push('_');
      return;
    }
    phones.push(phoneme);
    const a1 = numericFeature(A1, label);
    const a2 = numericFeature(A2, label);
    const a3 = numericFeature(A3, label);
    const f1 = numericFeature(F1, label);
    const a2Next = numericFeature(A2, labels[n + 1] ?? '');
    if (a3 === 1 && a2Next === 1 && isIn('aeiouAEIOUNcl', phoneme)) phones.push('#');
    else if (a1 === 0 && a2Next === a2 + 1 && a2 !== f1) phones.push(']');
    else if (a2 === 1 && a2Next === 2) phones.push('[');
  });
  return phones;
}
