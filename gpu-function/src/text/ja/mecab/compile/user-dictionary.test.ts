/**
 * User-dictionary CSVs compiled as pyopenjtalk's `mecab_dict_index` compiles them, checked without any external tool
 * (genuine-mecab.test.ts and the ja-userdic parity test compare bytes with the genuine compilers): how fields are
 * read, where ids come from, and which CSVs are refused with the line to fix.
 */
import { describe, expect, it } from 'vitest';
import { FAKE_JA_DEFINITIONS } from '../../../frontend-data/test-install.ts';
import { MecabDictionaryFile } from '../dictionary-file.ts';
import { ConnectionMatrix } from '../matrix.ts';
import { tinyDictionaryFiles } from '../tiny-dictionary.ts';
import { compileUserDictionary, userDictionaryEntries } from './user-dictionary.ts';
import { toInt, tokenizeCsv } from './mecab-text.ts';

const definitions = {
  rewrite: FAKE_JA_DEFINITIONS['rewrite.def'],
  leftId: FAKE_JA_DEFINITIONS['left-id.def'],
  rightId: FAKE_JA_DEFINITIONS['right-id.def'],
  posId: FAKE_JA_DEFINITIONS['pos-id.def'],
};
const NOUN = '名詞,固有名詞,一般,*,*,*,ｃａｔ,キャット,キャット,1/3,*';

describe('MeCab CSV fields', () => {
  it('unquotes only fields that open with a quote, and the last field keeps the rest of the line', () => {
    expect(tokenizeCsv('"a,""b",1, 2 ,x,y,z', 5)).toEqual(['a,"b', '1', '2 ', 'x', 'y,z']);
    expect(tokenizeCsv('a,,,', 5)).toEqual(['a', '', '']);
    expect(tokenizeCsv('a,1,1,5,"名詞,一般",*', 5)).toEqual(['a', '1', '1', '5', '名詞,一般",*']);
  });

  it('reads numbers with atoi: empty is "not given", * is 0', () => {
    expect([toInt(''), toInt('*'), toInt(' 12x'), toInt('-1')]).toEqual([0x7fffffff, 0, 12, -1]);
  });
});

describe('user dictionary compiling', () => {
  it('takes given ids, reads * as context id 0 and looks empty or negative ids up from the feature', () => {
    const csv = `ａ,1,2,10,${NOUN}\nｂ,*,*,-32767,${NOUN}\nｃ,,,5,${NOUN}\nｄ,-1,-1,5,助詞,格助詞,*,*,*,*,ｄ,デ,デ,0/1,*\n`;
    expect(userDictionaryEntries(csv, definitions).map((e) => [e.surface, e.leftId, e.rightId, e.cost, e.posId])).toEqual([
      ['ａ', 1, 2, 10, 1],
      ['ｂ', 0, 0, -32767, 1],
      ['ｃ', 1, 1, 5, 1],
      ['ｄ', 2, 2, 5, 2],
    ]);
  });

  it('stores costs as 16-bit, drops a CR line end, skips blank lines and marks unmatched POS as 0xffff', () => {
    const matrix = new ConnectionMatrix(tinyDictionaryFiles()['matrix.bin'], 'matrix.bin');
    const bytes = compileUserDictionary(`ａ,1,1,70000,感動詞,*,*,*,*,*,ａ,エー,エー,1/2,*\r\n\nｂ,1,1,1,${NOUN}\n`, { matrix }, definitions);
    const file = new MecabDictionaryFile(bytes, 'user.dic');
    expect(file.type).toBe('user');
    expect(file.charset).toBe('utf-8');
    expect(file.size).toBe(2);
    expect(file.token(0)).toMatchObject({ wordCost: 4464, posId: 0xffff });
    expect(file.feature(file.token(0).featureOffset)).toBe('感動詞,*,*,*,*,*,ａ,エー,エー,1/2,*');
  });

  it('refuses, naming the line, what OpenJTalk’s compiler would crash on or store as garbage', () => {
    const matrix = new ConnectionMatrix(tinyDictionaryFiles()['matrix.bin'], 'matrix.bin');
    expect(() => userDictionaryEntries(`ａ,*,*,,${NOUN}\n`, definitions, 'u.csv')).toThrow(/u\.csv:1: empty cost/u);
    expect(() => userDictionaryEntries(`ａ,*,*,1,${NOUN}\nｂ,1,1\n`, definitions, 'u.csv')).toThrow(/u\.csv:2: format error/u);
    expect(() => userDictionaryEntries(`ａ,,,1,${NOUN}\n`, {}, 'u.csv')).toThrow(/u\.csv:1: .*needs the system dictionary's rewrite\.def/u);
    expect(() => userDictionaryEntries('ａ,,,1,副詞,*,*,*,*,*,ａ,エー,エー,1/2,*\n', definitions, 'u.csv')).toThrow(/u\.csv:1: left-id\.def has no id for "副詞"/u);
    expect(() => compileUserDictionary(`ａ,5,5,1,${NOUN}\n`, { matrix }, definitions, 'u.csv')).toThrow(/u\.csv: entry 1 .*outside the 3×3 matrix/u);
    expect(() => userDictionaryEntries(new Uint8Array([0xff, 0x2c]), definitions, 'u.csv')).toThrow(/u\.csv: not UTF-8/u);
  });
});
