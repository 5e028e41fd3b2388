import { describe, expect, it } from 'vitest';
import { mecab2njd } from './mecab2njd.ts';

describe('mecab2njd (NJDNode_load)', () => {
  it('reads a dictionary word: parts of speech, readings, accent and mora count; chain flag unset', () => {
    const [word] = mecab2njd([{ surface: '人間', feature: '名詞,一般,*,*,*,*,人間,ニンゲン,ニンゲン,0/4,C2' }]).toNodes();
    expect(word).toEqual({
      string: '人間', pos: '名詞', posGroup1: '一般', posGroup2: '*', posGroup3: '*', ctype: '*', cform: '*', orig: '人間',
      read: 'ニンゲン', pron: 'ニンゲン', acc: 0, moraSize: 4, chainRule: 'C2', chainFlag: -1,
    });
  });

  it('gives symbols and unknown words accent and mora count 0', () => {
    const nodes = mecab2njd([
      { surface: '。', feature: '記号,句点,*,*,*,*,。,。,。,*/*,*' },
      { surface: 'ｘｙ', feature: '名詞,一般,*,*,*,*,*' },
    ]).toNodes();
    expect(nodes.map((n) => [n.string, n.orig, n.read, n.acc, n.moraSize])).toEqual([
      ['。', '。', '。', 0, 0],
      ['ｘｙ', '*', '*', 0, 0],
    ]);
  });

  it('splits a compound entry into its words, the later ones starting an accent phrase', () => {
    const nodes = mecab2njd([{ surface: '東京都', feature: '名詞,固有名詞,地域,一般,*,*,東京:都,トウキョウ:ト,トーキョー:ト,0/4:1/1,C1' }]).toNodes();
    expect(nodes.map((n) => [n.string, n.orig, n.read, n.pron, n.acc, n.moraSize, n.chainRule, n.chainFlag])).toEqual([
      ['東京', '東京', 'トウキョウ', 'トーキョー', 0, 4, 'C1', -1],
      ['都', '都', 'ト', 'ト', 1, 1, 'C1', 0],
    ]);
  });
});
