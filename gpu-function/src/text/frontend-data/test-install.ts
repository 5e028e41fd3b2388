/**
 * Test support: a tiny fake GPT-SoVITS installation in the layout of the Windows packages (`GPT_SoVITS/text/`,
 * `runtime/Lib/site-packages/`), its files in the same syntax as the real ones but with a handful of entries, so
 * tests exercise extraction without any of GPT-SoVITS's data in the repository.
 * @module
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pickle } from '../../checkpoint/pickle-writer.ts';
import { writeG2pEnCheckpoint } from '../en/test-checkpoint.ts';
import type { CollectedFrontendData } from './collect.ts';
import type { FrontendManifestView } from './load.ts';
import { NLTK_TAGGER_JSON } from './nltk-tagger.ts';
import { OPEN_JTALK_DIC_DIR } from './open-jtalk-dic.ts';
import { tinyDictionaryFiles } from '../ja/mecab/tiny-dictionary.ts';

export const FAKE_TONE_SANDHI_PY = `from typing import List


class ToneSandhi:
    def __init__(self):
        self.must_neural_tone_words = {
            "麻烦",  # a comment
            '东西',
            "这个",
        }
        self.must_not_neural_tone_words = {"男子", "人人"}
        self.punc = "：，；。？！“”‘’':,;.?!"

    def _neural_sandhi(self, word: str, pos: str, finals: List[str]) -> List[str]:
        if word in self.must_neural_tone_words:
            return finals
`;

export const FAKE_CHINESE2_PY = `import os

must_erhua = {"小院儿", "胡同儿"}
not_erhua = {
    "婴儿",
    "女儿",
}


def _merge_erhua(initials, finals, word, pos):
    not_erhua = set()
`;

/** cmudict.rep's data starts on line 57. */
export const FAKE_CMUDICT_REP = `${';;; header\n'.repeat(56)}HELLO  HH AH0 L OW1\nWORLD  W ER1 L D\nAI  AY1\nI  AY1\nDATA  D EY1 T AH0\n`;
export const FAKE_CMUDICT_FAST_REP = 'ZEBRA Z IY1 B R AH0\nHELLO HH EH0 L OW1\n';
export const FAKE_ENGDICT_HOT_REP = 'CONDA K AA1 N D AH0\n';
export const FAKE_HOMOGRAPHS_EN = '#HEADWORD|PRONUNCIATION1|PRONUNCIATION2|POS\nRECORD|R IH0 K AO1 R D|R EH1 K ER0 D|V\n';
export const FAKE_NAMES: ReadonlyMap<string, readonly (readonly string[])[]> = new Map([['zorblax', [['Z', 'AO1', 'R', 'B', 'L', 'AE0', 'K', 'S']]]]);

/** pypinyin < 0.52 kept its dictionaries as Python literals. */
export const FAKE_PINYIN_DICT_PY = `# -*- coding: utf-8 -*-
from __future__ import unicode_literals

# Warning: Auto-generated file, don't edit.
pinyin_dict = {
    0x4E1C: 'dōng',
    0x897F: 'xī',
    0x5927: 'dà,dài,tài',
    0x592B: 'fū,fú',
    0x4F60: 'nǐ',
    0x597D: 'hǎo,hào',
    0x9EBB: 'má',
    0x70E6: 'fán',
}
`;
export const FAKE_PHRASES_DICT_PY = `# -*- coding: utf-8 -*-
from __future__ import unicode_literals

phrases_dict = {
    '东西': [['dōng'], ['xī']],
    '大夫': [['dài'], ['fu']],
}
`;

/** char_convert.py: two equal-length strings, simplified first (its variable keeps GPT-SoVITS's spelling). */
export const FAKE_CHAR_CONVERT_PY = `# coding=utf-8
simplified_charcters = '这东个'

traditional_characters = '這東個'
`;

/**
 * jieba posseg's four tables as the Python modules jieba ships (\`P = {...}\`, states as (position, tag) tuples):
 * two tags, n and v, with every transition allowed, so any character sequence has a path.
 */
const POSSEG_STATES = ['B', 'M', 'E', 'S'].flatMap((position) => ['n', 'v'].map((tag) => `('${position}', '${tag}')`));
const possegRow = (p: number): string => `{${POSSEG_STATES.map((state) => `${state}: ${String(p)}`).join(', ')}}`;
export const FAKE_POSSEG_TABLES: Readonly<Record<string, string>> = {
  prob_start: `P = ${possegRow(-2.0794415416798357)}\n`,
  prob_trans: `P = {${POSSEG_STATES.map((state) => `${state}: ${possegRow(-2.0794415416798357)}`).join(', ')}}\n`,
  prob_emit: `P = {${POSSEG_STATES.map((state) => `${state}: {'\u4e00': -8.0}`).join(', ')}}\n`,
  char_state_tab: `P = {'\u4e00': (${POSSEG_STATES.join(', ')})}\n`,
};

/** wordsegment's counts ("word<TAB>count"); bigrams key "left right". */
export const FAKE_WORDSEGMENT_UNIGRAMS = 'hello\t1000000\nworld\t900000\nthe\t23135851162\n';
export const FAKE_WORDSEGMENT_BIGRAMS = 'hello world\t50000\n';

/** NLTK 3.8.2+'s averaged perceptron tagger files: weights, tagdict, classes. */
export const FAKE_NLTK_TAGGER: readonly [string, string, string] = [
  JSON.stringify({ bias: { NN: 1, VB: 0.5 }, 'i-1 word please': { VB: 3 } }),
  JSON.stringify({ the: 'DT', Please: 'VB' }),
  JSON.stringify(['DT', 'NN', 'VB']),
];

