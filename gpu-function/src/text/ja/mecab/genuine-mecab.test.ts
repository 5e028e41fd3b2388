/**
 * The tiny dictionary against the genuine MeCab 0.996 (Debian's `mecab` and `mecab-dict-index`, skipped with the
 * reason where they are not installed): the dictionary compiled by mecab-dict-index from its text sources and the
 * one gsv-edge's writers encode must give the same analyses, in the genuine mecab and in the analyser; and a user
 * dictionary compiled by mecab-dict-index must read the same as gsv-edge's.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMecabDictionary, MecabAnalyser } from './index.ts';
import { FAKE_JA_DEFINITIONS } from '../../frontend-data/test-install.ts';
import { compileUserDictionary } from './compile/index.ts';
import { ConnectionMatrix } from './matrix.ts';
import { tinyDictionaryFiles, tinyDictionarySources, tinyUserDictionary, tinyUserDictionarySource, writeTinyDictionary } from './tiny-dictionary.ts';

const DICT_INDEX = process.env['GSV_MECAB_DICT_INDEX'] ?? '/usr/lib/mecab/mecab-dict-index';
const hasMecab = ((): boolean => {
  try {
    execFileSync('mecab', ['--version'], { stdio: 'ignore' });
    return existsSync(DICT_INDEX);
  } catch {
    return false;
  }
})();
if (!hasMecab) console.warn(`genuine MeCab cross-check skipped: needs mecab on PATH and ${DICT_INDEX} (apt-get install mecab mecab-utils, or set GSV_MECAB_DICT_INDEX)`);

const SENTENCES = ['東京都に', '東京に', 'は', 'アイウに', 'アイ', 'ABC123', ' 東京都 ', 'ア'.repeat(30), '漢字語', '😀', 'a\uffffb', '〇1', 'に東', '東\t京', '   ', 'ｱｲｳ東京都abc 12', '京に東京'];
const FORMAT = '%m\\t%H\\t%s\\t%pc\\n';
/**
 * A user CSV for the tiny dictionary, through every path of the compiler: ids given, `*` (atoi: 0), empty or -1
 * (looked up through rewrite.def and the id files), a quoted surface with a comma and a doubled quote, a quoted
 * feature (kept as written: the last field is the rest of the line), a cost past 16 bits (stored as a short), spaces
 * before fields, a feature no pos-id.def rule matches, and two entries for one surface. (No CR line end: OpenJTalk's
 * copy, which pyopenjtalk runs, drops one and Debian's MeCab keeps it; the ja-userdic fixture has one.)
 */
const USER_CSV_QUIRKS = [
  'アイウ,1,1,100,名詞,固有名詞,一般,*,*,*,アイウ,アイウ,アイウ,0/3,*',
  'ｃａｔ,*,*,-32767,名詞,固有名詞,一般,*,*,*,ｃａｔ,キャット,キャット,1/3,*',
  'ｄｏｇ,,,200,名詞,一般,*,*,*,*,ｄｏｇ,ドッグ,ドッグ,1/3,C1',
  'ｎｉ,-1,-1,50,助詞,格助詞,一般,*,*,*,に,ニ,ニ,0/1,*',
  '"ａ,""ｂ",2,2,70000,名詞,一般,*,*,*,ａｂ,エービー,エービー,1/4,C1',
  ' ｘ , 1, 1 , 5,"名詞,一般",*,*,*,*,ｘ,エックス,エックス,1/3,C1',
  'ｙ,1,1,9,感動詞,*,*,*,*,*,ｙ,ワイ,ワイ,1/2,*',
  'ｃａｔ,1,1,300,名詞,一般,*,*,*,*,ｃａｔ,シーエーティー,シーエーティー,3/6,C1',
].map((line) => `${line}\n`).join('');

function genuine(dir: string, userDic?: string): string {
  const args = ['-d', dir, '-F', FORMAT, '-U', FORMAT, '-E', 'EOS\\t%pc\\n', ...(userDic === undefined ? [] : ['-u', userDic])];
  return execFileSync('mecab', args, { input: `${SENTENCES.join('\n')}\n`, encoding: 'utf8' });
}

