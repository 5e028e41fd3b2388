import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pickle } from '../../checkpoint/pickle-writer.ts';
import { createTextFrontend } from '../frontend.ts';
import { FRONTEND_DATA_IDS } from './catalog.ts';
import { collectFrontendData, type CollectedFrontendData } from './collect.ts';
import { describeMissing } from './describe.ts';
import { withEnvironmentOverrides } from './environment.ts';
import { decodePronunciations } from './formats.ts';
import { frontendLanguages } from './languages.ts';
import { loadFrontendData, NPM_ONLY_FRONTEND_DATA } from './load.ts';
import { FAKE_TONE_SANDHI_PY, frontendManifestView, SITE_PACKAGES, TEXT, writeFakeInstall, type FakeInstallOptions } from './test-install.ts';

let root: string;
let counter = 0;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-frontend-data-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function install(options: FakeInstallOptions = {}): Promise<string> {
  counter += 1;
  const dir = join(root, `install-${String(counter)}`);
  await writeFakeInstall(dir, options);
  return dir;
}

async function collect(options: FakeInstallOptions = {}): Promise<CollectedFrontendData> {
  const collected = await collectFrontendData({ gptSovitsDir: await install(options) });
  if (collected === undefined) throw new Error('nothing collected');
  return collected;
}

