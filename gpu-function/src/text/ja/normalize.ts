/**
 * japanese.py's `text_normalize`: a run of GPT-SoVITS punctuation (`! ? … , . -`) keeps only its first mark, so
 * repeated marks cannot leak the reference's prosody. Full-width marks (`。。。`, `！？`) are not punctuation here
 * and stay; they become phones one by one.
 * @module
 */

/** GPT-SoVITS's `punctuation` list (text/symbols.py), which japanese.py imports. */
const PUNCTUATION = '!?…,.-';
const CONSECUTIVE = new RegExp(`([${PUNCTUATION.replace('-', '\\-')}])[${PUNCTUATION.replace('-', '\\-')}]+`, 'gu');

export function normalizeJapanese(text: string): string {
  return text.replace(CONSECUTIVE, '$1');
}
