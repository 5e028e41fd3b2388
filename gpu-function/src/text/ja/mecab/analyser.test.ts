/**
 * The analyser on the tiny dictionary (tiny-dictionary.ts): expectations worked out from MeCab 0.996's rules (and
 * checked against the genuine mecab by genuine-mecab.test.ts where it is installed).
 */
import { describe, expect, it } from 'vitest';
import { MecabAnalyser } from './analyser.ts';
import { mecabDictionaryFromBytes, type MecabDictionary } from './dictionary-folder.ts';
import { Tokenizer } from './tokenizer.ts';
import { tinyDictionaryFiles, tinyUserDictionary } from './tiny-dictionary.ts';

function tinyDictionary(users: readonly Uint8Array[] = []): MecabDictionary {
  const files = tinyDictionaryFiles();
  const named = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, { bytes, name }])) as Parameters<typeof mecabDictionaryFromBytes>[0]['files'];
  return mecabDictionaryFromBytes({ files: named, users: users.map((bytes, i) => ({ bytes, name: `user${i}.dic` })) });
}

const analyser = new MecabAnalyser(tinyDictionary());
const words = (text: string, with_ = analyser): string[] => with_.analyse(text).morphemes.map((m) => `${m.surface}/${m.feature.split(',')[1] ?? ''}${m.unknown ? '?' : ''}`);

describe('MeCab analysis on a tiny dictionary', () => {
  it('takes the cheapest path, with connection costs', () => {
    expect(words('東京都に')).toEqual(['東京都/固有名詞', 'に/格助詞']);
    // A particle after BOS pays the matrix's 400.
    const analysis = analyser.analyse('に東');
    expect(analysis.morphemes.map((m) => m.pathCost)).toEqual([500, 800]);
    expect(analysis.cost).toBe(800);
  });

  it('breaks ties as MeCab does: the node connected last, then the first token of a surface', () => {
    // 東+京 and 東京 both cost 600.
    expect(words('東京に')).toEqual(['東/一般', '京/一般', 'に/格助詞']);
    // Two tokens of は at the same cost.
    expect(words('は')).toEqual(['は/係助詞']);
    // Unknown 漢字+語 and 漢+字語 both cost 4000.
    expect(words('漢字語')).toEqual(['漢字/一般?', '語/一般?']);
  });

  it('makes unknown words by character category', () => {
    // KATAKANA is invoke + group: the whole run, beside the dictionary's アイ.
    expect(words('アイウに')).toEqual(['アイウ/一般?', 'に/格助詞']);
    expect(words('アイ')).toEqual(['アイ/一般?']);
    expect(words('ABC123')).toEqual(['ABC/固有名詞?', '123/数?']);
    // 〇 is KANJI (length 2) and NUMERIC, so a following digit is the same kind.
    expect(words('〇1')).toEqual(['〇1/一般?']);
    // Outside the BMP reads as U+0000 (DEFAULT); U+FFFF has no category and stops the ALPHA run.
    expect(words('😀')).toEqual(['😀/一般?']);
    expect(words('a\uffffb')).toEqual(['a/固有名詞?', '\uffff/一般?', 'b/固有名詞?']);
  });

  it('groups at most 24 more characters', () => {
    // 30 katakana: no group node until 25 remain, so five single characters come first.
    expect(words('ア'.repeat(30))).toEqual([...Array<string>(5).fill('ア/一般?'), `${'ア'.repeat(25)}/一般?`]);
  });

  it('skips spaces before a word and drops them at the end', () => {
    expect(words(' 東京都 ')).toEqual(['東京都/固有名詞']);
    expect(words('東\t京')).toEqual(['東/一般', '京/一般']);
    expect(words('   ')).toEqual([]);
    expect(words('')).toEqual([]);
  });

  it('lists the nodes at a position newest first: unknown words after dictionary words, longer prefixes later', () => {
    const dictionary = tinyDictionary();
    const tokenizer = new Tokenizer({ dictionaries: [dictionary.system], unknown: dictionary.unknown, chars: dictionary.chars });
    const text = new TextEncoder().encode('アイウ');
    const nodes = [];
    for (let node = tokenizer.lookup(text, 0); node !== undefined; node = node.bnext) nodes.push([node.length, node.status]);
    expect(nodes).toEqual([
      [9, 1],
      [6, 0],
    ]);
    // KANJI is not invoke: a dictionary match leaves no unknown words.
    const kanji = tokenizer.lookup(new TextEncoder().encode('東漢'), 0);
    expect([kanji?.length, kanji?.bnext]).toEqual([3, undefined]);
  });

  it('searches user dictionaries after the system dictionary', () => {
    const withUser = new MecabAnalyser(tinyDictionary([tinyUserDictionary()]));
    expect(words('アイウに', withUser)).toEqual(['アイウ/固有名詞', 'に/格助詞']);
    expect(words('東京に', withUser)).toEqual(['東/一般', '京に/一般']);
  });
});
