import { describe, expect, it } from 'vitest';
import { charDefaultType, charGroup, charInvoke, charLength, charTypes, CharProperty, readChar } from './char-property.ts';
import { encodeMecabDictionary } from './compile/index.ts';
import { MecabDictionaryFile } from './dictionary-file.ts';
import { mecabDictionaryFromBytes } from './dictionary-folder.ts';
import { ConnectionMatrix } from './matrix.ts';
import { TINY_CHARS, TINY_LEXICON, tinyDictionaryFiles, tinyUserDictionary } from './tiny-dictionary.ts';

const encoder = new TextEncoder();
const files = tinyDictionaryFiles();
const named = (overrides: Partial<typeof files> = {}): Parameters<typeof mecabDictionaryFromBytes>[0]['files'] => {
  const all = { ...files, ...overrides };
  return {
    'sys.dic': { bytes: all['sys.dic'], name: 'sys.dic' },
    'unk.dic': { bytes: all['unk.dic'], name: 'unk.dic' },
    'matrix.bin': { bytes: all['matrix.bin'], name: 'matrix.bin' },
    'char.bin': { bytes: all['char.bin'], name: 'char.bin' },
  };
};

describe('MeCab dictionary file', () => {
  const sys = new MecabDictionaryFile(files['sys.dic'], 'sys.dic');

  it('reads the header', () => {
    expect(sys).toMatchObject({ type: 'system', size: TINY_LEXICON.length, leftSize: 3, rightSize: 3, charset: 'UTF-8' });
  });

  it('maps a surface to its tokens and their features, in dictionary order', () => {
    const value = sys.trie.exactMatchSearch(encoder.encode('は'));
    const { first, count } = MecabDictionaryFile.tokenRange(value);
    expect(count).toBe(2);
    const tokens = [sys.token(first), sys.token(first + 1)];
    expect(tokens.map((t) => [t.leftId, t.rightId, t.wordCost])).toEqual([
      [2, 2, 100],
      [2, 2, 100],
    ]);
    expect(tokens.map((t) => sys.feature(t.featureOffset))).toEqual(['助詞,係助詞,は,ワ', '助詞,副助詞,は,ワ']);
  });

  it('keeps negative word costs', () => {
    const bytes = encodeMecabDictionary({ type: 'user', leftSize: 3, rightSize: 3, entries: [{ surface: 'x', leftId: 1, rightId: 2, cost: -3000, feature: 'f' }] });
    const file = new MecabDictionaryFile(bytes, 'user.dic');
    expect(file.token(MecabDictionaryFile.tokenRange(file.trie.exactMatchSearch(encoder.encode('x'))).first)).toMatchObject({ wordCost: -3000, leftId: 1, rightId: 2 });
  });

  it('refuses damaged, foreign and non-UTF-8 files, naming them', () => {
    const copy = (): Uint8Array => files['sys.dic'].slice();
    expect(() => new MecabDictionaryFile(copy().subarray(0, 60), 'short.dic')).toThrow(/short\.dic: not a MeCab dictionary/u);
    expect(() => new MecabDictionaryFile(copy().subarray(0, files['sys.dic'].length - 8), 'cut.dic')).toThrow(/cut\.dic: .*magic/u);
    const version = copy();
    new DataView(version.buffer).setUint32(4, 101, true);
    expect(() => new MecabDictionaryFile(version, 'old.dic')).toThrow(/old\.dic: MeCab dictionary version 101/u);
    const eucjp = copy();
    eucjp.fill(0, 40, 72).set(encoder.encode('EUC-JP'), 40);
    expect(() => new MecabDictionaryFile(eucjp, 'euc.dic')).toThrow(/euc\.dic: compiled for charset "EUC-JP"/u);
    const sizes = copy();
    new DataView(sizes.buffer).setUint32(24, new DataView(sizes.buffer).getUint32(24, true) + 8, true);
    expect(() => new MecabDictionaryFile(sizes, 'sizes.dic')).toThrow(/sizes\.dic: damaged/u);
  });
});

