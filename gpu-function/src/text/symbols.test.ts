import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasSymbol, symbolId, symbolIds, symbolTable } from './symbols.ts';

const sha256 = (lines: readonly string[]): string => createHash('sha256').update(lines.join('\n'), 'utf8').digest('hex');

describe('symbol tables', () => {
  it('v1 has 322 symbols and hashes to GPT-SoVITS symbols.py', () => {
    const v1 = symbolTable('v1');
    expect(v1).toHaveLength(322);
    expect(sha256(v1)).toBe('f7c3b280b9cc519b0829a6f182fcdd208643a07f1e20c1ab2bf4fc9e8e9a7ca6');
  });

  it('v2 has 732 symbols and hashes to GPT-SoVITS symbols2.py', () => {
    const v2 = symbolTable('v2');
    expect(v2).toHaveLength(732);
    expect(sha256(v2)).toBe('0771f6cd6f6201e8c2b0de921dc69cc04caf3f346c599d4a41413967d5674da7');
  });

  it('v1 ids are a prefix of v2 ids', () => {
    expect(symbolTable('v2').slice(0, 322)).toEqual(symbolTable('v1'));
  });

  it('places the anchor symbols at their ids', () => {
    const anchors: [string, number][] = [
      ['!', 0], [',', 1], ['-', 2], ['.', 3], ['?', 4], ['SP', 77], ['SP2', 78], ['SP3', 79], ['UNK', 86], ['_', 95],
      ['…', 321],
    ];
    for (const [symbol, id] of anchors) {
      expect(symbolId('v1', symbol)).toBe(id);
      expect(symbolId('v2', symbol)).toBe(id);
    }
    const v2Only: [string, number][] = [['[', 322], [']', 323], ['ㄱ', 324], ['停', 351], ['空', 352], ['Ya', 353], ['Yz', 731]];
    for (const [symbol, id] of v2Only) expect(symbolId('v2', symbol)).toBe(id);
  });

  it('maps unknown symbols to UNK, including v2-only symbols in v1', () => {
    expect(symbolId('v2', '#')).toBe(86);
    expect(symbolId('v1', '[')).toBe(86);
    expect(symbolId('v1', 'Ya1')).toBe(86);
    expect(hasSymbol('v1', 'Ya1')).toBe(false);
    expect(hasSymbol('v2', 'Ya1')).toBe(true);
    expect(Array.from(symbolIds('v2', ['n', 'i3', 'h', 'ao3', '.', '@']))).toEqual([
      symbolId('v2', 'n'), symbolId('v2', 'i3'), symbolId('v2', 'h'), symbolId('v2', 'ao3'), 3, 86,
    ]);
  });

  it('freezes the tables', () => {
    expect(Object.isFrozen(symbolTable('v1'))).toBe(true);
    expect(Object.isFrozen(symbolTable('v2'))).toBe(true);
  });
});
