import { describe, expect, it } from 'vitest';
import { mergeErhua } from './erhua.ts';
import { opencpopPhones, opencpopSyllables } from './opencpop.ts';
import { createPypinyinSource, toTone3 } from './pypinyin-source.ts';
import { splitSyllable, syllablePhones } from './syllable.ts';
import { modifiedTone, preMergeForModify } from './tone-sandhi.ts';
import { EMPTY_ZH_WORD_LISTS, type ZhWordLists } from './word-lists.ts';

/** A few words standing in for GPT-SoVITS's lists, which are the user's data (the bundle reads them). */
const LISTS: ZhWordLists = {
  mustNeutralTone: new Set(['东西', '这个']),
  mustNotNeutralTone: new Set(['男子']),
  mustErhua: new Set(['小院儿', '胡同儿']),
  notErhua: new Set(['婴儿', '花儿', '女儿']),
};

// Expected values below are GPT-SoVITS's own (ToneSandhi.modified_tone, pre_merge_for_modify, _merge_erhua) on the
// same inputs, finals from pypinyin's FINALS_TONE3 strict style.
type Case = readonly [string, string, readonly string[], readonly string[]];
const TONE_CASES: readonly Case[] = [
  ['不对', 'd', ['u2', 'uei4'], ['u2', 'uei4']],
  ['不是', 'v', ['u2', 'i4'], ['u2', 'i4']],
  ['对不起', 'l', ['uei4', 'u4', 'i3'], ['uei4', 'u5', 'i3']],
  ['不好', 'd', ['u4', 'ao3'], ['u4', 'ao3']],
  ['一个', 'm', ['i2', 'e4'], ['i2', 'e5']],
  ['一天', 'm', ['i1', 'ian1'], ['i4', 'ian1']],
  ['第一', 'm', ['i4', 'i1'], ['i4', 'i1']],
  ['看一看', 'v', ['an4', 'i1', 'an4'], ['an4', 'i5', 'an4']],
  ['一二三', 'm', ['i1', 'er4', 'an1'], ['i1', 'er4', 'an1']],
  ['一,', 'm', ['i1', ','], ['i1', ',']],
  ['东西', 'n', ['ong1', 'i1'], ['ong1', 'i5']],
  ['我们', 'r', ['uo3', 'en5'], ['uo3', 'en5']],
  ['桌子', 'n', ['uo1', 'i5'], ['uo1', 'i5']],
  ['好吧', 'y', ['ao3', 'a5'], ['ao3', 'a5']],
  ['看看', 'v', ['an4', 'an4'], ['an4', 'an5']],
  ['试试', 'v', ['i4', 'i4'], ['i4', 'i5']],
  ['我的', 'r', ['uo3', 'e5'], ['uo3', 'e5']],
  ['走过', 'v', ['ou3', 'uo4'], ['ou3', 'uo4']],
  ['了', 'ul', ['e5'], ['e5']],
  ['屋里', 's', ['u1', 'i3'], ['u1', 'i5']],
  ['上来', 'v', ['ang4', 'ai2'], ['ang4', 'ai5']],
  ['三个', 'm', ['an1', 'e4'], ['an1', 'e5']],
  ['这个', 'r', ['e4', 'e5'], ['e4', 'e5']],
  ['你好', 'l', ['i3', 'ao3'], ['i2', 'ao3']],
  ['展览馆', 'n', ['an3', 'an3', 'uan3'], ['an2', 'an2', 'uan3']],
  ['好几把', 'm', ['ao3', 'i3', 'a3'], ['ao2', 'i2', 'a3']],
  ['纸老虎', 'n', ['i3', 'ao3', 'u3'], ['i3', 'ao2', 'u3']],
  ['水果', 'n', ['uei3', 'uo3'], ['uei2', 'uo3']],
  ['手表厂', 'n', ['ou3', 'iao3', 'ang3'], ['ou2', 'iao2', 'ang3']],
  ['老老实实', 'z', ['ao3', 'ao3', 'i2', 'i2'], ['ao2', 'ao3', 'i2', 'i2']],
  ['冷冷清清', 'z', ['eng3', 'eng3', 'ing1', 'ing1'], ['eng2', 'eng3', 'ing1', 'ing1']],
  ['小雨伞', 'n', ['iao3', 'v3', 'an3'], ['iao3', 'v2', 'an3']],
];
const ERHUA_CASES: readonly Case[] = [
  ['花儿', 'n', ['ua1', 'er2'], ['ua1', 'er2']],
  ['女儿', 'n', ['v3', 'er2'], ['v3', 'er2']],
  ['小院儿', 'n', ['iao3', 'van4', 'er2'], ['iao3', 'van4', 'er4']],
  ['哪儿', 'r', ['a3', 'er5'], ['a3', 'er3']],
  ['张三儿', 'nr', ['ang1', 'an1', 'er2'], ['ang1', 'an1', 'er2']],
  ['儿', 'n', ['er1'], ['er2']],
  ['好玩儿', 'a', ['ao3', 'uan2', 'er2'], ['ao3', 'uan2', 'er2']],
  ['胡同儿', 'n', ['u2', 'ong5', 'er2'], ['u2', 'ong5', 'er5']],
];
const MERGE_CASES: readonly (readonly [readonly (readonly [string, string])[], readonly (readonly [string, string])[]])[] = [
  [[['不', 'd'], ['对', 'a']], [['不对', 'a']]],
  [[['看', 'v'], ['一', 'm'], ['看', 'v']], [['看一看', 'v']]],
  [[['一', 'm'], ['天', 'q']], [['一天', 'm']]],
  [[['谢谢', 'v'], ['谢谢', 'v']], [['谢谢谢谢', 'v']]],
  [[['你', 'r'], ['好', 'a']], [['你好', 'r']]],
  [[['老', 'a'], ['老虎', 'n']], [['老老虎', 'a']]],
  [[['我', 'r'], ['想', 'v'], ['买', 'v'], ['雨伞', 'n']], [['我想', 'r'], ['买雨伞', 'v']]],
  [[['花', 'n'], ['儿', 'n']], [['花儿', 'n']]],
  [[['不', 'd']], [['不', 'd']]],
];
/** FINALS_TONE3 of the words the merge cases use (pypinyin's readings). */
const FINALS: Readonly<Record<string, readonly string[]>> = {
  不: ['u4'], 对: ['uei4'], 看: ['an4'], 一: ['i1'], 天: ['ian1'], 谢谢: ['ie4', 'ie5'], 你: ['i3'], 好: ['ao3'], 老: ['ao3'],
  老虎: ['ao3', 'u3'], 我: ['uo3'], 想: ['iang3'], 买: ['ai3'], 雨伞: ['v3', 'an3'], 花: ['ua1'], 儿: ['er2'],
};

