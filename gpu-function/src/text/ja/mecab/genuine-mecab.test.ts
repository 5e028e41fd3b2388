/**
 * The tiny dictionary against the genuine MeCab 0.996 (Debian's `mecab` and `mecab-dict-index`, skipped with the
 * reason where they are not installed): the dictionary compiled by mecab-dict-index from its text sources and the
 * one gsv-edge's writers encode must give the same analyses, in the genuine mecab and in the analyser; and a user
 * dictionary compiled by mecab-dict-index must read the same as gsv-edge's.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadMecabDictionary, MecabAnalyser } from './index.ts';
import { tinyDictionarySources, tinyUserDictionary, tinyUserDictionarySource, writeTinyDictionary } from './tiny-dictionary.ts';

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
});
