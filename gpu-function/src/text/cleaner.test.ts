import { ApiError } from '@gsv-edge/shared';
import { describe, expect, it } from 'vitest';
import { cleanText } from './cleaner.ts';
import type { LanguageG2p } from './types.ts';

/** A Mandarin stand-in: one "a1" per CJK character, "," for commas, an off-table phone for "?". */
const stubZh: LanguageG2p = {
  language: 'zh',
  convert(text) {
    const chars = Array.from(text).filter((char) => /[\p{Script=Han},?]/u.test(char));
    const phones = chars.map((char) => (char === ',' ? ',' : char === '?' ? 'not-a-symbol' : 'a1'));
    return { normText: chars.join(''), phones, word2ph: phones.map(() => 1) };
  },
};

describe('clean_text dispatch', () => {
  it('turns the ￥ and ^ pause marks of Mandarin into SP2 and SP3', () => {
    expect(cleanText('你￥好', 'zh', 'v2', { zh: stubZh }).phones).toEqual(['a1', 'SP2', 'a1']);
    expect(cleanText('你^好,', 'zh', 'v2', { zh: stubZh }).phones).toEqual(['a1', 'SP3', 'a1', 'SP3']);
  });

  it('maps phones missing from the symbol table to UNK', () => {
    expect(cleanText('你?', 'zh', 'v2', { zh: stubZh }).phones).toEqual(['a1', 'UNK']);
  });

  it('refuses languages without a module with language_not_supported on text_lang', () => {
    const attempt = (): unknown => cleanText('こんにちは', 'ja', 'v2', { zh: stubZh });
    expect(attempt).toThrow(ApiError);
    try {
      attempt();
    } catch (error) {
      expect(error).toMatchObject({ code: 'language_not_supported', param: 'text_lang', status: 400 });
      expect((error as Error).message).toContain('こんにちは');
      expect((error as Error).message).toContain('ja');
    }
  });
});