describe('tone sandhi (不, 一, neutral tone, third tone)', () => {
  it('matches modified_tone word by word', () => {
    for (const [word, pos, finals, expected] of TONE_CASES) expect([word, modifiedTone(word, pos, finals, LISTS)]).toEqual([word, expected]);
  });

  it('reads the neutral-tone word lists it is given', () => {
    expect(modifiedTone('东西', 'n', ['ong1', 'i1'], EMPTY_ZH_WORD_LISTS)).toEqual(['ong1', 'i1']);
    expect(modifiedTone('男子', 'n', ['an2', 'i3'], EMPTY_ZH_WORD_LISTS)).toEqual(['an2', 'i5']);
    expect(modifiedTone('男子', 'n', ['an2', 'i3'], LISTS)).toEqual(['an2', 'i3']);
    // A listed word's last two characters count too (`word[-2:] in must_neural_tone_words`).
    expect(modifiedTone('买东西', 'v', ['ai3', 'ong1', 'i1'], LISTS).at(-1)).toBe('i5');
  });

  it('matches pre_merge_for_modify (不/一 merges, reduplication, third-tone runs, 儿)', () => {
    const finalsOf = (word: string): string[] => [...(FINALS[word] ?? [])];
    for (const [seg, expected] of MERGE_CASES) {
      const merged = preMergeForModify(seg.map(([word, pos]) => ({ word, pos })), finalsOf);
      expect(merged.map(({ word, pos }) => [word, pos])).toEqual(expected);
    }
  });

  it('skips a third-tone merge step on an empty final, as the Python try/except does', () => {
    const merged = preMergeForModify([{ word: '你', pos: 'r' }, { word: '好', pos: 'a' }], (word) => (word === '你' ? [''] : ['ao3']));
    expect(merged.map((w) => w.word)).toEqual(['你', '好']);
  });
});

