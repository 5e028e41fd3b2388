/**
 * pyopenjtalk's dictionary from a fake GPT-SoVITS install (a tiny dictionary in the real compiled format at
 * runtime/Lib/site-packages/pyopenjtalk/open_jtalk_dic_utf_8-1.11): found, checked and copied by the bundle step,
 * loaded and checked at run time and used to read Japanese, and Japanese refused with a 400 saying what the bundle
 * lacks when it is not there.
 */
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiError } from '@gsv-edge/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTextFrontend } from '../frontend.ts';
import { MecabAnalyser } from '../ja/mecab/index.ts';
import { tinyDictionaryFiles } from '../ja/mecab/tiny-dictionary.ts';
import { FRONTEND_DATA_FILES } from './catalog.ts';
import { collectFrontendData, type CollectedFrontendData } from './collect.ts';
import { describeFrontendManifest, describeMissing } from './describe.ts';
import { frontendLanguages } from './languages.ts';
import { loadFrontendData, type FrontendData } from './load.ts';
import { OPEN_JTALK_DIC_DIR } from './open-jtalk-dic.ts';
import { frontendManifestView, SITE_PACKAGES, writeFakeInstall, type FakeInstallOptions } from './test-install.ts';

let root: string;
let counter = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-open-jtalk-dic-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const DIC = `${SITE_PACKAGES}/${OPEN_JTALK_DIC_DIR}`;
const files = tinyDictionaryFiles();

async function collect(options: FakeInstallOptions = {}): Promise<CollectedFrontendData> {
  counter += 1;
  const dir = join(root, `install-${String(counter)}`);
  await writeFakeInstall(dir, options);
  const collected = await collectFrontendData({ gptSovitsDir: dir });
  if (collected === undefined) throw new Error('nothing collected');
  return collected;
}

async function bundle(collected: CollectedFrontendData): Promise<{ dir: string; data: FrontendData }> {
  counter += 1;
  const dir = join(root, `bundle-${String(counter)}`);
  return { dir, data: await loadFrontendData(dir, await frontendManifestView(dir, collected)) };
}

function refusal(data: FrontendData, text: string, lang: 'ja' | 'auto'): ApiError {
  const frontend = createTextFrontend({ symbols: 'v2', languages: frontendLanguages(data) });
  try {
    frontend.segmentPhones(text, lang);
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  throw new Error('Japanese was not refused');
}

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe("pyopenjtalk's dictionary in the bundle", () => {
  it('is found in the install’s site-packages, recorded with each file’s SHA-256 and copied verbatim', async () => {
    const collected = await collect();
    const entry = collected.manifest.data.find((item) => item.id === 'ja-open-jtalk-dic');
    expect(entry?.files).toEqual([...FRONTEND_DATA_FILES['ja-open-jtalk-dic']]);
    expect(entry?.sources).toEqual(
      (['sys.dic', 'unk.dic', 'matrix.bin', 'char.bin'] as const).map((name) => ({ origin: 'site-packages', path: `${OPEN_JTALK_DIC_DIR}/${name}`, sha256: sha256(files[name]) })),
    );
    const { dir } = await bundle(collected);
    expect(sha256(await readFile(join(dir, 'frontend/ja/open_jtalk_dic/sys.dic')))).toBe(sha256(files['sys.dic']));
  });

  it('is loaded at run time, and Japanese is read with it, Japanese inside `auto` text included', async () => {
    const { data } = await bundle(await collect());
    expect(data.loaded).toContain('ja-open-jtalk-dic');
    const mecab = data.ja.mecab;
    if (mecab === undefined) throw new Error('no dictionary loaded');
    expect(new MecabAnalyser(mecab).analyse('東京都に').morphemes.map((m) => m.surface)).toEqual(['東京都', 'に']);
    const frontend = createTextFrontend({ symbols: 'v2', languages: frontendLanguages(data) });
    // The tiny dictionary knows no kana, so each word is read as written ('は' as ha).
    const greeting = ['k', 'o', '[', 'N', 'n', 'i', 'ch', 'i', 'h', 'a'];
    expect(frontend.segmentPhones('こんにちは', 'ja').phones).toEqual(greeting);
    const mixed = frontend.segmentPhones('Hello, こんにちは', 'auto');
    expect(mixed.runs.map((run) => run.lang)).toEqual(['en', 'ja']);
    expect(mixed.runs[1]?.phones).toEqual(greeting);
  });

  it('without it the bundle loads and Japanese gets a 400 naming the missing dictionary and how to add it', async () => {
    const collected = await collect({ omit: ['sys.dic', 'unk.dic', 'matrix.bin', 'char.bin'].map((name) => `${DIC}/${name}`) });
    const missing = collected.manifest.missing.find((item) => item.id === 'ja-open-jtalk-dic');
    expect(missing?.reason).toMatch(/pyopenjtalk\/open_jtalk_dic_utf_8-1\.11 not found in .*site-packages.*downloads it the first time it reads Japanese/u);
    expect(describeFrontendManifest(collected.manifest)).toContain('warning: frontend data ja-open-jtalk-dic missing');
    const { data } = await bundle(collected);
    expect(describeMissing(data.missing)).toContain('without it Japanese text is refused');
    for (const [text, lang] of [
      ['こんにちは', 'ja'],
      ['Hello, こんにちは', 'auto'],
    ] as const) {
      const error = refusal(data, text, lang);
      expect(error).toMatchObject({ code: 'language_not_supported', param: 'text_lang', status: 400 });
      expect(error.message).toContain("pyopenjtalk's OpenJTalk dictionary (open_jtalk_dic_utf_8-1.11), which this bundle lacks");
      expect(error.message).toContain('--gpt-sovits-dir');
    }
    // Other languages are unaffected.
    const frontend = createTextFrontend({ symbols: 'v2', languages: frontendLanguages(data) });
    expect(frontend.segmentPhones('hello', 'en').phones.length).toBeGreaterThan(0);
  });

  it('fails the bundle naming the file when a dictionary file is damaged', async () => {
    const damaged = files['sys.dic'].slice(0, files['sys.dic'].length - 16);
    await expect(collect({ replace: { [`${DIC}/sys.dic`]: damaged } })).rejects.toThrow(/open_jtalk_dic_utf_8-1\.11\/sys\.dic: not a MeCab dictionary, or a damaged one/u);
    const swapped = { [`${DIC}/unk.dic`]: files['sys.dic'] };
    await expect(collect({ replace: swapped })).rejects.toThrow(/unk\.dic: a MeCab system dictionary where a unknown dictionary belongs/u);
  });
});
