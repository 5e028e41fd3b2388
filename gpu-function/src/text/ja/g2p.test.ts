/**
 * japanese.py's steps around OpenJTalk, on hand-made NJD words: the normalization, the cut into pieces (what is a
 * "Japanese" character, as Python's regular expressions decide it), the marks kept between pieces, and the
 * language module's refusal and wiring. Parity with the genuine code is parity.test.ts's job.
 */
import { ApiError } from '@gsv-edge/shared';
import { describe, expect, it } from 'vitest';
import { cleanText } from '../cleaner.ts';
import { frontendLanguages } from '../frontend-data/languages.ts';
import { NPM_ONLY_FRONTEND_DATA } from '../frontend-data/load.ts';
import { createTextFrontend } from '../frontend.ts';
import { createJaG2p, japanesePhones, normalizeJapanese, splitPieces, type NjdFrontend, type NjdNode } from './index.ts';
import { mecabDictionaryFromBytes, type MecabDictionary } from './mecab/index.ts';
import { tinyDictionaryFiles } from './mecab/tiny-dictionary.ts';

function tinyDictionary(): MecabDictionary {
  const files = tinyDictionaryFiles();
  const named = Object.fromEntries(Object.entries(files).map(([name, bytes]) => [name, { bytes, name }])) as Parameters<typeof mecabDictionaryFromBytes>[0]['files'];
  return mecabDictionaryFromBytes({ files: named });
}

/** One noun per piece, read as written (the piece must be katakana), flat accent. */
function noun(pron: string): NjdNode {
  return { string: pron, pos: '名詞', posGroup1: '一般', posGroup2: '*', posGroup3: '*', ctype: '*', cform: '*', orig: pron, read: pron, pron, acc: 0, moraSize: 0, chainRule: '*', chainFlag: -1 };
}

function recordingFrontend(read: (piece: string) => string = (piece) => piece): { frontend: NjdFrontend; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    frontend: (piece) => {
      asked.push(piece);
      return [noun(read(piece))];
    },
  };
}

describe('Japanese normalization', () => {
  it('keeps the first of consecutive GPT-SoVITS punctuation marks, and full-width marks as they are', () => {
    expect(normalizeJapanese('そう!!?…-.ね,,')).toBe('そう!ね,');
    expect(normalizeJapanese('そう。。。！？')).toBe('そう。。。！？');
  });
});

describe('Japanese pieces', () => {
  it('cuts at every character outside japanese.py\'s class, one code point per mark', () => {
    expect(splitPieces('カ、キ😀ク  ')).toEqual({ pieces: ['カ', 'キ', 'ク', '', ''], marks: ['、', '😀', ' ', ' '] });
  });

  it('counts any Unicode decimal digit as Japanese, as Python\'s \\d does (full-width ０ too)', () => {
    expect(splitPieces('０٣1ａ々ｶﾞ').pieces).toEqual(['０٣1ａ々ｶ', '']);
    expect(splitPieces('０٣1ａ々ｶﾞ').marks).toEqual(['ﾞ']);
  });

  it('hands each lower-cased piece to NJD, reads ％ as パーセント, keeps marks and drops spaces', () => {
    const { frontend, asked } = recordingFrontend(() => 'カ');
    expect(japanesePhones('ABC％ カ。カ！？「カ」', frontend)).toEqual(['k', 'a', 'k', 'a', '.', 'k', 'a', '!', '?', '「', 'k', 'a', '」']);
    expect(asked).toEqual(['abcパーセント', 'カ', 'カ', 'カ']);
  });

  it('marks the accent and questions the way pyopenjtalk_g2p_prosody does', () => {
    const question: NjdNode = { ...noun('？'), pos: '記号', posGroup1: '一般' };
    const frontend: NjdFrontend = () => [{ ...noun('カキク'), acc: 1 }, { ...noun('ケコ'), chainFlag: 0 }, question];
    expect(japanesePhones('か', frontend)).toEqual(['k', 'a', ']', 'k', 'i', 'k', 'u', '#', 'k', 'e', '[', 'k', 'o']);
  });
});

describe('the Japanese language module', () => {
  it('refuses runs when the bundle has no dictionary, naming it', () => {
    const ja = createJaG2p({ missingReason: 'not in site-packages', njd: () => () => [] });
    expect(() => ja.convert('カ', 'v2')).toThrow(ApiError);
    expect(() => ja.convert('カ', 'v2')).toThrow(/open_jtalk_dic_utf_8-1\.11\), which this bundle lacks \(not in site-packages\)/u);
  });

  it("reads runs with OpenJTalk's own rules over the bundle's dictionary when no NJD stage is supplied", () => {
    const ja = createJaG2p({ mecab: tinyDictionary() });
    // The tiny dictionary knows no kana: each word is read as written, 'は' as ha since it is no particle here.
    expect(ja.convert('こんにちは。', 'v2').phones).toEqual(['k', 'o', '[', 'N', 'n', 'i', 'ch', 'i', 'h', 'a', '.']);
    expect(ja.convert('ABC', 'v2').phones).toEqual(['e', '[', 'e', 'b', 'i', 'i', 'sh', 'i', 'i']);
  });

  it('reads runs with the NJD rules made once from the bundle\'s dictionary; phones outside the table become UNK', () => {
    const mecab = tinyDictionary();
    const made: MecabDictionary[] = [];
    const ja = createJaG2p({
      mecab,
      njd: (dictionary) => {
        made.push(dictionary);
        return recordingFrontend(() => 'カー').frontend;
      },
    });
    expect(made).toEqual([]);
    expect(ja.convert('かあ、か', 'v2')).toEqual({ normText: 'かあ、か', phones: ['k', 'a', '[', 'a', ',', 'k', 'a', '[', 'a'], word2ph: [1, 1, 1, 1, 1, 1, 1, 1, 1] });
    const cleaned = cleanText('か「か', 'ja', 'v2', { ja });
    expect(cleaned.phones).toEqual(['k', 'a', '[', 'a', 'UNK', 'k', 'a', '[', 'a']);
    expect(made).toEqual([mecab]);
  });

  it("reads Japanese through the text frontend with OpenJTalk's rules, or with the NJD stage supplied instead", () => {
    const data = { ...NPM_ONLY_FRONTEND_DATA, ja: { mecab: tinyDictionary() } };
    const reading = createTextFrontend({ symbols: 'v2', languages: frontendLanguages(data) });
    const read = reading.segmentPhones('かきくけこ。', 'ja');
    expect(read.phones).toEqual(['k', 'a', '[', 'k', 'i', 'k', 'u', 'k', 'e', 'k', 'o', '.']);
    expect(read.word2ph.reduce((sum, count) => sum + count, 0)).toBe(read.phones.length);
    const njd = (): NjdFrontend => recordingFrontend(() => 'タチツテト').frontend;
    const supplied = createTextFrontend({ symbols: 'v2', languages: frontendLanguages(data, { njd }) });
    expect(supplied.segmentPhones('かきくけこ。', 'ja').phones).toEqual(['t', 'a', '[', 'ch', 'i', 'ts', 'u', 't', 'e', 't', 'o', '.']);
  });
});
