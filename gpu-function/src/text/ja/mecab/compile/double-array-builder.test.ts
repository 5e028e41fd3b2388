import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DoubleArray } from '../double-array.ts';
import { buildDoubleArray, compareBytes } from './double-array-builder.ts';

const encoder = new TextEncoder();

describe('double-array trie (builder and reader)', () => {
  it('finds every key and its value, and nothing else', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 6, max: 5 }), { minLength: 1, maxLength: 60, comparator: (a, b) => compareBytes(a, b) === 0 }), fc.uint8Array({ maxLength: 8, max: 6 }), (keys, probe) => {
        const trie = new DoubleArray(buildDoubleArray(keys.map((key, value) => ({ key, value }))));
        keys.forEach((key, value) => { expect(trie.exactMatchSearch(key)).toBe(value); });
        const expected = keys
          .map((key, value) => ({ key, value }))
          .filter(({ key }) => key.length <= probe.length && key.every((byte, i) => probe[i] === byte))
          .sort((a, b) => a.key.length - b.key.length)
          .map(({ key, value }) => ({ value, length: key.length }));
        expect(trie.commonPrefixSearch(probe, 0, probe.length)).toEqual(expected);
        if (!keys.some((key) => compareBytes(key, probe) === 0)) expect(trie.exactMatchSearch(probe)).toBe(-1);
      }),
      { numRuns: 300 },
    );
  });

  it('searches a window of the text, shortest prefix first', () => {
    const trie = new DoubleArray(buildDoubleArray(['東', '東京', '東京都', '京都'].map((key, value) => ({ key: encoder.encode(key), value }))));
    const text = encoder.encode('に東京都へ');
    const start = encoder.encode('に').length;
    expect(trie.commonPrefixSearch(text, start, text.length).map((m) => m.value)).toEqual([0, 1, 2]);
    // The window's end cuts the search, as MeCab's lookahead limit does.
    expect(trie.commonPrefixSearch(text, start, start + encoder.encode('東京').length).map((m) => m.value)).toEqual([0, 1]);
  });

  it('refuses empty or repeated keys and values a leaf cannot hold', () => {
    expect(() => buildDoubleArray([{ key: new Uint8Array(), value: 0 }])).toThrow(/empty/u);
    expect(() => buildDoubleArray([{ key: encoder.encode('a'), value: 0 }, { key: encoder.encode('a'), value: 1 }])).toThrow(/distinct/u);
    expect(() => buildDoubleArray([{ key: encoder.encode('a'), value: -1 }])).toThrow(/out of range/u);
  });
});
