import { describe, expect, it } from 'vitest';
import type { BertRunner } from '../types.ts';
import { basicTokenize, bertFeatures, expandToPhones, WordPieceTokenizer } from './index.ts';

// A tiny vocabulary laid out like the Chinese BERT one: [PAD], [UNK]=1, [CLS]=2, [SEP]=3, then pieces.
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '[MASK]', '你', '好', ',', '.', '世', '界', '…', 'hello', 'he', '##llo', '##s', '!', '##s'];
const tokenizer = WordPieceTokenizer.fromVocabText(`${VOCAB.join('\n')}\n`);

/** A deterministic fake BERT: row t of a run is [id_t, t, 0.5·id_t, …] with `width` columns. */
function fakeRunner(width: number, calls: Int32Array[][]): BertRunner {
  return (batch) => {
    calls.push([...batch]);
    return Promise.resolve(
      batch.map((ids) => {
        const out = new Float32Array(ids.length * width); // [tokens, width]
        ids.forEach((id, t) => {
          for (let k = 0; k < width; k += 1) out[t * width + k] = k === 0 ? id : k === 1 ? t : id * 0.5 + k;
        });
        return out;
      }),
    );
  };
}

describe('WordPiece tokenizer', () => {
  it('gives one token per character of zh normalized text, with [CLS]/[SEP]', () => {
    expect(Array.from(tokenizer.encode('你好,世界.'))).toEqual([2, 5, 6, 7, 9, 10, 8, 3]);
    expect(Array.from(tokenizer.encode('你…好'))).toEqual([2, 5, 11, 6, 3]);
  });

  it('splits CJK, punctuation and whitespace, lower-cases and strips accents like BasicTokenizer', () => {
    expect(basicTokenize('Héllo,世界  ok\u0000\u200b!')).toEqual(['hello', ',', '世', '界', 'ok', '!']);
  });

  it('applies greedy longest-match WordPiece and maps unknown words to [UNK]', () => {
    expect(tokenizer.tokenize('hellos')).toEqual([12, 17]);
    expect(tokenizer.tokenize('hehello')).toEqual([1]);
    expect(tokenizer.tokenize('hello')).toEqual([12]);
    expect(tokenizer.tokenize('hello 猫')).toEqual([12, 1]);
    expect(tokenizer.tokenize('x'.repeat(101))).toEqual([1]);
  });

  it('keeps the last line of a duplicated token, as HF load_vocab does', () => {
    expect(tokenizer.wordIds('s')).toEqual([1]);
    expect(tokenizer.tokenize('hes')).toEqual([13, 17]);
  });

  it('refuses a vocab without the special tokens', () => {
    expect(() => WordPieceTokenizer.fromVocabText('a\nb\n')).toThrow(/\[UNK\]/);
  });
});

describe('bertFeatures', () => {
  it('batches every run into one runner call and expands rows by word2ph, phone-major', async () => {
    const calls: Int32Array[][] = [];
    const [first, empty, second] = await bertFeatures(
      [
        { normText: '你好,', word2ph: [2, 2, 1] },
        { normText: '', word2ph: [] },
        { normText: '世界.', word2ph: [2, 2, 1] },
      ],
      fakeRunner(4, calls),
      tokenizer,
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]!.map((ids) => Array.from(ids))).toEqual([[2, 5, 6, 7, 3], [2, 9, 10, 8, 3]]);
    expect(empty).toHaveLength(0);
    // first: 5 phones × 4; rows 0-1 are token 1 (你, id 5), rows 2-3 token 2 (好), row 4 token 3 (,).
    expect(first).toHaveLength(5 * 4);
    const column = (features: Float32Array, k: number): number[] =>
      Array.from({ length: features.length / 4 }, (_, row) => features[row * 4 + k]!);
    expect(column(first!, 0)).toEqual([5, 5, 6, 6, 7]);
    expect(column(first!, 1)).toEqual([1, 1, 2, 2, 3]);
    expect(column(second!, 0)).toEqual([9, 9, 10, 10, 8]);
  });

  it('does not call the runner when there is no Mandarin text', async () => {
    const calls: Int32Array[][] = [];
    expect(await bertFeatures([], fakeRunner(4, calls), tokenizer)).toEqual([]);
    expect(await bertFeatures([{ normText: '', word2ph: [] }], fakeRunner(4, calls), tokenizer)).toEqual([new Float32Array(0)]);
    expect(calls).toHaveLength(0);
  });

  it('rejects word2ph that does not match the text, and runner output of the wrong size', async () => {
    await expect(bertFeatures([{ normText: '你好', word2ph: [2] }], fakeRunner(4, []), tokenizer)).rejects.toThrow(/word2ph/);
    const broken: BertRunner = () => Promise.resolve([new Float32Array(7)]);
    await expect(bertFeatures([{ normText: '你好', word2ph: [2, 2] }], broken, tokenizer)).rejects.toThrow(/token rows/);
    expect(() => expandToPhones(new Float32Array(8), 0, [])).toThrow();
  });

  it('refuses text that would not be one token per character', async () => {
    await expect(bertFeatures([{ normText: 'hello', word2ph: [1, 1, 1, 1, 1] }], fakeRunner(4, []), tokenizer)).rejects.toThrow(
      /one per character/,
    );
  });
});
