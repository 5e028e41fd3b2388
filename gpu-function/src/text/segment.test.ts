import { ApiError } from '@gsv-edge/shared';
import { describe, expect, it } from 'vitest';
import { applySplitMethod } from './segment-methods.ts';
import { mergeShortTexts, splitBigText, splitText } from './segment.ts';

const FOUR_CLAUSES = '一二三四，五六七八。九十一二？三四五六！';

describe('GPT-SoVITS split methods', () => {
  it('cut0 does not split, but blanks punctuation-only text', () => {
    expect(applySplitMethod('你好。世界。', 'cut0')).toBe('你好。世界。');
    expect(applySplitMethod('...', 'cut0')).toBe('\n');
  });

  it('cut1 groups four clauses, the last group taking the rest', () => {
    const text = `${FOUR_CLAUSES}${FOUR_CLAUSES}甲乙。`;
    expect(applySplitMethod(text, 'cut1').split('\n')).toEqual([FOUR_CLAUSES, `${FOUR_CLAUSES}甲乙。`]);
    expect(applySplitMethod(FOUR_CLAUSES, 'cut1')).toBe(FOUR_CLAUSES);
  });

  it('cut2 closes a piece once it passes 50 characters and merges a short tail', () => {
    const clause = `${'字'.repeat(30)}，`;
    expect(applySplitMethod(clause.repeat(4), 'cut2').split('\n')).toEqual([clause.repeat(2), clause.repeat(2)]);
    expect(applySplitMethod(`${clause.repeat(2)}短。`, 'cut2')).toBe(`${clause.repeat(2)}短。`);
  });

  it('cut3 splits at 。 and cut4 at . not between digits', () => {
    expect(applySplitMethod('你好。世界。', 'cut3')).toBe('你好\n世界');
    expect(applySplitMethod('It costs 3.5 dollars. Fine.', 'cut4')).toBe('It costs 3.5 dollars\n Fine');
  });

  it('cut5 splits after every punctuation mark except a decimal point', () => {
    expect(applySplitMethod('Pi is 3.14, roughly. Yes!', 'cut5')).toBe('Pi is 3.14,\n roughly.\n Yes!');
  });
});

describe('pre_seg_text', () => {
  it('merges pieces shorter than 5 characters', () => {
    expect(mergeShortTexts(['ab', 'cd', 'efgh', 'ij'], 5)).toEqual(['abcdefghij']);
    expect(mergeShortTexts(['abcdef', 'g'], 5)).toEqual(['abcdefg']);
  });

  it('prefixes a short first clause and ends every segment with a split mark', () => {
    expect(splitText('Hi, how are you today', 'cut0', 'en')).toEqual(['.Hi, how are you today.']);
    expect(splitText('你好', 'cut0', 'zh')).toEqual(['。你好。']);
  });

  it('skips symbol-only pieces and collapses punctuation runs', () => {
    expect(splitText('Hello there!!! ... Really??', 'cut5', 'en')).toEqual(['Hello there!', ' . Really?']);
    expect(() => splitText('!!!', 'cut0', 'en')).toThrow(/nothing to read/u);
  });

  it('cuts segments over 510 characters at split marks', () => {
    const clause = `${'字'.repeat(99)}，`;
    const segments = splitText(clause.repeat(12), 'cut0', 'zh');
    expect(segments.every((segment) => Array.from(segment).length <= 510)).toBe(true);
    expect(segments.join('')).toBe(clause.repeat(12));
    expect(splitBigText('a'.repeat(600))).toEqual(['', 'a'.repeat(600)]);
  });

  it('returns nothing for empty text and rejects blank text as GPT-SoVITS does', () => {
    expect(splitText('\n\n', 'cut5', 'en')).toEqual([]);
    expect(() => splitText(' ', 'cut0', 'en')).toThrow(ApiError);
  });
});
