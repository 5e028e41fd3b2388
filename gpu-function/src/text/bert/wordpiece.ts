/**
 * BERT tokenization as `BertTokenizer(vocab.txt)` does it for chinese-roberta-wwm-ext-large: clean text, space out CJK
 * ideographs, lower-case and strip accents, split on whitespace and punctuation, then greedy longest-match WordPiece.
 *
 * Written by hand (about 100 lines) because the npm options need a `tokenizer.json`, which the user's model folder
 * does not have; the vocabulary comes from the bundle's own `vocab.txt`, nothing is shipped.
 * @module
 */

const MAX_WORD_CHARS = 100;

/** BERT's `_is_chinese_char` ranges (CJK ideographs, not kana or hangul). */
function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) || (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) || (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

const isWhitespace = (char: string): boolean => char === ' ' || char === '\t' || char === '\n' || char === '\r' || /^\p{Zs}$/u.test(char);
const isControl = (char: string): boolean => !(char === '\t' || char === '\n' || char === '\r') && /^[\p{Cc}\p{Cf}]$/u.test(char);
function isPunctuation(char: string): boolean {
  const cp = char.codePointAt(0) ?? 0;
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) return true;
  return /^\p{P}$/u.test(char);
}

/** BasicTokenizer: the words WordPiece then splits. */
export function basicTokenize(text: string, lowerCase = true): string[] {
  let spaced = '';
  for (const char of text) {
    const cp = char.codePointAt(0) ?? 0;
    if (cp === 0 || cp === 0xfffd || isControl(char)) continue;
    if (isWhitespace(char)) spaced += ' ';
    else if (isCjk(cp)) spaced += ` ${char} `;
    else spaced += char;
  }
  const words: string[] = [];
  for (let word of spaced.split(' ')) {
    if (word === '') continue;
    if (lowerCase) word = word.toLowerCase().normalize('NFD').replace(/\p{Mn}/gu, '');
    let current = '';
    for (const char of word) {
      if (isPunctuation(char)) {
        if (current !== '') words.push(current);
        words.push(char);
        current = '';
      } else {
        current += char;
      }
    }
    if (current !== '') words.push(current);
  }
  return words;
}

export class WordPieceTokenizer {
  readonly #vocab: ReadonlyMap<string, number>;
  readonly #pieces: readonly string[];
  readonly #lowerCase: boolean;
  readonly unknownId: number;
  readonly clsId: number;
  readonly sepId: number;

  constructor(vocab: ReadonlyMap<string, number>, lowerCase = true) {
    this.#vocab = vocab;
    const pieces: string[] = [];
    for (const [piece, id] of vocab) pieces[id] = piece;
    this.#pieces = pieces;
    this.#lowerCase = lowerCase;
    const id = (token: string): number => {
      const value = vocab.get(token);
      if (value === undefined) throw new Error(`BERT vocab.txt has no ${token} token`);
      return value;
    };
    this.unknownId = id('[UNK]');
    this.clsId = id('[CLS]');
    this.sepId = id('[SEP]');
  }

  /** One token per line; a token listed twice keeps its last line number, as HF's `load_vocab` does. */
  static fromVocabText(text: string, lowerCase = true): WordPieceTokenizer {
    const vocab = new Map<string, number>();
    const lines = text.split('\n');
    if (lines.at(-1) === '') lines.pop();
    lines.forEach((line, index) => vocab.set(line.replace(/\r$/, '').trim(), index));
    return new WordPieceTokenizer(vocab, lowerCase);
  }

  /** WordPiece ids of one basic-tokenized word. */
  wordIds(word: string): number[] {
    const chars = Array.from(word);
    if (chars.length > MAX_WORD_CHARS) return [this.unknownId];
    const ids: number[] = [];
    for (let start = 0; start < chars.length; ) {
      let end = chars.length;
      let found: number | undefined;
      for (; end > start; end -= 1) {
        const piece = (start > 0 ? '##' : '') + chars.slice(start, end).join('');
        found = this.#vocab.get(piece);
        if (found !== undefined) break;
      }
      if (found === undefined) return [this.unknownId];
      ids.push(found);
      start = end;
    }
    return ids;
  }

  /** Characters of text a token covers: its vocab entry without a leading `##` (`[UNK]` counts 5, as in g2pW). */
  pieceLength(id: number): number {
    return Array.from((this.#pieces[id] ?? '').replace(/^##/, '')).length;
  }

  /** Token ids without [CLS]/[SEP]. */
  tokenize(text: string): number[] {
    return basicTokenize(text, this.#lowerCase).flatMap((word) => this.wordIds(word));
  }

  /** `tokenizer(text)["input_ids"]`: [CLS] tokens [SEP]. */
  encode(text: string): Int32Array {
    return Int32Array.from([this.clsId, ...this.tokenize(text), this.sepId]);
  }
}
