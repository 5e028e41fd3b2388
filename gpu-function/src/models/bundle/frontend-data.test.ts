import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { sha256File } from '../../checkpoint/index.ts';
import { writeSyntheticModelSet, type SyntheticModelSet } from '../../synthetic/index.ts';
import { g2pCommand } from '../../text/g2p-command.ts';
import { FRONTEND_DATA_IDS } from '../../text/frontend-data/catalog.ts';
import { frontendLanguages } from '../../text/frontend-data/languages.ts';
import { loadFrontendData } from '../../text/frontend-data/load.ts';
import { TEXT, writeFakeInstall } from '../../text/frontend-data/test-install.ts';
import { buildBundle } from './build.ts';
import { bundleCommand } from './command.ts';
import { MANIFEST_FILE, manifestSchema, readBundleManifest, type BundleManifest } from './manifest.ts';

let root: string;
let models: SyntheticModelSet;
let install: string;
let bundle: string;
let manifest: BundleManifest;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-bundle-frontend-'));
  models = await writeSyntheticModelSet(join(root, 'src'), { size: 'tiny', sovitsVersion: 'v2', bert: false, hubert: false, seed: 5 });
  install = join(root, 'GPT-SoVITS');
  await writeFakeInstall(install);
  bundle = join(root, 'models', 'with-frontend');
  manifest = await buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits, gptSovitsDir: install }, out: bundle, precisions: ['fp32'] });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function capture(run: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
  const code = await run();
  vi.restoreAllMocks();
  return { code, stdout, stderr };
}

describe('gsv-edge bundle --gpt-sovits-dir', () => {
  it('extracts the frontend data into frontend/, lists each file as frontend-data with its SHA-256, and records its sources', async () => {
    expect(manifest.frontend?.data.map((entry) => entry.id)).toEqual([...FRONTEND_DATA_IDS]);
    expect(manifest.frontend?.missing).toEqual([]);
    const frontendFiles = manifest.files.filter((file) => file.role === 'frontend-data');
    expect(frontendFiles.map((file) => file.path)).toEqual(manifest.frontend?.data.flatMap((entry) => entry.files));
    for (const file of frontendFiles) {
      expect(file.precision).toBeNull();
      expect(await sha256File(join(bundle, file.path)), file.path).toBe(file.sha256);
    }
    const source = manifest.frontend?.data[0]?.sources[0];
    expect(source).toEqual({ origin: 'gpt-sovits', path: `${TEXT}/tone_sandhi.py`, sha256: await sha256File(join(install, TEXT, 'tone_sandhi.py')) });
    expect(await readBundleManifest(bundle)).toEqual(manifest);
  });

  it('gives the engine the data at run time', async () => {
    const data = await loadFrontendData(bundle);
    expect(data.missing).toEqual([]);
    expect(frontendLanguages(data).zh?.convert('麻烦', 'v2').phones.join(' ')).toBe('m a2 f an5');
  });

  it('records missing data and says so on the command line; without the option it warns that npm data stands in', async () => {
    const partial = join(root, 'partial-install');
    await writeFakeInstall(partial, { omit: [`${TEXT}/namedict_cache.pickle`] });
    const withData = await capture(() =>
      bundleCommand.run(['--gpt', models.gpt, '--sovits', models.sovits, '--out', join(root, 'models', 'partial'), '--precision', 'fp32', '--gpt-sovits-dir', partial]),
    );
    expect(withData.code).toBe(0);
    expect(withData.stderr).toContain('frontend data: zh-tone-sandhi-words from GPT_SoVITS/text/tone_sandhi.py');
    expect(withData.stderr).toContain('warning: frontend data en-names missing (namedict_cache.pickle not found in GPT_SoVITS/text)');
    const saved = manifestSchema.parse(JSON.parse(await readFile(join(root, 'models', 'partial', MANIFEST_FILE), 'utf8')));
    expect(saved.frontend?.missing.map((item) => item.id)).toEqual(['en-names']);

    const without = await capture(() => bundleCommand.run(['--gpt', models.gpt, '--sovits', models.sovits, '--out', join(root, 'models', 'plain'), '--precision', 'fp32']));
    expect(without.code).toBe(0);
    expect(without.stderr).toContain('warning: no GPT-SoVITS frontend data in this bundle (pass --gpt-sovits-dir)');
    expect((await readBundleManifest(join(root, 'models', 'plain'))).frontend).toBeNull();
  });

  it('fails without writing a bundle when a frontend file is malformed, naming it', async () => {
    const broken = join(root, 'broken-install');
    await writeFakeInstall(broken, { replace: { [`${TEXT}/chinese2.py`]: 'must_erhua = {"a"}\n' } });
    const out = join(root, 'models', 'broken');
    await expect(buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits, gptSovitsDir: broken }, out, precisions: ['fp32'] })).rejects.toThrow(
      /chinese2\.py: no assignment to not_erhua found/u,
    );
    await expect(readFile(join(out, MANIFEST_FILE))).rejects.toThrow(/ENOENT/u);
  });
});

