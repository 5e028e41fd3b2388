import { describe, expect, it } from 'vitest';
import { setDigit } from './set-digit.ts';
import { wordsOf } from './test-words.ts';

const DIGIT_FEATURES: Record<string, string> = {
  '０': '０,ゼロ,ゼロ,1/2,C3', '１': '１,イチ,イチ,2/2,C3', '２': '２,ニ,ニ,1/1,C3', '３': '３,サン,サン,0/2,C3', '４': '４,ヨン,ヨン,1/2,C1',
  '５': '５,ゴ,ゴ,1/1,C3', '６': '６,ロク,ロク,2/2,C3', '９': '９,キュウ,キュー,1/2,C3', '，': '，,，,，,*/*,*', '．': '．,．,．,*/*,*',
};
/** MeCab's words for a written number: one numeral noun per character. */
const number = (digits: string): [string, string][] =>
  Array.from(digits, (digit) => [digit, `名詞,数,*,*,*,*,${DIGIT_FEATURES[digit] ?? `${digit},*,*,0/1,C3`}`]);
const counter = (text: string, read: string): [string, string] => [text, `名詞,接尾,助数詞,*,*,*,${text},${read},${read},1/2,C3`];
const PAUSE: [string, string] = ['。', '記号,句点,*,*,*,*,。,。,。,*/*,*'];

function read(...entries: [string, string][]): string[] {
  const words = wordsOf(...entries);
  setDigit(words);
  return [...words].map((word) => `${word.string}:${word.pron}`);
}

describe('njd_set_digit', () => {
  it('reads digits with thousands commas as a quantity, inserting the powers of ten', () => {
    expect(read(...number('１，２３４'), counter('円', 'エン'))).toEqual(['千:セン', '二:ニ', '百:ヒャク', '三:サン', '十:ジュー', '四:ヨ', '円:エン']);
    expect(read(...number('１００００'), PAUSE)).toEqual(['一:イチ', '万:マン', '。:。']);
  });

  it('reads a number with a leading zero digit by digit, lengthening 0, 2 and 5', () => {
    expect(read(...number('０９０'), PAUSE)).toEqual(['０:ゼロ', '九:キュー', '０:ゼロ', '。:。']);
    expect(read(...number('０２５'), PAUSE)).toEqual(['０:ゼロ', '二:ニー', '五:ゴー', '。:。']);
  });

  it('reads a decimal point as テン', () => {
    expect(read(...number('２．５'), PAUSE)).toEqual(['二:ニー', '．:テン', '五:ゴ', '。:。']);
  });

  it('changes numerals and counters together (六本 ろっぽん) and reads native forms (三日 みっか, 二人 ふたり)', () => {
    expect(read(...number('６'), counter('本', 'ホン'))).toEqual(['六:ロッ', '本:ポン']);
    expect(read(...number('３'), counter('日', 'ニチ'))).toEqual(['三日:ミッカ']);
    expect(read(['二', '名詞,数,*,*,*,*,二,ニ,ニ,1/1,C3'], counter('人', 'ニン'))).toEqual(['二人:フタリ']);
    expect(read(...number('２'), ['十', '名詞,数,*,*,*,*,十,ジュウ,ジュー,1/2,*'], counter('日', 'ニチ'))).toEqual(['二十日:ハツカ']);
  });

  it('leaves sentences without numerals alone', () => {
    expect(read(['本', '名詞,一般,*,*,*,*,本,ホン,ホン,1/2,C1'], PAUSE)).toEqual(['本:ホン', '。:。']);
  });
});
