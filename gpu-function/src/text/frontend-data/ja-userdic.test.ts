/**
 * GPT-SoVITS's Japanese user dictionary from a fake install (test-install.ts: a two-row ja_userdic/userdict.csv for
 * the tiny dictionary, and that dictionary's .def files beside it in pyopenjtalk's folder): collected with its
 * SHA-256s, compiled when loaded and used to read Japanese; without the CSV Japanese is read as before, and a CSV
 * pyopenjtalk could not compile fails the bundle naming its line.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTextFrontend } from '../frontend.ts';
import { MecabAnalyser } from '../ja/mecab/index.ts';
import { FRONTEND_DATA_FILES } from './catalog.ts';
import { collectFrontendData, type CollectedFrontendData } from './collect.ts';
import { describeFrontendManifest } from './describe.ts';
import { frontendLanguages } from './languages.ts';
import { loadFrontendData, type FrontendData } from './load.ts';
import { OPEN_JTALK_DIC_DIR } from './open-jtalk-dic.ts';
import { FAKE_JA_DEFINITIONS, FAKE_JA_USERDIC_CSV, frontendManifestView, SITE_PACKAGES, TEXT, writeFakeInstall, type FakeInstallOptions } from './test-install.ts';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-ja-userdic-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const CSV = `${TEXT}/ja_userdic/userdict.csv`;
const DIC = `${SITE_PACKAGES}/${OPEN_JTALK_DIC_DIR}`;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

async function collect(options: FakeInstallOptions = {}): Promise<CollectedFrontendData> {
  counter += 1;
  const dir = join(root, `install-${String(counter)}`);
  await writeFakeInstall(dir, options);
  const collected = await collectFrontendData({ gptSovitsDir: dir });
  if (collected === undefined) throw new Error('nothing collected');
  return collected;
}

async function load(collected: CollectedFrontendData): Promise<FrontendData> {
  counter += 1;
  const dir = join(root, `bundle-${String(counter)}`);
  return loadFrontendData(dir, await frontendManifestView(dir, collected));
}

/** japanese.py's reading (`clean_text(text, 'ja')`), Latin letters included, as the fixtures' runs read them. */
const jaPhones = (data: FrontendData, text: string): readonly string[] => (frontendLanguages(data).ja?.convert(text, 'v2').phones ?? []);

describe("GPT-SoVITS's Japanese user dictionary in the bundle", () => {
  it('is collected with the .def files compiling reads, each with its SHA-256', async () => {
    const collected = await collect();
    const entry = collected.manifest.data.find((item) => item.id === 'ja-userdic');
    expect(entry?.files).toEqual([...FRONTEND_DATA_FILES['ja-userdic']]);
    expect(entry?.sources).toEqual([
      { origin: 'gpt-sovits', path: CSV, sha256: sha256(FAKE_JA_USERDIC_CSV) },
      ...(['rewrite.def', 'left-id.def', 'right-id.def', 'pos-id.def'] as const).map((name) => ({
        origin: 'site-packages',
        path: `${OPEN_JTALK_DIC_DIR}/${name}`,
        sha256: sha256(FAKE_JA_DEFINITIONS[name]),
      })),
    ]);
  });

  it('is compiled at load and Japanese is read with it: its words are found, ids given or looked up', async () => {
    const data = await load(await collect());
    expect(data.loaded).toContain('ja-userdic');
    const mecab = data.ja.mecab;
    if (mecab === undefined) throw new Error('no dictionary loaded');
    expect(mecab.users).toHaveLength(1);
    const analysis = new MecabAnalyser(mecab).analyse('ｃａｔにキャット');
    expect(analysis.morphemes.map((m) => [m.surface, m.feature])).toEqual([
      ['ｃａｔ', '名詞,固有名詞,一般,*,*,*,ｃａｔ,キャット,キャット,1/3,C1'],
      ['に', '助詞,格助詞,に,ニ'],
      ['キャット', '名詞,固有名詞,一般,*,*,*,キャット,キャット,キャット,1/3,*'],
    ]);
    // Latin letters reach MeCab full-width (OpenJTalk's text2mecab), where the user dictionary has the word.
    const withWord = jaPhones(data, 'cat');
    expect(withWord).toEqual(jaPhones(data, 'キャット'));
    const without = await load(await collect({ omit: [CSV] }));
    expect(jaPhones(without, 'cat')).not.toEqual(withWord);
  });

  it('without the CSV the bundle records why and Japanese is read without it, as GPT-SoVITS reads it', async () => {
    const collected = await collect({ omit: [CSV] });
    expect(collected.manifest.missing.find((item) => item.id === 'ja-userdic')?.reason).toMatch(/ja_userdic\/userdict\.csv not found .*without a user dictionary/u);
    expect(describeFrontendManifest(collected.manifest)).toContain('warning: frontend data ja-userdic missing');
    const data = await load(collected);
    expect(data.ja.mecab?.users).toEqual([]);
    expect(jaPhones(data, 'キャット').length).toBeGreaterThan(0);
    expect(createTextFrontend({ symbols: 'v2', languages: frontendLanguages(data) }).segmentPhones('キャット', 'ja').phones.length).toBeGreaterThan(0);
  });

  it('without the dictionary folder’s .def files it is recorded as missing, naming them', async () => {
    const collected = await collect({ omit: [`${DIC}/rewrite.def`] });
    expect(collected.manifest.missing.find((item) => item.id === 'ja-userdic')?.reason).toMatch(/rewrite\.def, left-id\.def, right-id\.def, pos-id\.def/u);
    expect(collected.manifest.data.map((item) => item.id)).toContain('ja-open-jtalk-dic');
  });

  it('fails the bundle naming the line when pyopenjtalk could not compile the CSV', async () => {
    await expect(collect({ replace: { [CSV]: `${FAKE_JA_USERDIC_CSV}ＡＢＣ,*,*,,名詞,一般,*,*,*,*,ＡＢＣ,エービーシー,エービーシー,3/6,C1\n` } })).rejects.toThrow(/userdict\.csv:3: empty cost/u);
    await expect(collect({ replace: { [CSV]: 'ＡＢＣ,*,*,10\n' } })).rejects.toThrow(/userdict\.csv:1: format error/u);
    await expect(collect({ replace: { [CSV]: 'ＡＢＣ,7,7,10,名詞,一般,*,*,*,*,ＡＢＣ,エービーシー,エービーシー,3/6,C1\n' } })).rejects.toThrow(/userdict\.csv: entry 1 .*context ids 7\/7 are outside/u);
  });
});