describe('matrix.bin', () => {
  const matrix = new ConnectionMatrix(files['matrix.bin'], 'matrix.bin');
  it('reads costs by (left node right id, right node left id)', () => {
    expect([matrix.leftSize, matrix.rightSize]).toEqual([3, 3]);
    expect(matrix.cost(0, 2)).toBe(400);
    expect(matrix.cost(2, 0)).toBe(0);
    expect(() => matrix.cost(3, 0)).toThrow(/outside the 3×3 matrix/u);
  });
  it('refuses a file whose size does not match its dimensions', () => {
    expect(() => new ConnectionMatrix(files['matrix.bin'].subarray(0, 10), 'm.bin')).toThrow(/m\.bin: damaged/u);
  });
});

describe('char.bin', () => {
  const chars = new CharProperty(files['char.bin'], 'char.bin');
  const id = (name: string): number => TINY_CHARS.categories.findIndex((c) => c.name === name);

  it('reads category names and each character flags', () => {
    expect(chars.categories).toEqual(TINY_CHARS.categories.map((c) => c.name));
    const katakana = chars.infoOf('ア'.codePointAt(0) ?? 0);
    expect([charDefaultType(katakana), charInvoke(katakana), charGroup(katakana), charLength(katakana)]).toEqual([id('KATAKANA'), true, true, 0]);
    const kanji = chars.infoOf('漢'.codePointAt(0) ?? 0);
    expect([charDefaultType(kanji), charInvoke(kanji), charGroup(kanji), charLength(kanji)]).toEqual([id('KANJI'), false, false, 2]);
    // 〇: KANJI's flags, both categories in its set.
    expect(charTypes(chars.infoOf(0x3007))).toBe((1 << id('KANJI')) | (1 << id('NUMERIC')));
    expect(charDefaultType(chars.infoOf(0x3042))).toBe(id('DEFAULT'));
    expect(chars.infoOf(0xffff)).toBe(0);
  });

  it('refuses a file of the wrong size', () => {
    expect(() => new CharProperty(files['char.bin'].subarray(0, 1000), 'c.bin')).toThrow(/c\.bin: damaged/u);
  });

  it("reads UTF-8 as MeCab's utf8_to_ucs2 does", () => {
    const bytes = encoder.encode('aé漢😀');
    expect([0, 1, 3, 6].map((pos) => readChar(bytes, pos, bytes.length))).toEqual([
      { code: 0x61, length: 1 },
      { code: 0xe9, length: 2 },
      { code: 0x6f22, length: 3 },
      { code: 0, length: 4 },
    ]);
    // A stray continuation byte, a sequence cut by the end of the window, the NUL after the text.
    expect(readChar(Uint8Array.of(0x80), 0, 1)).toEqual({ code: 0, length: 1 });
    expect(readChar(bytes, 3, 5)).toEqual({ code: 0, length: 1 });
    expect(readChar(bytes, bytes.length, bytes.length)).toEqual({ code: 0, length: 1 });
  });
});

describe('dictionary folder checks', () => {
  it('refuses files of different dictionaries and misplaced types', () => {
    const otherMatrix = encodeMecabDictionary({ type: 'system', leftSize: 4, rightSize: 4, entries: [] });
    expect(() => mecabDictionaryFromBytes({ files: named({ 'sys.dic': otherMatrix }) })).toThrow(/sys\.dic: compiled against a 4×4 connection matrix/u);
    expect(() => mecabDictionaryFromBytes({ files: named({ 'sys.dic': files['unk.dic'] }) })).toThrow(/sys\.dic: a MeCab unknown dictionary where a system dictionary belongs/u);
    expect(() => mecabDictionaryFromBytes({ files: named(), users: [{ bytes: files['sys.dic'], name: 'u.dic' }] })).toThrow(/u\.dic: a MeCab system dictionary/u);
    const incompatible = encodeMecabDictionary({ type: 'user', leftSize: 4, rightSize: 4, entries: [] });
    expect(() => mecabDictionaryFromBytes({ files: named(), users: [{ bytes: incompatible, name: 'u.dic' }] })).toThrow(/u\.dic: a user dictionary compiled for another system dictionary/u);
    expect(mecabDictionaryFromBytes({ files: named(), users: [{ bytes: tinyUserDictionary(), name: 'u.dic' }] }).users).toHaveLength(1);
  });
});
