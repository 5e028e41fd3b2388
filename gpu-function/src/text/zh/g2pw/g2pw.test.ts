import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelSession } from '../../../runtime/index.ts';
import type { HostTensor } from '../../../tensor/index.ts';
import { WordPieceTokenizer } from '../../bert/wordpiece.ts';
import { convertZhWithG2pw, correctPronunciation } from '../g2pw-g2p.ts';
import { pinyinProSource } from '../pinyin-source.ts';
import { zhG2p, zhResources } from '../index.ts';
import { buildG2pwAssets, loadG2pwAssets, parseConfigFlags, parsePolyphonicRep } from './assets.ts';
import { inspectG2pwFolder } from './folder.ts';
import { prepareRows, tokenizeAndMap } from './model-input.ts';
import { G2pw, type G2pwModelRunner } from './predictor.ts';
import { SYNTHETIC_BOPOMOFO, SYNTHETIC_MONOPHONIC, SYNTHETIC_POLYPHONIC, writeSyntheticG2pwFolder } from './test-folder.ts';

const POLYPHONIC = SYNTHETIC_POLYPHONIC;
const MONOPHONIC = SYNTHETIC_MONOPHONIC;
const BOPOMOFO = SYNTHETIC_BOPOMOFO;
const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', '银', '行', '长', '大', '重', '要', ',', '.', '銀', '長', 'ab', '##c'];
const tokenizer = WordPieceTokenizer.fromVocabText(VOCAB.join('\n'));

let dir: string;
let runner: G2pwModelRunner;
const feedsSeen: Readonly<Record<string, HostTensor>>[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'g2pw-'));
  await writeSyntheticG2pwFolder(dir);
  const session = await ModelSession.load(join(dir, 'g2pW.onnx'));
  runner = async (feeds) => {
    feedsSeen.push(feeds);
    return (await session.run(feeds))['probs']!.data as Float32Array;
  };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('G2PW folder', () => {
  it('lists the files the bundle copies, optional post-fix dictionaries included when present', async () => {
    await writeFile(join(dir, 'polyphonic.rep'), "湖泊: ['hu2','po1']\n");
    const folder = await inspectG2pwFolder(dir);
    expect(folder.model).toBe('g2pW.onnx');
    expect(folder.files).toEqual([
      'g2pW.onnx', 'config.py', 'POLYPHONIC_CHARS.txt', 'MONOPHONIC_CHARS.txt', 'bopomofo_to_pinyin_wo_tune_dict.json',
      'char_bopomofo_dict.json', 'polyphonic.rep',
    ]);
    await rm(join(dir, 'polyphonic.rep'));
  });

  it('names every missing file', async () => {
    const empty = await mkdtemp(join(tmpdir(), 'g2pw-empty-'));
    try {
      await expect(inspectG2pwFolder(empty)).rejects.toThrow(/missing g2pW\.onnx, config\.py, POLYPHONIC_CHARS\.txt/);
      await expect(inspectG2pwFolder(join(empty, 'nope'))).rejects.toThrow(/does not exist/);
    } finally {
      await rm(empty, { recursive: true });
    }
  });
});

describe('G2PW assets and model input', () => {
  const assets = buildG2pwAssets({ polyphonicChars: POLYPHONIC, monophonicChars: MONOPHONIC, bopomofoToPinyin: BOPOMOFO, config: '' });

  it('sorts labels and builds per-character label sets as get_phoneme_labels does', () => {
    expect(assets.labels).toEqual(['ㄏㄤ2', 'ㄒㄧㄥ2', 'ㄓㄤ3', 'ㄓㄨㄥ4', 'ㄔㄤ2', 'ㄔㄨㄥ2']);
    expect(assets.charPhonemes.get('行')).toEqual([1, 0]);
    expect([...assets.charIds]).toEqual([['行', 0], ['重', 1], ['長', 2]]);
    expect(parseConfigFlags('use_mask = False\n')).toEqual({ useMask: false, useCharPhoneme: false });
    expect(parsePolyphonicRep("一不小心: ['yi2','bu4','xiao3','xin1']\n唉: ['ai4']").get('一不小心')).toEqual(['yi2', 'bu4', 'xiao3', 'xin1']);
  });

  it('maps text positions to tokens, Latin runs as one word', () => {
    const { tokens, textToToken } = tokenizeAndMap(tokenizer, 'abc 银行');
    expect(tokens).toEqual([14, 15, 4, 5]);
    expect(textToToken).toEqual([0, 0, 1, undefined, 2, 3]);
  });

  it('builds input ids, the label mask, the char id and the token position (+1 for [CLS])', () => {
    const [row] = prepareRows(tokenizer, assets, ['銀行'], [1]);
    expect(row).toEqual({ inputIds: [2, 12, 5, 3], phonemeMask: [1, 1, 0, 0, 0, 0], charId: 0, positionId: 2 });
  });
});

describe('G2PW prediction through a synthetic ONNX model', () => {
  it('predicts polyphones, reads monophones from the dictionary and falls back to pinyin elsewhere', async () => {
    const assets = await loadG2pwAssets(dir);
    const g2pw = new G2pw(assets, tokenizer, runner, pinyinProSource);
    feedsSeen.length = 0;
    const [first, second] = await g2pw.predict(['银行行长,', '重要.']);
    expect(first).toEqual(['yin2', 'hang2', 'hang2', 'zhang3', ',']);
    expect(second).toEqual(['zhong4', 'yao4', '.']);
    // Two windows: 银行行长, (3 queries, deduplicated to one text row) and 重要. (1 query).
    const shapes = feedsSeen.map((feeds) => [feeds['input_ids']!.shape, feeds['phoneme_mask']!.shape, feeds['position_ids']!.data]);
    expect(shapes).toEqual([
      [[1, 7], [3, 6], BigInt64Array.of(2n, 3n, 4n)],
      [[1, 5], [1, 6], BigInt64Array.of(1n)],
    ]);
  });

  it('converts text with G2PW readings, tone sandhi and the optional post-fix dictionary', async () => {
    const assets = await loadG2pwAssets(dir);
    const g2pw = new G2pw(assets, tokenizer, runner, pinyinProSource);
    const result = await convertZhWithG2pw('银行行长很重要。', 'v2', g2pw, zhResources(pinyinProSource));
    expect(result.normText).toBe('银行行长很重要.');
    // jieba keeps 银行行长 as one noun, so the reduplication rule makes the second 行 neutral, as GPT-SoVITS does.
    expect(result.phones.join(' ')).toBe('y in2 h ang2 h ang5 zh ang3 h en3 zh ong4 y ao4 .');
    expect(result.word2ph).toEqual([2, 2, 2, 2, 2, 2, 2, 1]);
    expect(correctPronunciation(new Map([['行长', ['hang2', 'zhang3']], ['长', ['chang2']]]), '行长', ['xing2', 'chang2'])).toEqual([
      'hang2', 'zhang3',
    ]);
    expect(correctPronunciation(new Map([['长', ['chang2']]]), '长大', ['zhang3', 'da4'])).toEqual(['chang2', 'da4']);
  });

  it('uses the pypinyin path for v1 tables and handles text with nothing to convert', async () => {
    const g2pw = new G2pw(await loadG2pwAssets(dir), tokenizer, runner, pinyinProSource);
    expect(await convertZhWithG2pw('你好。', 'v1', g2pw, zhResources(pinyinProSource))).toEqual(zhG2p.convert('你好。', 'v1'));
    expect(await convertZhWithG2pw('abc', 'v2', g2pw, zhResources(pinyinProSource))).toEqual({ normText: '', phones: [], word2ph: [] });
  });
});