/**
 * GPT-SoVITS's ja_userdic/userdict.csv for the tiny dictionary, with OpenJTalk's features (NJD reads the reading
 * from them): one row with `*` ids (context id 0, as GPT-SoVITS's own file writes them) and one leaving them empty,
 * for rewrite.def and the id files to fill in.
 */
export const FAKE_JA_USERDIC_CSV =
  'キャット,*,*,-32767,名詞,固有名詞,一般,*,*,*,キャット,キャット,キャット,1/3,*\nｃａｔ,,,100,名詞,固有名詞,一般,*,*,*,ｃａｔ,キャット,キャット,1/3,C1\n';
/** The tiny dictionary's .def files (ids 1 noun, 2 particle, as tiny-dictionary.ts numbers them). */
export const FAKE_JA_DEFINITIONS: Readonly<Record<'rewrite.def' | 'left-id.def' | 'right-id.def' | 'pos-id.def', string>> = {
  'rewrite.def': '[unigram rewrite]\n*,*,*,*  $1,$2,$3\n[left rewrite]\n*,*,*,*  $1\n[right rewrite]\n*,*,*,*  $1\n',
  // One feature per id: MeCab checks the files against the matrix's sizes.
  'left-id.def': '0 BOS/EOS\n1 名詞\n2 助詞\n',
  'right-id.def': '0 BOS/EOS\n1 名詞\n2 助詞\n',
  'pos-id.def': '名詞,* 1\n助詞,* 2\n',
};

export interface FakeInstallOptions {
  /** Leave these files out (names relative to the install). */
  readonly omit?: readonly string[];
  /** Replace these files' contents (names relative to the install). */
  readonly replace?: Readonly<Record<string, string | Uint8Array>>;
}

export const TEXT = 'GPT_SoVITS/text';
export const SITE_PACKAGES = 'runtime/Lib/site-packages';

/** Writes the fake install into `dir`; the g2p_en checkpoint predicts `K` for every letter. */
export async function writeFakeInstall(dir: string, options: FakeInstallOptions = {}): Promise<void> {
  const files: Record<string, string | Uint8Array> = {
    [`${TEXT}/tone_sandhi.py`]: FAKE_TONE_SANDHI_PY,
    [`${TEXT}/chinese2.py`]: FAKE_CHINESE2_PY,
    [`${TEXT}/cmudict.rep`]: FAKE_CMUDICT_REP,
    [`${TEXT}/cmudict-fast.rep`]: FAKE_CMUDICT_FAST_REP,
    [`${TEXT}/engdict-hot.rep`]: FAKE_ENGDICT_HOT_REP,
    [`${TEXT}/namedict_cache.pickle`]: pickle(FAKE_NAMES),
    [`${SITE_PACKAGES}/pypinyin/pinyin_dict.py`]: FAKE_PINYIN_DICT_PY,
    [`${SITE_PACKAGES}/pypinyin/phrases_dict.py`]: FAKE_PHRASES_DICT_PY,
    [`${SITE_PACKAGES}/g2p_en/homographs.en`]: FAKE_HOMOGRAPHS_EN,
    [`${TEXT}/zh_normalization/char_convert.py`]: FAKE_CHAR_CONVERT_PY,
    ...Object.fromEntries(Object.entries(FAKE_POSSEG_TABLES).map(([name, source]) => [`${SITE_PACKAGES}/jieba_fast/posseg/${name}.py`, source])),
    [`${SITE_PACKAGES}/wordsegment/unigrams.txt`]: FAKE_WORDSEGMENT_UNIGRAMS,
    [`${SITE_PACKAGES}/wordsegment/bigrams.txt`]: FAKE_WORDSEGMENT_BIGRAMS,
    ...Object.fromEntries(NLTK_TAGGER_JSON.map((path, index) => [`nltk_data/${path}`, FAKE_NLTK_TAGGER[index] ?? ''])),
    // pyopenjtalk's dictionary: a tiny one in the real compiled format.
    ...Object.fromEntries(Object.entries(tinyDictionaryFiles()).map(([name, bytes]) => [`${SITE_PACKAGES}/${OPEN_JTALK_DIC_DIR}/${name}`, bytes])),
    ...Object.fromEntries(Object.entries(FAKE_JA_DEFINITIONS).map(([name, text]) => [`${SITE_PACKAGES}/${OPEN_JTALK_DIC_DIR}/${name}`, text])),
    [`${TEXT}/ja_userdic/userdict.csv`]: FAKE_JA_USERDIC_CSV,
    ...options.replace,
  };
  for (const [name, content] of Object.entries(files)) {
    if (options.omit?.includes(name)) continue;
    await mkdir(dirname(join(dir, name)), { recursive: true });
    await writeFile(join(dir, name), content);
  }
  const checkpoint = `${SITE_PACKAGES}/g2p_en/checkpoint20.npz`;
  if (!(options.omit?.includes(checkpoint) ?? false) && options.replace?.[checkpoint] === undefined) {
    const bias = new Array<number>(74).fill(0);
    bias[45] = 1; // K
    await writeG2pEnCheckpoint(join(dir, checkpoint), bias);
  }
}

/** The manifest parts loadFrontendData reads, for frontend data written into `dir` without a whole bundle. */
export async function frontendManifestView(dir: string, collected: CollectedFrontendData): Promise<FrontendManifestView> {
  const paths = await collected.write(dir);
  const files = [];
  for (const path of paths) {
    const bytes = await readFile(join(dir, path));
    files.push({ path, role: 'frontend-data' as const, precision: null, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
  }
  return { files, frontend: collected.manifest };
}