async function loaded(collected: CollectedFrontendData): Promise<Awaited<ReturnType<typeof loadFrontendData>>> {
  counter += 1;
  const bundle = join(root, `bundle-${String(counter)}`);
  return loadFrontendData(bundle, await frontendManifestView(bundle, collected));
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

describe('frontend data from a GPT-SoVITS installation', () => {
  it('finds every data set in the install and its runtime site-packages, and records where each came from', async () => {
    const { manifest } = await collect();
    expect(manifest.missing).toEqual([]);
    expect(manifest.data.map((entry) => entry.id)).toEqual([...FRONTEND_DATA_IDS]);
    const sandhi = manifest.data.find((entry) => entry.id === 'zh-tone-sandhi-words');
    expect(sandhi).toEqual({
      id: 'zh-tone-sandhi-words',
      files: ['frontend/zh/tone-sandhi-words.json'],
      sources: [{ origin: 'gpt-sovits', path: `${TEXT}/tone_sandhi.py`, sha256: sha256(FAKE_TONE_SANDHI_PY) }],
    });
    expect(manifest.data.find((entry) => entry.id === 'zh-pypinyin')?.sources.map((s) => [s.origin, s.path])).toEqual([
      ['site-packages', 'pypinyin/pinyin_dict.py'],
      ['site-packages', 'pypinyin/phrases_dict.py'],
    ]);
    expect(manifest.data.find((entry) => entry.id === 'en-dictionary')?.sources.map((s) => s.path)).toEqual([
      `${TEXT}/cmudict.rep`,
      `${TEXT}/cmudict-fast.rep`,
      `${TEXT}/engdict-hot.rep`,
    ]);
  });

  it("writes the word lists and english.py's merged dictionary in the documented JSON forms", async () => {
    const collected = await collect();
    const dir = join(root, 'written');
    const paths = await collected.write(dir);
    expect(paths).toContain('frontend/zh/tone-sandhi-words.json');
    expect(JSON.parse(await readFile(join(dir, 'frontend/zh/tone-sandhi-words.json'), 'utf8'))).toEqual({
      must_neural_tone_words: ['东西', '这个', '麻烦'],
      must_not_neural_tone_words: ['人人', '男子'],
    });
    expect(JSON.parse(await readFile(join(dir, 'frontend/zh/erhua-words.json'), 'utf8'))).toEqual({ must_erhua: ['小院儿', '胡同儿'], not_erhua: ['女儿', '婴儿'] });
    const dictionary = decodePronunciations(await readFile(join(dir, 'frontend/en/engdict.json'), 'utf8'), 'engdict.json');
    // cmudict.rep wins over cmudict-fast.rep, which only adds words; engdict-hot.rep adds and overrides.
    expect(dictionary.get('hello')).toEqual(['HH', 'AH0', 'L', 'OW1']);
    expect(dictionary.get('zebra')).toEqual(['Z', 'IY1', 'B', 'R', 'AH0']);
    expect(dictionary.get('conda')).toEqual(['K', 'AA1', 'N', 'D', 'AH0']);
    expect(JSON.parse(await readFile(join(dir, 'frontend/zh/pinyin_dict.json'), 'utf8'))).toMatchObject({ [String(0x5927)]: 'dà,dài,tài' });
  });

  it('gives tone 5 to a word only while it is in the install’s neutral-tone list', async () => {
    const convert = async (collected: CollectedFrontendData): Promise<string> => {
      const zh = frontendLanguages(await loaded(collected)).zh;
      return zh?.convert('麻烦', 'v2').phones.join(' ') ?? '';
    };
    expect(await convert(await collect())).toBe('m a2 f an5');
    const without = FAKE_TONE_SANDHI_PY.replace('"麻烦",  # a comment\n', '');
    expect(await convert(await collect({ replace: { [`${TEXT}/tone_sandhi.py`]: without } }))).toBe('m a2 f an2');
  });

  it("reads the install's pypinyin, erhua lists, dictionary, names, homographs and g2p_en weights at run time", async () => {
    const data = await loaded(await collect());
    expect(data.missing).toEqual([]);
    expect(data.loaded).toEqual([...FRONTEND_DATA_IDS]);
    const languages = frontendLanguages(data);
    const frontend = createTextFrontend({ symbols: 'v2', languages });
    // pypinyin's phrase: 大夫 dài fu (pinyin-pro says dà fū).
    expect(languages.zh?.convert('大夫', 'v2').phones.join(' ')).toBe('d ai4 f u5');
    expect(data.zh.wordLists.mustErhua.has('小院儿')).toBe(true);
    const english = (text: string): string => frontend.segmentPhones(text, 'en').phones.join(' ');
    expect(english('hello conda')).toBe('HH AH0 L OW1 K AA1 N D AH0');
    // Name dictionary for title case only; g2p_en's (fake) GRU reads every other unknown word as K...K.
    expect(english('Zorblax is here')).toMatch(/^Z AO1 R B L AE0 K S /u);
    expect(english('zorblax')).toMatch(/^(K ){19}K$/u);
    // english.py deletes "ai" from whichever dictionary it loads: spelled.
    expect(english('ai data')).toBe('EY1 AY1 D EY1 T AH0');
    // g2p_en's homographs.en: RECORD is read by part of speech.
    expect(english('Please record it.')).toContain('R IH0 K AO1 R D');
  });

  it('prefers engdict_cache.pickle over the .rep files when the install has it, as english.py does', async () => {
    const cache = pickle(new Map([['hello', [['HH', 'EH1', 'L', 'OW0']]]]));
    const collected = await collect({ replace: { [`${TEXT}/engdict_cache.pickle`]: cache } });
    const entry = collected.manifest.data.find((item) => item.id === 'en-dictionary');
    expect(entry?.sources.map((s) => s.path)).toEqual([`${TEXT}/engdict_cache.pickle`, `${TEXT}/engdict-hot.rep`]);
    const lexicon = (await loaded(collected)).en.lexicon;
    expect(lexicon.dictionary?.get('hello')).toEqual(['HH', 'EH1', 'L', 'OW0']);
    expect(lexicon.dictionary?.get('conda')).toEqual(['K', 'AA1', 'N', 'D', 'AH0']);
    expect(lexicon.dictionary?.has('zebra')).toBe(false);
  });

  it('copies pypinyin JSON dictionaries verbatim (pypinyin ≥ 0.52)', async () => {
    const pinyin = '{"22823": "dà,dài,tài"}';
    const collected = await collect({
      replace: { [`${SITE_PACKAGES}/pypinyin/pinyin_dict.json`]: pinyin, [`${SITE_PACKAGES}/pypinyin/phrases_dict.json`]: '{"大夫": [["dài"], ["fu"]]}' },
    });
    const entry = collected.manifest.data.find((item) => item.id === 'zh-pypinyin');
    expect(entry?.sources.map((s) => s.path)).toEqual(['pypinyin/pinyin_dict.json', 'pypinyin/phrases_dict.json']);
    const dir = join(root, 'json-copy');
    await collected.write(dir);
    expect(await readFile(join(dir, 'frontend/zh/pinyin_dict.json'), 'utf8')).toBe(pinyin);
  });

  it('reports each data set it cannot find, and the frontend says so and keeps working on npm data', async () => {
    const collected = await collect({
      omit: [`${TEXT}/namedict_cache.pickle`, `${TEXT}/chinese2.py`, `${SITE_PACKAGES}/g2p_en/checkpoint20.npz`, `${SITE_PACKAGES}/g2p_en/homographs.en`],
    });
    expect(collected.manifest.missing).toEqual([
      { id: 'zh-erhua-words', reason: `chinese2.py not found in ${TEXT} (GPT-SoVITS v1 installs have no erhua rules)` },
      { id: 'en-names', reason: `namedict_cache.pickle not found in ${TEXT}` },
      { id: 'en-homographs', reason: expect.stringMatching(/^g2p_en\/homographs\.en not found in .*runtime\/Lib\/site-packages; pass --python-site-packages$/u) as string },
      { id: 'en-g2p-en-checkpoint', reason: expect.stringMatching(/^g2p_en\/checkpoint20\.npz not found in /u) as string },
    ]);
    const data = await loaded(collected);
    expect(data.missing.map((item) => item.id)).toEqual(['zh-erhua-words', 'en-names', 'en-homographs', 'en-g2p-en-checkpoint']);
    expect(describeMissing(data.missing)).toContain('warning: frontend data missing (namedict_cache.pickle not found in GPT_SoVITS/text), npm data stands in: en-names');
    const frontend = createTextFrontend({ symbols: 'v2', languages: frontendLanguages(data) });
    expect(frontend.segmentPhones('Please record it.', 'en').phones.length).toBeGreaterThan(6);
  });

  it('without a GPT-SoVITS dir or site-packages collects nothing; npm-only data names every data set as missing', async () => {
    expect(await collectFrontendData({})).toBeUndefined();
    expect(NPM_ONLY_FRONTEND_DATA.missing.map((item) => item.id)).toEqual([...FRONTEND_DATA_IDS]);
    // One line for everything npm data stands in for, one for pyopenjtalk's dictionary, which nothing replaces.
    expect(describeMissing(NPM_ONLY_FRONTEND_DATA.missing).trim().split('\n')).toHaveLength(2);
  });

  it('fails naming the file when a file is malformed or the install is not GPT-SoVITS', async () => {
    const renamed = FAKE_TONE_SANDHI_PY.replace('self.must_not_neural_tone_words', 'self.keep_tone_words');
    await expect(collect({ replace: { [`${TEXT}/tone_sandhi.py`]: renamed } })).rejects.toThrow(
      /tone_sandhi\.py: no assignment to self\.must_not_neural_tone_words found/u,
    );
    const called = FAKE_TONE_SANDHI_PY.replace('{"男子", "人人"}', 'set(["男子"])');
    await expect(collect({ replace: { [`${TEXT}/tone_sandhi.py`]: called } })).rejects.toThrow(/tone_sandhi\.py:11:\d+: .*name "set"/u);
    await expect(collect({ replace: { [`${TEXT}/cmudict.rep`]: `${';;;\n'.repeat(56)}BROKEN LINE\n` } })).rejects.toThrow(/cmudict\.rep:57: expected "WORD {2}PHONES"/u);
    await expect(collect({ replace: { [`${TEXT}/namedict_cache.pickle`]: 'not a pickle' } })).rejects.toThrow(/namedict_cache\.pickle: not a readable pickle/u);
    await expect(collect({ replace: { [`${TEXT}/namedict_cache.pickle`]: pickle(['a list']) } })).rejects.toThrow(/namedict_cache\.pickle: expected a pickled dict/u);
    await expect(collect({ replace: { [`${SITE_PACKAGES}/g2p_en/homographs.en`]: 'RECORD|R EH1 K ER0 D\n' } })).rejects.toThrow(/homographs\.en:1: expected HEADWORD\|PRON1\|PRON2\|POS/u);
    await expect(collect({ replace: { [`${SITE_PACKAGES}/g2p_en/checkpoint20.npz`]: 'not a zip' } })).rejects.toThrow(/checkpoint20\.npz/u);
    await expect(collect({ replace: { [`${SITE_PACKAGES}/pypinyin/pinyin_dict.py`]: 'pinyin_dict = {0x4E00: 1}\n' } })).rejects.toThrow(/pinyin_dict\.py: entry "19968" is not/u);
    const notInstall = join(root, 'not-gpt-sovits');
    await writeFile(join(root, 'plain-file'), '');
    await expect(collectFrontendData({ gptSovitsDir: notInstall })).rejects.toThrow(/not-gpt-sovits does not exist/u);
    await expect(collectFrontendData({ gptSovitsDir: root })).rejects.toThrow(/does not look like a GPT-SoVITS installation: no GPT_SoVITS\/text\/tone_sandhi\.py/u);
    await expect(collectFrontendData({ sitePackages: [join(root, 'nowhere')] })).rejects.toThrow(/--python-site-packages .*nowhere does not exist/u);
  });

  it('refuses a bundle file whose SHA-256 no longer matches the manifest', async () => {
    const collected = await collect();
    const bundle = join(root, 'tampered');
    const view = await frontendManifestView(bundle, collected);
    await writeFile(join(bundle, 'frontend/zh/erhua-words.json'), '{"must_erhua": [], "not_erhua": []}');
    await expect(loadFrontendData(bundle, view)).rejects.toThrow(/erhua-words\.json: SHA-256 does not match/u);
  });

  it('lets GSV_EDGE_PYPINYIN_DIR and GSV_EDGE_G2P_EN_CHECKPOINT stand in for missing data (development route)', async () => {
    const dir = await install();
    const data = await withEnvironmentOverrides(NPM_ONLY_FRONTEND_DATA, {
      GSV_EDGE_PYPINYIN_DIR: join(dir, SITE_PACKAGES, 'pypinyin'),
      GSV_EDGE_G2P_EN_CHECKPOINT: join(dir, SITE_PACKAGES, 'g2p_en/checkpoint20.npz'),
    });
    expect(data.loaded).toEqual(['zh-pypinyin', 'en-g2p-en-checkpoint']);
    expect(data.missing.map((item) => item.id)).not.toContain('zh-pypinyin');
    expect(frontendLanguages(data).zh?.convert('大夫', 'v2').phones.join(' ')).toBe('d ai4 f u5');
  });
});
