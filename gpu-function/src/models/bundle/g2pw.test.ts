import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { sha256File } from '../../checkpoint/index.ts';
import { bundleTextFrontend } from '../../engine/bundle/text-frontend.ts';
import { loadBundle } from '../../engine/bundle/loaded-bundle.ts';
import { DEFAULT_RUNTIME_CONFIG } from '../../runtime/config.ts';
import { g2pCommand } from '../../text/g2p-command.ts';
import { writeSyntheticModelSet, type SyntheticModelSet } from '../../synthetic/index.ts';
import { writeSyntheticG2pwFolder } from '../../text/zh/g2pw/test-folder.ts';
import { buildBundle } from './build.ts';
import type { BundleManifest } from './manifest.ts';

let root: string;
let models: SyntheticModelSet;
let g2pwDir: string;
let bundle: string;
let manifest: BundleManifest;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-bundle-g2pw-'));
  models = await writeSyntheticModelSet(join(root, 'src'), { size: 'tiny', sovitsVersion: 'v2', bert: true, hubert: false, seed: 9 });
  g2pwDir = join(root, 'G2PWModel');
  await mkdir(g2pwDir);
  await writeSyntheticG2pwFolder(g2pwDir);
  bundle = join(root, 'models', 'with-g2pw');
  manifest = await buildBundle({
    sources: { gpt: models.gpt, sovits: models.sovits, bert: models.bert ?? '', g2pwDir },
    out: bundle,
    precisions: ['fp32'],
  });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('gsv-edge bundle --g2pw', () => {
  it('copies the G2PW model and its side files, each listed with its SHA-256 and its source', async () => {
    const files = manifest.files.filter((file) => file.role === 'g2pw');
    expect(files.map((file) => file.path)).toEqual(manifest.g2pw?.files);
    expect(manifest.g2pw?.files).toContain('g2pw/g2pw.onnx');
    for (const file of files) expect(await sha256File(join(bundle, file.path)), file.path).toBe(file.sha256);
    expect(manifest.g2pw?.sources[0]).toEqual({ origin: 'g2pw-folder', path: 'g2pW.onnx', sha256: await sha256File(join(g2pwDir, 'g2pW.onnx')) });
  });

  it('gives the engine a frontend that reads Mandarin polyphones with the bundled model', async () => {
    const loaded = await loadBundle(bundle, { runtime: DEFAULT_RUNTIME_CONFIG });
    try {
      expect(loaded.sessions.g2pw).toBeDefined();
      const frontend = await bundleTextFrontend(loaded, () => undefined);
      const phones = async (text: string): Promise<string> => (await frontend.targetPhonesWithModels(text, 'zh', 'cut0')).flatMap((segment) => segment.phones).join(' ');
      // The synthetic model prefers hang2 for 行 and zhang3 for 長; the synchronous path keeps pypinyin-style reading.
      expect(await phones('银行行长很重要。')).toBe('y in2 h ang2 h ang5 zh ang3 h en3 zh ong4 y ao4 .');
      expect(frontend.targetPhones('行长', 'zh', 'cut0').flatMap((segment) => segment.phones).join(' ')).not.toBe('');
    } finally {
      await loaded.release();
    }
  });

  it('makes `gsv-edge g2p --bundle` print the phones synthesis uses, read with the bundled G2PW model', async () => {
    let stdout = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
    const quiet = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    let code: number;
    try {
      code = await g2pCommand.run(['--bundle', bundle, '--lang', 'zh', '--split', 'cut0', '银行行长很重要。']);
    } finally {
      write.mockRestore();
      quiet.mockRestore();
    }
    expect(code).toBe(0);
    const result = JSON.parse(stdout) as { segments: { phones: string[] }[] };
    expect(result.segments.flatMap((segment) => segment.phones).join(' ')).toBe('y in2 h ang2 h ang5 zh ang3 h en3 zh ong4 y ao4 .');
  });

  it('refuses --g2pw without --bert and leaves nothing behind', async () => {
    const out = join(root, 'models', 'no-bert');
    await expect(buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits, g2pwDir }, out, precisions: ['fp32'] })).rejects.toThrow(/--g2pw .* needs --bert/u);
    expect((await readdir(join(root, 'models'))).filter((name) => name.startsWith('no-bert'))).toEqual([]);
  });

  it('names the missing file of an incomplete G2PW folder', async () => {
    const broken = join(root, 'G2PW-broken');
    await mkdir(broken);
    await writeSyntheticG2pwFolder(broken);
    await rm(join(broken, 'POLYPHONIC_CHARS.txt'));
    const out = join(root, 'models', 'broken-g2pw');
    await expect(buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits, bert: models.bert ?? '', g2pwDir: broken }, out, precisions: ['fp32'] })).rejects.toThrow(/POLYPHONIC_CHARS\.txt/u);
  });

  it('refuses to load a bundle whose G2PW side file was changed after it was built', async () => {
    const copy = join(root, 'models', 'tampered');
    await buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits, bert: models.bert ?? '', g2pwDir }, out: copy, precisions: ['fp32'] });
    // Same size, other content: only the SHA-256 check can notice.
    const file = join(copy, 'g2pw/polyphonic_chars.txt');
    await writeFile(file, (await readFile(file, 'utf8')).replace('ㄏㄤ2', 'ㄏㄤ4'));
    const loaded = await loadBundle(copy, { runtime: DEFAULT_RUNTIME_CONFIG });
    try {
      await expect(bundleTextFrontend(loaded, () => undefined)).rejects.toThrow(/polyphonic_chars\.txt: SHA-256 does not match/u);
    } finally {
      await loaded.release();
    }
  });
});
