import { describe, expect, it } from 'vitest';
import { text2mecab } from './text2mecab.ts';

describe('text2mecab (OpenJTalk input conversion)', () => {
  it('turns printable ASCII into full-width forms, with OpenJTalk\'s choices for quotes, minus, backslash and tilde', () => {
    expect(text2mecab('Ab 1,2.')).toBe('Ａｂ\u3000１，２．');
    expect(text2mecab('"\'-\\`~')).toBe('\u201D\u2019\u2212\uFFE5\u2018\u301C');
  });

  it('drops ASCII control characters, and ends the text at a NUL as a C string does', () => {
    expect(text2mecab('a\tb\nc\u007f')).toBe('ａｂｃ');
    expect(text2mecab('a\u0000b')).toBe('ａ');
  });

  it('turns half-width katakana into katakana, folding a following voicing mark in', () => {
    expect(text2mecab('ｶﾞｷﾞｳﾞﾊﾟｱ')).toBe('ガギヴパア');
    expect(text2mecab('ｱﾞﾞﾟ')).toBe('ア');
    expect(text2mecab('｡｢｣､･ｰ')).toBe('。「」、・ー');
  });

  it('passes every other character through', () => {
    expect(text2mecab('漢字かなカナ😀')).toBe('漢字かなカナ😀');
  });
});
