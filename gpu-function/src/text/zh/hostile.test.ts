import { describe, expect, it } from 'vitest';
import { hasSymbol } from '../symbols.ts';
import type { G2pResult } from '../types.ts';
import { MAX_ZH_TEXT_LENGTH, zhG2p } from './index.ts';

/** The invariants GPT-SoVITS's cleaner asserts, plus: every phone is in the table. */
function expectConsistent(result: G2pResult): void {
  expect(result.word2ph).toHaveLength(result.normText.length);
  expect(result.word2ph.reduce((a, b) => a + b, 0)).toBe(result.phones.length);
  expect(result.normText).toMatch(/^[\u4e00-\u9fa5!?…,.-]*$/);
  for (const phone of result.phones) expect(hasSymbol('v2', phone)).toBe(true);
}

describe('zh g2p on hostile input', () => {
  it('returns nothing for empty text, whitespace and Latin-only text', () => {
    for (const text of ['', ' ', '\n\n', 'hello world', '12abc']) {
      const result = zhG2p.convert(text, 'v2');
      expectConsistent(result);
      if (text !== '12abc') expect(result.phones).toEqual([]);
    }
  });

  it('keeps one mark for text that is only punctuation', () => {
    expect(zhG2p.convert('！？。，……——', 'v2')).toEqual({ normText: '!', phones: ['!'], word2ph: [1] });
  });

  it('drops control characters, emoji, lone surrogates and other scripts', () => {
    const text = '你\u0000好\u0007\u001b😀👨‍👩‍👧\ud800世\udfff界 Привет こんにちは 안녕 مرحبا\u202e\ufeff。';
    const result = zhG2p.convert(text, 'v2');
    expectConsistent(result);
    expect(result.normText).toBe('你好世界.');
  });

  it('handles numbers far longer than any real one', { timeout: 30_000 }, () => {
    for (const text of [`-${'9'.repeat(3000)}元`, `${'1'.repeat(5000)}个`, '3.'.repeat(2000), `${'1+'.repeat(3000)}1`]) {
      expectConsistent(zhG2p.convert(text, 'v2'));
    }
  });

  it('converts 100k characters of mixed text in linear time', { timeout: 60_000 }, () => {
    const unit = '今天是2024年3月15日，气温25℃，我们一起去银行取了1234.5元！Hello，这个东西很好吃吧？';
    const text = unit.repeat(Math.ceil(100_000 / unit.length)).slice(0, 100_000);
    const started = performance.now();
    const result = zhG2p.convert(text, 'v2');
    const elapsed = performance.now() - started;
    expectConsistent(result);
    expect(result.phones.length).toBeGreaterThan(100_000);
    // A generous bound that only a quadratic blow-up would break (about 2 s here on 2 cores).
    expect(elapsed).toBeLessThan(60_000);
  });

  it('converts one 32k-character segment without any punctuation', { timeout: 60_000 }, () => {
    const result = zhG2p.convert('我们一起学习中文'.repeat(4_000), 'v2');
    expectConsistent(result);
    expect(result.normText).toHaveLength(32_000);
  });

  it('rejects text beyond the limit and non-strings with a clear error', () => {
    expect(() => zhG2p.convert('好'.repeat(MAX_ZH_TEXT_LENGTH + 1), 'v2')).toThrow(/limit/);
    expect(() => zhG2p.convert(undefined as unknown as string, 'v2')).toThrow(/must be a string/);
  });

  it('maps syllables GPT-SoVITS has no symbol for to UNK instead of failing', () => {
    const result = zhG2p.convert('噷', 'v2');
    expectConsistent(result);
  });
});