function ours(analyser: MecabAnalyser): string {
  const lines: string[] = [];
  for (const sentence of SENTENCES) {
    const analysis = analyser.analyse(sentence);
    for (const m of analysis.morphemes) lines.push(`${m.surface}\t${m.feature}\t${m.unknown ? 1 : 0}\t${m.pathCost}`);
    lines.push(`EOS\t${analysis.cost}`);
  }
  return `${lines.join('\n')}\n`;
}

describe.skipIf(!hasMecab)('tiny dictionary against the genuine MeCab', () => {
  const root = mkdtempSync(join(tmpdir(), 'gsv-mecab-'));
  afterAll(() => { rmSync(root, { recursive: true, force: true }); });
  const [sources, compiled, encoded] = ['sources', 'compiled', 'encoded'].map((name) => join(root, name)) as [string, string, string];

  it('mecab-dict-index and gsv-edge writers give dictionaries that analyse alike, in both analysers', async () => {
    for (const dir of [sources, compiled]) mkdirSync(dir, { recursive: true });
    const texts = tinyDictionarySources();
    for (const [name, text] of Object.entries(texts)) writeFileSync(join(sources, name), text);
    execFileSync(DICT_INDEX, ['-d', sources, '-o', compiled, '-f', 'utf-8', '-t', 'utf-8'], { stdio: 'ignore' });
    writeFileSync(join(compiled, 'dicrc'), texts['dicrc'] ?? '');
    await writeTinyDictionary(encoded);
    writeFileSync(join(encoded, 'dicrc'), texts['dicrc'] ?? '');

    const reference = genuine(compiled);
    expect(genuine(encoded)).toBe(reference);
    expect(ours(new MecabAnalyser(await loadMecabDictionary(compiled)))).toBe(reference);
    expect(ours(new MecabAnalyser(await loadMecabDictionary(encoded)))).toBe(reference);
  });

  it('reads a user dictionary compiled by mecab-dict-index as mecab -u does', async () => {
    writeFileSync(join(sources, 'user.csv.src'), tinyUserDictionarySource());
    const userDic = join(root, 'user.dic');
    execFileSync(DICT_INDEX, ['-d', sources, '-u', userDic, '-f', 'utf-8', '-t', 'utf-8', join(sources, 'user.csv.src')], { stdio: 'ignore' });
    const ourUserDic = join(root, 'ours-user.dic');
    writeFileSync(ourUserDic, tinyUserDictionary());
    const reference = genuine(compiled, userDic);
    expect(genuine(compiled, ourUserDic)).toBe(reference);
    expect(ours(new MecabAnalyser(await loadMecabDictionary(compiled, [userDic])))).toBe(reference);
  });

  it('compiles a user-dictionary CSV into the bytes mecab-dict-index -u writes: ids given, *, empty or -1; quotes; POS ids', () => {
    const withDefinitions = join(root, 'with-definitions');
    mkdirSync(withDefinitions, { recursive: true });
    for (const [name, text] of [...Object.entries(tinyDictionarySources()), ...Object.entries(FAKE_JA_DEFINITIONS)]) writeFileSync(join(withDefinitions, name), text);
    const csv = join(root, 'quirks.csv.src');
    writeFileSync(csv, USER_CSV_QUIRKS);
    const userDic = join(root, 'quirks.dic');
    execFileSync(DICT_INDEX, ['-d', withDefinitions, '-u', userDic, '-f', 'utf-8', '-t', 'utf-8', csv], { stdio: 'ignore' });
    const definitions = { rewrite: FAKE_JA_DEFINITIONS['rewrite.def'], leftId: FAKE_JA_DEFINITIONS['left-id.def'], rightId: FAKE_JA_DEFINITIONS['right-id.def'], posId: FAKE_JA_DEFINITIONS['pos-id.def'] };
    const system = { matrix: new ConnectionMatrix(tinyDictionaryFiles()['matrix.bin'], 'matrix.bin') };
    expect(Buffer.from(compileUserDictionary(USER_CSV_QUIRKS, system, definitions)).equals(readFileSync(userDic))).toBe(true);
  });
});