describe('erhua (v2)', () => {
  it('matches _merge_erhua', () => {
    for (const [word, pos, finals, expected] of ERHUA_CASES) expect([word, mergeErhua(finals, word, pos, LISTS)]).toEqual([word, expected]);
  });

  it('reads the erhua word lists it is given', () => {
    expect(mergeErhua(['ing1', 'er2'], '婴儿', 'n', EMPTY_ZH_WORD_LISTS)).toEqual(['ing1', 'er1']);
    expect(mergeErhua(['ing1', 'er2'], '婴儿', 'n', LISTS)).toEqual(['ing1', 'er2']);
    expect(mergeErhua(['iao3', 'van4', 'er2'], '小院儿', 'a', EMPTY_ZH_WORD_LISTS)).toEqual(['iao3', 'van4', 'er2']);
    expect(mergeErhua(['iao3', 'van4', 'er2'], '小院儿', 'a', LISTS)).toEqual(['iao3', 'van4', 'er4']);
  });
});

describe('pinyin syllables to GPT-SoVITS symbols', () => {
  it('knows the 429 syllables of opencpop-strict.txt', () => {
    expect(opencpopSyllables()).toHaveLength(429);
    expect(opencpopPhones('zhi')).toEqual(['zh', 'ir']);
    expect(opencpopPhones('zi')).toEqual(['z', 'i0']);
    expect(opencpopPhones('yu')).toEqual(['y', 'v']);
    expect(opencpopPhones('yan')).toEqual(['y', 'En']);
    expect(opencpopPhones('e')).toEqual(['EE', 'e']);
    expect(opencpopPhones('ju')).toEqual(['j', 'v']);
    expect(opencpopPhones('hm')).toBeUndefined();
  });

  it('splits TONE3 pinyin into pypinyin strict initials and finals', () => {
    const split = (char: string, pinyin: string): [string, string] => {
      const { initial, final } = splitSyllable(char, pinyin);
      return [initial, final];
    };
    expect(split('绿', 'lv4')).toEqual(['l', 'v4']);
    expect(split('鱼', 'yu2')).toEqual(['', 'v2']);
    expect(split('有', 'you3')).toEqual(['', 'iou3']);
    expect(split('贵', 'gui4')).toEqual(['g', 'uei4']);
    expect(split('军', 'jun1')).toEqual(['j', 'vn1']);
    expect(split('我', 'wo3')).toEqual(['', 'uo3']);
    expect(split('了', 'le')).toEqual(['l', 'e5']);
    expect(split('嗯', 'ng4')).toEqual(['n', '']);
    expect(split(',', ',')).toEqual([',', ',']);
  });

  it('maps (initial, final) to phones as chinese2.py does, UNK for syllables outside opencpop', () => {
    expect(syllablePhones({ initial: '', final: 'iou3' })).toEqual(['y', 'ou3']);
    expect(syllablePhones({ initial: 'g', final: 'uei4' })).toEqual(['g', 'ui4']);
    expect(syllablePhones({ initial: 'zh', final: 'i1' })).toEqual(['zh', 'ir1']);
    expect(syllablePhones({ initial: 'z', final: 'i4' })).toEqual(['z', 'i04']);
    expect(syllablePhones({ initial: '', final: 'v2' })).toEqual(['y', 'v2']);
    expect(syllablePhones({ initial: '', final: 'ing2' })).toEqual(['y', 'ing2']);
    expect(syllablePhones({ initial: '', final: 'e2' })).toEqual(['EE', 'e2']);
    expect(syllablePhones({ initial: '', final: 'uen1' })).toEqual(['w', 'en1']);
    expect(syllablePhones({ initial: ',', final: ',' })).toEqual([',']);
    expect(syllablePhones({ initial: 'n', final: '' })).toEqual(['UNK']);
  });
});

describe('pypinyin-dictionary source', () => {
  const source = createPypinyinSource({
    pinyinDict: { [String('长'.codePointAt(0))]: 'zhǎng,cháng', [String('大'.codePointAt(0))]: 'dà', [String('了'.codePointAt(0))]: 'le,liǎo' },
    phrasesDict: { 长大: [['zhǎng'], ['dà']], 长长: [['cháng'], ['cháng']] },
  });

  it('converts tone marks to TONE3 with v for ü and 5 for the neutral tone', () => {
    expect(toTone3('lǜ')).toBe('lv4');
    expect(toTone3('le')).toBe('le5');
    expect(toTone3('ń')).toBe('n2');
  });

  it('uses phrases by forward maximum matching, else each character’s first reading', () => {
    expect(source.read('长大了')).toEqual(['zhang3', 'da4', 'le5']);
    expect(source.read('长长,了')).toEqual(['chang2', 'chang2', ',', 'le5']);
    expect(source.read('大长')).toEqual(['da4', 'zhang3']);
  });
});
