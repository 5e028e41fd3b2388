import { describe, expect, it } from 'vitest';
import { setAccentPhrase } from './set-accent-phrase.ts';
import { wordsOf } from './test-words.ts';

const flags = (...entries: (readonly [string, string])[]): number[] => {
  const words = wordsOf(...entries);
  setAccentPhrase(words);
  return [...words].map((word) => word.chainFlag);
};

const NOUN = (text: string, group = '一般'): [string, string] => [text, `名詞,${group},*,*,*,*,${text},ア,ア,0/1,C1`];
const PARTICLE = (text: string): [string, string] => [text, `助詞,格助詞,一般,*,*,*,${text},ア,ア,0/1,*`];
const VERB = (text: string, group = '自立', cform = '基本形'): [string, string] => [text, `動詞,${group},*,*,一段,${cform},${text},ア,ア,0/1,*`];
const ADJECTIVE = (text: string, group = '自立'): [string, string] => [text, `形容詞,${group},*,*,形容詞・アウオ段,基本形,${text},ア,ア,0/1,*`];

describe('njd_set_accent_phrase', () => {
  it('joins nouns in a row and attaches particles, leaving the first word unset', () => {
    expect(flags(NOUN('東京'), NOUN('大学'), PARTICLE('に'))).toEqual([-1, 1, 1]);
  });

  it('starts a phrase for a content word after a particle, and for a noun after a verb or adjective', () => {
    expect(flags(NOUN('本'), PARTICLE('を'), VERB('読む'), NOUN('人'))).toEqual([-1, 1, 0, 0]);
    expect(flags(ADJECTIVE('赤い'), NOUN('花'))).toEqual([-1, 0]);
  });

  it('attaches dependent verbs to continuative verbs; a verb after a noun starts a phrase', () => {
    expect(flags(VERB('食べ', '自立', '連用形'), VERB('始める', '非自立'))).toEqual([-1, 1]);
    // Rule 13 (a verb after a noun starts a phrase) comes later and wins over rule 12's suru-noun case.
    expect(flags(NOUN('勉強', 'サ変接続'), VERB('する', '非自立'))).toEqual([-1, 0]);
    expect(flags(NOUN('本'), VERB('読む'))).toEqual([-1, 0]);
  });

  it('attaches suffixes, isolates symbols and adverbial nouns, and keeps flags the dictionary set', () => {
    expect(flags(NOUN('田中'), ['さん', '名詞,接尾,人名,*,*,*,さん,サン,サン,0/2,*'])).toEqual([-1, 1]);
    expect(flags(NOUN('本'), ['、', '記号,読点,*,*,*,*,、,、,、,*/*,*'], NOUN('今日', '副詞可能'), NOUN('雨'))).toEqual([-1, 0, 0, 0]);
    expect(flags(NOUN('本'), ['東京都', '名詞,固有名詞,地域,一般,*,*,東京:都,ア:ア,ア:ア,0/1:1/1,C1'])).toEqual([-1, 1, 0]);
  });
});
