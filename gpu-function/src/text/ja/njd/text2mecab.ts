/**
 * OpenJTalk's `text2mecab`: the conversion applied to the text before MeCab sees it. NAIST-JDIC knows full-width
 * characters, so printable ASCII becomes its full-width form and half-width katakana (with a following voicing mark
 * folded in) becomes ordinary katakana; ASCII control characters are dropped, as is a voicing mark with nothing to
 * attach to; a NUL ends the text. Everything else passes through.
 * @module
 */

/** ASCII characters whose full-width form is not simply the code point 0xFEE0 higher. */
const ASCII_EXCEPTIONS: ReadonlyMap<string, string> = new Map([
  [' ', '\u3000'], // ideographic space
  ['"', '\u201D'], // right double quotation mark
  ["'", '\u2019'], // right single quotation mark
  ['-', '\u2212'], // minus sign
  ['\\', '\uFFE5'], // full-width yen sign (the JIS-Roman backslash position)
  ['`', '\u2018'], // left single quotation mark
  ['~', '\u301C'], // wave dash
]);

const FULL_WIDTH_OFFSET = 0xfee0;
const FIRST_PRINTABLE = 0x20;
const LAST_PRINTABLE = 0x7e;
const LAST_ASCII = 0x7f;

/** Half-width katakana U+FF66..U+FF9D in code point order, as full-width katakana. */
const HALF_WIDTH_KATAKANA = 'ヲァィゥェォャュョッーアイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン';
const HALF_WIDTH_KATAKANA_START = 0xff66;
/** Half-width punctuation U+FF61..U+FF65. */
const HALF_WIDTH_PUNCTUATION = '。「」、・';
const HALF_WIDTH_PUNCTUATION_START = 0xff61;
const HALF_VOICED_MARK = '\uFF9E';
const HALF_SEMI_VOICED_MARK = '\uFF9F';

/** Kana that take the voicing mark in OpenJTalk's conversion, and what they become. */
const VOICED: ReadonlyMap<string, string> = new Map([
  ...Array.from('カキクケコサシスセソタチツテトハヒフヘホ', (kana) => [kana, String.fromCharCode(kana.charCodeAt(0) + 1)] as const),
  ['ウ', 'ヴ'],
]);
const SEMI_VOICED: ReadonlyMap<string, string> = new Map(Array.from('ハヒフヘホ', (kana) => [kana, String.fromCharCode(kana.charCodeAt(0) + 2)] as const));

function asciiToFullWidth(code: number): string {
  const char = String.fromCharCode(code);
  return ASCII_EXCEPTIONS.get(char) ?? String.fromCharCode(code + FULL_WIDTH_OFFSET);
}

function halfWidthKana(code: number): string | undefined {
  if (code >= HALF_WIDTH_PUNCTUATION_START && code < HALF_WIDTH_PUNCTUATION_START + HALF_WIDTH_PUNCTUATION.length) {
    return HALF_WIDTH_PUNCTUATION[code - HALF_WIDTH_PUNCTUATION_START];
  }
  if (code >= HALF_WIDTH_KATAKANA_START && code < HALF_WIDTH_KATAKANA_START + HALF_WIDTH_KATAKANA.length) {
    return HALF_WIDTH_KATAKANA[code - HALF_WIDTH_KATAKANA_START];
  }
  return undefined;
}

export function text2mecab(text: string): string {
  let output = '';
  // OpenJTalk takes a C string: the text ends at its first NUL.
  const end = text.includes('\0') ? text.indexOf('\0') : text.length;
  for (let index = 0; index < end; index++) {
    const code = text.charCodeAt(index);
    if (code <= LAST_ASCII) {
      if (code >= FIRST_PRINTABLE && code <= LAST_PRINTABLE) output += asciiToFullWidth(code);
      continue;
    }
    if (code === HALF_VOICED_MARK.charCodeAt(0) || code === HALF_SEMI_VOICED_MARK.charCodeAt(0)) continue;
    const kana = halfWidthKana(code);
    if (kana === undefined) {
      output += text.charAt(index);
      continue;
    }
    const mark = text[index + 1];
    const marked = mark === HALF_VOICED_MARK ? VOICED.get(kana) : mark === HALF_SEMI_VOICED_MARK ? SEMI_VOICED.get(kana) : undefined;
    if (marked === undefined) output += kana;
    else {
      output += marked;
      index++;
    }
  }
  return output;
}
