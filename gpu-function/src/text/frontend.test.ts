import { ApiError } from '@gsv-edge/shared';
import { describe, expect, it } from 'vitest';
import { enG2p } from './en/index.ts';
import { BERT_DIM, createTextFrontend, promptText, type ZhBertFeatures } from './frontend.ts';
import { symbolId } from './symbols.ts';
import type { LanguageG2p } from './types.ts';

/** Mandarin stand-in: every CJK character reads "n i3", CJK punctuation becomes "," or ".". */
const stubZh: LanguageG2p = {
  language: 'zh',
  convert(text) {
    let normText = '';
    const phones: string[] = [];
    const word2ph: number[] = [];
    for (const char of text) {
      if (/\p{Script=Han}/u.test(char)) {
        normText += char;
        phones.push('n', 'i3');
        word2ph.push(2);
      } else if (char === '，' || char === '。') {
        normText += char === '，' ? ',' : '.';
        phones.push(char === '，' ? ',' : '.');
        word2ph.push(1);
      }
    }
    return { normText, phones, word2ph };
  },
};

/** BERT stand-in: character i's vector is filled with i + 1, repeated word2ph[i] times. */
const stubBert: ZhBertFeatures = (normText, word2ph) => {
  const phones = word2ph.reduce((a, b) => a + b, 0);
  const out = new Float32Array(phones * BERT_DIM);
  let row = 0;
  word2ph.forEach((count, index) => {
    for (let k = 0; k < count; k += 1, row += 1) out.fill(index + 1, row * BERT_DIM, (row + 1) * BERT_DIM);
  });
  expect(Array.from(normText)).toHaveLength(word2ph.length);
  return Promise.resolve(out);
};

const frontend = createTextFrontend({ symbols: 'v2', languages: { en: enG2p, zh: stubZh }, bert: stubBert });

describe('text frontend assembly', () => {
  it('concatenates English and Mandarin runs, with ids from the symbol table', () => {
    const segment = frontend.segmentPhones('Hello world, 你好。', 'zh');
    expect(segment.phones).toEqual(['HH', 'AH0', 'L', 'OW1', 'W', 'ER1', 'L', 'D', ',', 'n', 'i3', 'n', 'i3', '.']);
    expect(Array.from(segment.phoneIds)).toEqual(segment.phones.map((phone) => symbolId('v2', phone)));
    expect(segment.normText).toBe('Hello world, 你好.');
    expect(segment.word2ph.reduce((a, b) => a + b, 0)).toBe(segment.phones.length);
  });

  it('retries a segment of fewer than 6 phones with a leading "."', () => {
    expect(frontend.segmentPhones('Hi.', 'en')).toMatchObject({ normText: '. Hi.' });
  });

  it('gives Mandarin phones BERT features and everything else zeros, phone-major', async () => {
    const [segment] = await frontend.prepareTarget('Hello world, 你好。', 'zh', 'cut0');
    if (segment === undefined) throw new Error('no segment');
    const rows = segment.bert.length / BERT_DIM;
    expect(rows).toBe(segment.phones.length);
    const rowValue = (row: number): number => segment.bert[row * BERT_DIM] ?? Number.NaN;
    expect(Array.from({ length: rows }, (_, row) => rowValue(row))).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 2, 2, 3]);
  });

  it('refuses Mandarin when no BERT is configured rather than using zeros', async () => {
    const noBert = createTextFrontend({ symbols: 'v2', languages: { en: enG2p, zh: stubZh } });
    await expect(noBert.prepareTarget('你好你好你好。', 'zh', 'cut0')).rejects.toThrow(/BERT/u);
    expect(noBert.targetPhones('你好你好你好。', 'zh', 'cut0')).toHaveLength(1);
  });

  it('splits target text into segments with final punctuation', () => {
    const segments = frontend.targetPhones('The first sentence is here. The second one follows', 'en', 'cut4');
    expect(segments.map((segment) => segment.text)).toEqual(['The first sentence is here.', ' The second one follows.']);
  });

  it('prepares the prompt text with a final mark and no splitting', async () => {
    expect(promptText('\nHello there\n', 'en')).toBe('Hello there.');
    expect(promptText('你好', 'zh')).toBe('你好。');
    expect(promptText('Done!', 'en')).toBe('Done!');
    const prompt = await frontend.preparePrompt('Hello there, my friend', 'en');
    expect(prompt.normText).toBe('Hello there, my friend.');
    expect(prompt.bert.every((value) => value === 0)).toBe(true);
  });

  it('refuses Japanese runs with language_not_supported, naming the run', () => {
    expect(() => frontend.targetPhones('こんにちは、世界。', 'auto', 'cut5')).toThrow(ApiError);
    expect(() => frontend.targetPhones('Hello there friends.', 'ja', 'cut5')).not.toThrow();
  });
});

describe('hostile input', () => {
  it('rejects empty and punctuation-only text with a clear error, or returns no segments', () => {
    expect(frontend.targetPhones('', 'en', 'cut5')).toEqual([]);
    expect(() => frontend.targetPhones('?!...', 'en', 'cut5')).toThrow(/nothing to read/u);
  });

  it('drops control characters, emoji and lone surrogates', () => {
    const segments = frontend.targetPhones('Hello\u0000 \u0007there 🙂 \ud800friend\udfff.', 'en', 'cut0');
    expect(segments.map((segment) => segment.normText)).toEqual(['Hello there  friend.']);
  });

  it('handles mixed scripts in auto mode', () => {
    const segments = frontend.targetPhones('Привет, hello 你好 🙂 world.', 'auto', 'cut0');
    expect(segments.flatMap((segment) => segment.phones)).toContain('HH');
    expect(segments.flatMap((segment) => segment.phones)).toContain('i3');
  });

  it('reads 100k characters of English in bounded time', () => {
    const sentence = 'The quick brown fox, 42 times, jumps over the lazy dog. ';
    const text = sentence.repeat(Math.ceil(100_000 / sentence.length)).slice(0, 100_000);
    const started = performance.now();
    const segments = frontend.targetPhones(text, 'en', 'cut5');
    expect(segments.length).toBeGreaterThan(1000);
    expect(performance.now() - started).toBeLessThan(30_000);
  });

  it('reads 100k characters without any punctuation as one long segment split at 510 characters', () => {
    const text = 'word '.repeat(20_000);
    const segments = frontend.targetPhones(text, 'en', 'cut0');
    expect(segments.length).toBeGreaterThan(0);
  });

  it('rejects a 100k-digit number with a clear error', () => {
    expect(() => frontend.targetPhones('1'.repeat(100_000), 'en', 'cut0')).toThrow(/number too large/u);
  });
});