describe('gsv-edge g2p --bundle', () => {
  it("converts with the bundle's data and symbol table, warning about nothing when nothing is missing", async () => {
    const { code, stdout, stderr } = await capture(() => g2pCommand.run(['--bundle', bundle, '--lang', 'zh', '麻烦你了。']));
    expect(code).toBe(0);
    expect(stderr).toBe('');
    const result = JSON.parse(stdout) as { symbols: string; segments: { phones: string[] }[] };
    expect(result.symbols).toBe('v2');
    expect(result.segments[0]?.phones.slice(0, 4)).toEqual(['m', 'a2', 'f', 'an5']);
  });

  it("reads Japanese with the bundle's pyopenjtalk dictionary, alone or inside auto text; without the bundle it is refused", async () => {
    // The fake install's dictionary is the tests' tiny one, which knows no kana: each word is read as written.
    const greeting = ['k', 'o', '[', 'N', 'n', 'i', 'ch', 'i', 'h', 'a', '.'];
    const ja = await capture(() => g2pCommand.run(['--bundle', bundle, '--lang', 'ja', 'こんにちは。']));
    expect(ja.code).toBe(0);
    expect(ja.stderr).toBe('');
    const read = JSON.parse(ja.stdout) as { lang: string; segments: { norm_text: string; phones: string[]; phone_ids: number[] }[] };
    expect(read.lang).toBe('ja');
    expect(read.segments.map((segment) => [segment.norm_text, segment.phones])).toEqual([['こんにちは。', greeting]]);
    expect(read.segments[0]?.phone_ids).toHaveLength(greeting.length);
    const mixed = await capture(() => g2pCommand.run(['--bundle', bundle, 'Hello, こんにちは。']));
    expect(mixed.code).toBe(0);
    const auto = JSON.parse(mixed.stdout) as { segments: { phones: string[] }[] };
    expect(auto.segments.flatMap((segment) => segment.phones).slice(-greeting.length)).toEqual(greeting);
    const plain = await capture(() => g2pCommand.run(['--lang', 'ja', 'こんにちは。']));
    expect(plain.code).toBe(1);
    expect(plain.stderr).toContain("error (language_not_supported): Japanese needs pyopenjtalk's OpenJTalk dictionary");
  });

  it('without --bundle warns that every data set is missing, and fails clearly on a folder that is no bundle', async () => {
    const plain = await capture(() => g2pCommand.run(['--lang', 'zh', '麻烦你了。']));
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/^warning: frontend data missing \(no bundle frontend data in use\), npm data stands in: zh-tone-sandhi-words, /u);
    const notBundle = await capture(() => g2pCommand.run(['--bundle', install, '你好']));
    expect(notBundle.code).toBe(1);
    expect(notBundle.stderr).toMatch(/manifest\.json/u);
  });
});

describe('manifest frontend section', () => {
  const base = (): Record<string, unknown> => JSON.parse(JSON.stringify(manifest)) as Record<string, unknown>;

  it('reads a manifest written before the section existed as having no frontend data', () => {
    const old = base();
    delete old.frontend;
    old.files = manifest.files.filter((file) => file.role !== 'frontend-data');
    expect(manifestSchema.parse(old).frontend).toBeNull();
  });

  it('refuses unknown keys, unknown ids, duplicates, wrong paths and files the section does not describe', () => {
    const mutate = (change: (value: { frontend: Record<string, unknown> & { data: Record<string, unknown>[] }; files: unknown[] }) => void): boolean => {
      const value = base() as unknown as { frontend: Record<string, unknown> & { data: Record<string, unknown>[] }; files: unknown[] };
      change(value);
      return manifestSchema.safeParse(value).success;
    };
    expect(mutate(() => undefined)).toBe(true);
    expect(mutate((m) => (m.frontend.extra = 1))).toBe(false);
    expect(mutate((m) => m.frontend.data[0] && (m.frontend.data[0].id = 'zh-something'))).toBe(false);
    expect(mutate((m) => m.frontend.data.push(m.frontend.data[0] ?? {}))).toBe(false);
    expect(mutate((m) => m.frontend.data[0] && (m.frontend.data[0].files = ['frontend/zh/other.json']))).toBe(false);
    expect(mutate((m) => m.frontend.data[0] && (m.frontend.data[0].sources = []))).toBe(false);
    expect(mutate((m) => m.frontend.data.shift())).toBe(false);
    expect(mutate((m) => (m.frontend.missing = [{ id: 'en-names', reason: '' }]))).toBe(false);
  });
});
