/**
 * Character-level conversions done before verbalisation: traditional → simplified and full-width → half-width.
 *
 * GPT-SoVITS maps traditional characters one by one with PaddleSpeech's `char_convert.py` table. That table is not
 * published on npm, so the map here is OpenCC's `TSCharacters` (first candidate per character) from opencc-js, also
 * applied one character at a time. The two tables disagree on a few hundred rare or variant characters (e.g. 乾 stays
 * 乾 in GPT-SoVITS but becomes 干 here); the README lists this as a known mismatch class.
 * @module
 */
import tsCharacters from 'opencc-js/dict/TSCharacters';

let traditionalMap: Map<string, string> | undefined;

function traditionalToSimplifiedMap(): Map<string, string> {
  if (traditionalMap) return traditionalMap;
  const map = new Map<string, string>();
  for (const entry of tsCharacters.split('|')) {
    const [source, targets] = entry.split(' ');
    if (source === undefined || targets === undefined) continue;
    const target = String.fromCodePoint(targets.codePointAt(0) ?? 0);
    if (source.length === 1 && target.length === 1 && source !== target) map.set(source, target);
  }
  traditionalMap = map;
  return map;
}

export function traditionalToSimplified(text: string): string {
  const map = traditionalToSimplifiedMap();
  let result = '';
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i] as string;
    result += map.get(char) ?? char;
  }
  return result;
}

/** Full-width Latin letters and digits (U+FF10-FF19, U+FF21-FF3A, U+FF41-FF5A) to ASCII; nothing else, as there. */
export function fullWidthToHalfWidth(text: string): string {
  return text.replace(/[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g, (char) => String.fromCharCode(char.charCodeAt(0) - 0xfee0));
}
