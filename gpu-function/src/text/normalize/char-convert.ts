/**
 * Character-level conversions done before verbalisation: traditional → simplified and full-width → half-width.
 *
 * GPT-SoVITS maps traditional characters one by one with PaddleSpeech's `char_convert.py` table
 * (`zh_normalization/char_convert.py`). That table is not published on npm: a bundle built with `--gpt-sovits-dir`
 * carries the user's copy ({@link charConvertTable}); without it the map is OpenCC's `TSCharacters` (first
 * candidate per character) from opencc-js, also applied one character at a time. The two tables disagree on a few
 * hundred rare or variant characters (乾 stays 乾 in GPT-SoVITS but becomes 干 with OpenCC's).
 * @module
 */
import tsCharacters from 'opencc-js/dict/TSCharacters';

/** Traditional → simplified, one character at a time; every other character stays. */
export type ToSimplified = (text: string) => string;

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

function mapCharacters(text: string, map: ReadonlyMap<string, string>): string {
  let result = '';
  for (const char of text) result += map.get(char) ?? char;
  return result;
}

/** OpenCC's table (npm), the stand-in for char_convert.py. */
export function traditionalToSimplified(text: string): string {
  return mapCharacters(text, traditionalToSimplifiedMap());
}

/**
 * char_convert.py's `tranditional_to_simplified` from its two strings: the i-th traditional character maps to the
 * i-th simplified one, a later pair overriding an earlier one (the dict is filled in order). Characters are code
 * points, as Python indexes them.
 */
export function charConvertTable(simplified: string, traditional: string, file = 'char_convert.py'): ToSimplified {
  const simple = Array.from(simplified);
  const traditionalChars = Array.from(traditional);
  if (traditionalChars.length < simple.length) {
    throw new Error(`${file}: traditional_characters has ${traditionalChars.length} characters, fewer than simplified_charcters' ${simple.length}`);
  }
  const map = new Map<string, string>();
  simple.forEach((char, i) => map.set(traditionalChars[i] ?? '', char));
  return (text) => mapCharacters(text, map);
}

/** Full-width Latin letters and digits (U+FF10-FF19, U+FF21-FF3A, U+FF41-FF5A) to ASCII; nothing else, as there. */
export function fullWidthToHalfWidth(text: string): string {
  return text.replace(/[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/g, (char) => String.fromCharCode(char.charCodeAt(0) - 0xfee0));
}
