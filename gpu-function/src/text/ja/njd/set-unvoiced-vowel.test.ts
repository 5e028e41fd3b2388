import { describe, expect, it } from 'vitest';
import { setUnvoicedVowel } from './set-unvoiced-vowel.ts';
import { wordsOf } from './test-words.ts';

function prons(...entries: (readonly [string, string])[]): string[] {
  const words = wordsOf(...entries);
  let first = true;
  for (const word of words) {
    // Accent phrases as the earlier rules leave them: every word after the first joins unless it says otherwise.
    if (!first && word.chainFlag < 0) word.chainFlag = 1;
    first = false;
  }
  setUnvoicedVowel(words);
  return [...words].map((word) => word.pron);
}

const NOUN = (text: string, pron: string, acc: string): [string, string] => [text, `名詞,一般,*,*,*,*,${text},${pron},${pron},${acc},C1`];
const PAUSE: [string, string] = ['。', '記号,句点,*,*,*,*,。,、,、,0/0,*'];

describe('njd_set_unvoiced_vowel', () => {
  it('devoices i and u between voiceless consonants, but not on the accent nucleus', () => {
    expect(prons(NOUN('菊', 'キク', '0/2'), PAUSE)).toEqual(['キ’ク', '、']);
    // Accent on キ (nucleus 1): not devoiced.
    expect(prons(NOUN('菊', 'キク', '1/2'), PAUSE)).toEqual(['キク', '、']);
  });

  it('keeps s before s and h/f before h, and never devoices two morae in a row', () => {
    expect(prons(NOUN('すし', 'スシ', '0/2'), PAUSE)).toEqual(['スシ', '、']);
    expect(prons(NOUN('ふふ', 'フフ', '0/2'), PAUSE)).toEqual(['フフ', '、']);
    expect(prons(NOUN('きくち', 'キクチ', '0/3'), PAUSE)).toEqual(['キ’クチ', '、']);
  });

  it('devoices the す of です/ます unless a question mark or long vowel follows', () => {
    const desu: [string, string] = ['です', '助動詞,*,*,*,特殊・デス,基本形,です,デス,デス,1/2,*'];
    expect(prons(NOUN('本', 'ホン', '1/2'), desu, PAUSE)).toEqual(['ホン', 'デス’', '、']);
    expect(prons(NOUN('本', 'ホン', '1/2'), desu, ['？', '記号,一般,*,*,*,*,？,？,？,0/0,*'])).toEqual(['ホン', 'デス', '？']);
  });

  it('keeps a devoicing mark the dictionary already gives, and leaves fillers voiced', () => {
    expect(prons(['し', '動詞,自立,*,*,サ変・スル,連用形,する,シ,シ’,0/1,*'], ['て', '助詞,接続助詞,*,*,*,*,て,テ,テ,0/1,*'])).toEqual(['シ’', 'テ']);
    expect(prons(['きく', 'フィラー,*,*,*,*,*,きく,キク,キク,0/2,*'], PAUSE)).toEqual(['キク', '、']);
  });
});
