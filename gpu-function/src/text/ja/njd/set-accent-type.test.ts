import { describe, expect, it } from 'vitest';
import { chainRuleFor, setAccentType } from './set-accent-type.ts';
import { wordsOf } from './test-words.ts';
import type { NjdWordList } from './word.ts';

function accents(words: NjdWordList): number[] {
  setAccentType(words);
  return [...words].map((word) => word.acc);
}

function chained(words: NjdWordList, ...flags: number[]): NjdWordList {
  let index = 0;
  for (const word of words) word.chainFlag = flags[index++] ?? word.chainFlag;
  return words;
}

describe('njd_set_accent_type', () => {
  it('reads chain rules as OpenJTalk does: the first alternative whose part of speech the previous word contains', () => {
    expect(chainRuleFor('名詞%F1/動詞%F2@0/形容詞%F2@-1', '形容詞')).toEqual({ type: 'F2', shift: -1 });
    expect(chainRuleFor('名詞%F1/動詞%F2@0', '名詞')).toEqual({ type: 'F1', shift: 0 });
    // 動詞 is found inside 助動詞, as OpenJTalk's substring test finds it.
    expect(chainRuleFor('動詞%F2@1', '助動詞')).toEqual({ type: 'F2', shift: 1 });
    expect(chainRuleFor('動詞%F2@1', '名詞')).toEqual({ type: '*', shift: 0 });
    expect(chainRuleFor('C3', '名詞')).toEqual({ type: 'C3', shift: 0 });
    expect(chainRuleFor('名詞%F1/P1', '動詞')).toEqual({ type: 'P1', shift: 0 });
  });

  it('moves the phrase accent by the joining words\' combination types', () => {
    // 人間(0/4) + です(F2@1 after a noun): a flat phrase gets its accent on the mora after the noun.
    const words = chained(
      wordsOf(['人間', '名詞,一般,*,*,*,*,人間,ニンゲン,ニンゲン,0/4,C2'], ['です', '助動詞,*,*,*,特殊・デス,基本形,です,デス,デス,1/2,名詞%F2@1/動詞%F1']),
      -1,
      1,
    );
    expect(accents(words)).toEqual([5, 1]);
  });

  it('joins compound nouns by their C types', () => {
    const c1 = chained(wordsOf(['東京', '名詞,固有名詞,地域,一般,*,*,東京,トウキョウ,トーキョー,0/4,C1'], ['大学', '名詞,一般,*,*,*,*,大学,ダイガク,ダイガク,0/4,C1']), -1, 1);
    expect(accents(c1)).toEqual([4, 0]);
    const c2 = chained(wordsOf(['東京', '名詞,固有名詞,地域,一般,*,*,東京,トウキョウ,トーキョー,0/4,C1'], ['駅', '名詞,接尾,地域,*,*,*,駅,エキ,エキ,1/2,C2']), -1, 1);
    expect(accents(c2)).toEqual([5, 1]);
  });

  it('gives numerals before powers of ten their spoken accents', () => {
    const numeral = (text: string, read: string, acc: string): [string, string] => [text, `名詞,数,*,*,*,*,${text},${read},${read},${acc},C3`];
    const sanbyaku = chained(wordsOf(numeral('三', 'サン', '0/2'), numeral('百', 'ヒャク', '2/2')), -1, 1);
    expect(accents(sanbyaku)).toEqual([1, 2]);
    const nanahyaku = chained(wordsOf(numeral('七', 'ナナ', '1/2'), numeral('百', 'ヒャク', '2/2')), -1, 1);
    expect(accents(nanahyaku)).toEqual([2, 2]);
    const gojuuichi = chained(wordsOf(numeral('五', 'ゴ', '1/1'), numeral('十', 'ジュウ', '1/2'), numeral('一', 'イチ', '2/2')), -1, 1, 1);
    // 五 goes flat before 十 + digit, then 一's C3 join puts the phrase accent after 五十 (OpenJTalk's order).
    expect(accents(gojuuichi)).toEqual([3, 1, 2]);
  });
});
