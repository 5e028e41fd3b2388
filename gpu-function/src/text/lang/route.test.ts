import { describe, expect, it } from 'vitest';
import { segmentLanguages } from './lang-segmenter.ts';
import { routeLanguages } from './route.ts';

describe('LangSegmenter', () => {
  it('splits Chinese with embedded English, giving digits a neighbour language', () => {
    expect(segmentLanguages('我有3个apple')).toEqual([
      { lang: 'zh', text: '我有3个' },
      { lang: 'en', text: 'apple' },
    ]);
    expect(segmentLanguages('Hello 世界 123 test.')).toEqual([
      { lang: 'en', text: 'Hello ' },
      { lang: 'zh', text: '世界 ' },
      { lang: 'en', text: '123 test.' },
    ]);
  });

  it('labels kana Japanese and Hangul Korean', () => {
    expect(segmentLanguages('こんにちは hello')).toEqual([
      { lang: 'ja', text: 'こんにちは ' },
      { lang: 'en', text: 'hello' },
    ]);
    expect(segmentLanguages('안녕하세요')).toEqual([{ lang: 'ko', text: '안녕하세요' }]);
  });

  it('keeps only the CJK characters of unknown scripts and resolves the rest to a neighbour', () => {
    expect(segmentLanguages('Привет мир')).toEqual([{ lang: 'zh', text: ' ' }]);
    expect(segmentLanguages('🙂 hello')).toEqual([
      { lang: 'zh', text: ' ' },
      { lang: 'en', text: 'hello' },
    ]);
  });

  it('gives every non-English run the default language', () => {
    expect(segmentLanguages('Hello 世界 123 test.', 'zh')).toEqual([
      { lang: 'en', text: 'Hello ' },
      { lang: 'zh', text: '世界 123 ' },
      { lang: 'en', text: 'test.' },
    ]);
  });
});

describe('language routing per text_lang', () => {
  it('reads en text as one English run, spaces collapsed', () => {
    expect(routeLanguages('Hi  你好', 'en')).toEqual([{ lang: 'en', text: 'Hi 你好' }]);
  });

  it('labels the non-English runs of zh/ja/ko/yue text with the requested language', () => {
    expect(routeLanguages('こんにちは世界hello', 'zh')).toEqual([
      { lang: 'zh', text: 'こんにちは世界' },
      { lang: 'en', text: 'hello' },
    ]);
    expect(routeLanguages('你好hello', 'yue')).toEqual([
      { lang: 'yue', text: '你好' },
      { lang: 'en', text: 'hello' },
    ]);
  });

  it('reads zh as Cantonese for auto_yue and all_yue', () => {
    expect(routeLanguages('你好hello', 'auto_yue')[0]).toEqual({ lang: 'yue', text: '你好' });
    expect(routeLanguages('你好hello', 'all_yue')[0]).toEqual({ lang: 'yue', text: '你好' });
  });

  it('detects languages for auto', () => {
    expect(routeLanguages('Hello, 你好。', 'auto')).toEqual([
      { lang: 'en', text: 'Hello, ' },
      { lang: 'zh', text: '你好。' },
    ]);
  });

  it('keeps English runs English in all_ja / all_ko', () => {
    expect(routeLanguages('東京 Tokyo', 'all_ja')).toEqual([
      { lang: 'ja', text: '東京 ' },
      { lang: 'en', text: 'Tokyo' },
    ]);
  });
});
