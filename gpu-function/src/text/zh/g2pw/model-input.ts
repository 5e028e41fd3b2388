/**
 * g2pW's `prepare_onnx_input` and `tokenize_and_map`: each polyphonic character becomes one query row holding its
 * (lower-cased) sentence window as `[CLS] tokens [SEP]`, the character's label mask, its id and its token position.
 * @module
 */
import type { WordPieceTokenizer } from '../../bert/wordpiece.ts';
import type { G2pwAssets } from './assets.ts';

const MAX_LEN = 512;

interface Tokenized {
  readonly tokens: readonly number[];
  /** Token index of each text character (undefined for spaces). */
  readonly textToToken: readonly (number | undefined)[];
  /** Character span [start, end) of each token. */
  readonly tokenToText: readonly (readonly [number, number])[];
}

/** `wordize_and_map` + `tokenize_and_map`: Latin/digit runs are words, every other character its own word. */
export function tokenizeAndMap(tokenizer: WordPieceTokenizer, text: string): Tokenized {
  const tokens: number[] = [];
  const tokenToText: [number, number][] = [];
  const textToToken: (number | undefined)[] = [];
  for (let i = 0; i < text.length; ) {
    const space = /^ +/.exec(text.slice(i, i + 64));
    if (space) {
      for (let k = 0; k < space[0].length; k += 1) textToToken.push(undefined);
      i += space[0].length;
      continue;
    }
    const word = /^[a-zA-Z0-9]+/.exec(text.slice(i))?.[0] ?? text.charAt(i);
    const pieces = tokenizer.tokenize(word);
    if (pieces.length === 0 || (pieces.length === 1 && pieces[0] === tokenizer.unknownId)) {
      tokenToText.push([i, i + word.length]);
      tokens.push(tokenizer.unknownId);
    } else {
      let start = i;
      for (const piece of pieces) {
        const length = tokenizer.pieceLength(piece);
        tokenToText.push([start, start + length]);
        tokens.push(piece);
        start += length;
      }
    }
    for (let k = 0; k < word.length; k += 1) textToToken.push(undefined);
    i += word.length;
  }
  tokenToText.forEach(([start, end], token) => {
    for (let position = start; position < end; position += 1) textToToken[position] = token;
  });
  return { tokens, textToToken, tokenToText };
}

/** g2pW's `_truncate`: a window of 510 tokens around the query for texts longer than that. */
function truncate(text: string, queryId: number, tokenized: Tokenized): { queryId: number; tokens: readonly number[]; textToToken: readonly (number | undefined)[] } {
  const limit = MAX_LEN - 2;
  const { tokens, textToToken, tokenToText } = tokenized;
  const position = textToToken[queryId] ?? 0;
  let start = position - Math.floor(limit / 2);
  let end = start + limit;
  if (-start > 0) {
    end -= start;
    start = 0;
  } else if (end - tokens.length > 0) {
    start -= end - tokens.length;
    end = tokens.length;
  }
  const textStart = tokenToText[start]?.[0] ?? 0;
  const textEnd = tokenToText[end - 1]?.[1] ?? text.length;
  return {
    queryId: queryId - textStart,
    tokens: tokens.slice(start, end),
    textToToken: textToToken.slice(textStart, textEnd).map((token) => (token === undefined ? undefined : token - start)),
  };
}

/** One model row. */
export interface QueryRow {
  readonly inputIds: readonly number[];
  readonly phonemeMask: readonly number[];
  readonly charId: number;
  readonly positionId: number;
}

/** Builds the rows for `texts[i]` queried at `queryIds[i]`; tokenization is shared between queries on one text. */
export function prepareRows(
  tokenizer: WordPieceTokenizer,
  assets: G2pwAssets,
  texts: readonly string[],
  queryIds: readonly number[],
): QueryRow[] {
  const cache = new Map<string, Tokenized>();
  return texts.map((original, index) => {
    const text = original.toLowerCase();
    let tokenized = cache.get(text);
    if (!tokenized) {
      tokenized = tokenizeAndMap(tokenizer, text);
      cache.set(text, tokenized);
    }
    let queryId = queryIds[index] ?? 0;
    let tokens = tokenized.tokens;
    let textToToken = tokenized.textToToken;
    let queryText = text;
    if (tokens.length > MAX_LEN - 2) {
      const window = truncate(text, queryId, tokenized);
      queryText = text.slice(queryId - window.queryId);
      ({ queryId, tokens, textToToken } = window);
    }
    const char = queryText[queryId] ?? '';
    const labels = assets.charPhonemes.get(char);
    const charId = assets.charIds.get(char);
    if (labels === undefined || charId === undefined) throw new Error(`G2PW query character "${char}" is not polyphonic`);
    const phonemeMask = assets.useMask
      ? assets.labels.map((_, label) => (labels.includes(label) ? 1 : 0))
      : assets.labels.map(() => 1);
    return {
      inputIds: [tokenizer.clsId, ...tokens, tokenizer.sepId],
      phonemeMask,
      charId,
      positionId: (textToToken[queryId] ?? 0) + 1, // [CLS] is position 0
    };
  });
}
