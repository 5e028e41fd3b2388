/**
 * japanese.py's `g2p(norm_text)` (with prosody, as GPT-SoVITS v2 calls it): `％` is read パーセント, the text is
 * lower-cased, then cut at every character that is not "Japanese" (kana, CJK ideographs, 々, ASCII and full-width
 * letters and digits, half-width katakana). Each piece between cuts goes through OpenJTalk (NJD words → labels →
 * prosody phones, without the `^`/`$` ends); each cut character is kept as a phone of its own (spaces are dropped),
 * and full-width marks are mapped to GPT-SoVITS's punctuation.
 * @module
 */
import { makeFullContextLabels } from './jpcommon/index.ts';
import type { NjdNode } from './njd/node.ts';
import { prosodyPhones } from './prosody.ts';

/** pyopenjtalk's `run_frontend` for one piece: MeCab and the NJD rules. */
export type NjdFrontend = (piece: string) => readonly NjdNode[];

/**
 * japanese.py's `_japanese_characters`. Python's `\d` is any Unicode decimal digit (so `０` and other scripts'
 * digits are Japanese here, though the explicit full-width range starts at `１`).
 */
const JAPANESE_CHARACTER = /^[A-Za-z\p{Nd}\u3005\u3040-\u30ff\u4e00-\u9fff\uff11-\uff19\uff21-\uff3a\uff41-\uff5a\uff66-\uff9d]$/u;

/** `post_replace_ph`: full-width and other marks → GPT-SoVITS punctuation. */
const MARK_PHONES: Readonly<Record<string, string>> = {
  '：': ',',
  '；': ',',
  '，': ',',
  '。': '.',
  '！': '!',
  '？': '?',
  '\n': '.',
  '·': ',',
  '、': ',',
};

/** Splits like `re.split` + `re.findall` on the non-Japanese class: pieces around each single mark (code point). */
export function splitPieces(text: string): { readonly pieces: string[]; readonly marks: string[] } {
  const pieces: string[] = [];
  const marks: string[] = [];
  let piece = '';
  for (const char of text) {
    if (JAPANESE_CHARACTER.test(char)) piece += char;
    else {
      pieces.push(piece);
      marks.push(char);
      piece = '';
    }
  }
  pieces.push(piece);
  return { pieces, marks };
}

/** The phones of one piece, as `pyopenjtalk_g2p_prosody(piece)[1:-1]`. */
export function piecePhones(piece: string, njd: NjdFrontend): string[] {
  return prosodyPhones(makeFullContextLabels(njd(piece))).slice(1, -1);
}

export function japanesePhones(normText: string, njd: NjdFrontend): string[] {
  const text = normText.replaceAll('％', 'パーセント').toLowerCase();
  const { pieces, marks } = splitPieces(text);
  const phones: string[] = [];
  pieces.forEach((piece, index) => {
    if (piece !== '') phones.push(...piecePhones(piece, njd));
    const mark = marks[index];
    if (mark === undefined || mark === ' ') return;
    phones.push(mark);
  });
  return phones.map((phone) => MARK_PHONES[phone] ?? phone);
}
