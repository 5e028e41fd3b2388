import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../checkpoint/index.ts';
import { ModelSession } from '../../runtime/index.ts';
import { writeSyntheticModelSet, type SyntheticModelSet } from '../../synthetic/index.ts';
import { buildBundle, type BundleProgress } from './build.ts';
import { bundleCommand } from './command.ts';
import { manifestSchema, MANIFEST_FILE } from './manifest.ts';

let root: string;
let models: SyntheticModelSet;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-bundle-'));
  models = await writeSyntheticModelSet(join(root, 'src'), { size: 'tiny', sovitsVersion: 'v2', bert: true, hubert: true, seed: 3 });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const sources = () => ({ gpt: models.gpt, sovits: models.sovits, bert: models.bert ?? '', hubert: models.hubert ?? '' });

describe('gsv-edge bundle', () => {
  it('writes every graph in both precisions with a manifest whose hashes match the files', async () => {
    const out = join(root, 'out', 'tiny-voice');
    const stages: string[] = [];
    const manifest = await buildBundle({
      sources: sources(),
      out,
      precisions: ['fp32', 'fp16'],
      onProgress: (p: BundleProgress) => {
        if (p.kind === 'stage') stages.push(p.message);
      },
    });
    expect(manifestSchema.parse(JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8')))).toEqual(manifest);
    expect(manifest).toMatchObject({ id: 'tiny-voice', gpt_sovits_version: 'v2', sample_rate: 32000, samples_per_token: 1280 });
    expect(manifest.symbols).toEqual({ table: 'v2', count: 732, sha256: '0771f6cd6f6201e8c2b0de921dc69cc04caf3f346c599d4a41413967d5674da7' });
    const roles = manifest.files.filter((f) => f.precision === 'fp32').map((f) => f.role).sort();
    expect(roles).toEqual(['bert', 'hubert', 'sovits-decoder', 'sovits-extract', 'sovits-ref-encoder', 't2s-decode', 't2s-decode-resident', 't2s-prefill', 'weights']);
    for (const file of manifest.files) expect(await sha256File(join(out, file.path)), file.path).toBe(file.sha256);
    expect(stages.at(-1)).toMatch(/written/);
    // Every graph loads with full optimization from the bundle folder (external weights resolve next to it).
    for (const file of manifest.files.filter((f) => f.path.endsWith('.onnx') && f.precision === 'fp32')) {
      const session = await ModelSession.load(join(out, file.path));
      expect(session.inputNames.length, file.path).toBeGreaterThan(0);
      await session.release();
    }
    const fp32 = manifest.files.find((f) => f.path === 'fp32/weights.bin')?.bytes ?? 0;
    const fp16 = manifest.files.find((f) => f.path === 'fp16/weights.bin')?.bytes ?? 0;
    expect(fp16 / fp32).toBeGreaterThan(0.45);
    expect(fp16 / fp32).toBeLessThan(0.56);
  });

  it('builds a T2S + SoVITS-only bundle when BERT and HuBERT are omitted', async () => {
    const manifest = await buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits }, out: join(root, 'out', 'no-ssl'), precisions: ['fp32'] });
    expect(manifest.bert).toBeNull();
    expect(manifest.hubert).toBeNull();
    expect(manifest.files.map((f) => f.role)).not.toContain('bert');
  });

  it('refuses to overwrite without --force, and replaces atomically with it', async () => {
    const out = join(root, 'out', 'replace-me');
    await buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits }, out, precisions: ['fp32'] });
    await expect(buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits }, out, precisions: ['fp32'] })).rejects.toThrow(/already exists; pass --force/);
    const replaced = await buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits }, out, precisions: ['fp16'], force: true });
    expect(replaced.precisions).toEqual(['fp16']);
    expect((await readdir(out)).sort()).toEqual(['fp16', 'manifest.json']);
  });

  it('leaves nothing behind when an input is broken, and names the file', async () => {
    const broken = join(root, 'broken.pth');
    await writeFile(broken, (await readFile(models.sovits)).subarray(0, 5000));
    const parent = join(root, 'failed');
    await mkdir(parent, { recursive: true });
    await expect(buildBundle({ sources: { gpt: models.gpt, sovits: broken }, out: join(parent, 'x'), precisions: ['fp32'] })).rejects.toThrow(/broken\.pth/);
    await expect(buildBundle({ sources: { gpt: models.sovits, sovits: models.sovits }, out: join(parent, 'y'), precisions: ['fp32'] })).rejects.toThrow(/sovits\.pth/);
    expect(await readdir(parent)).toEqual([]);
  });

  it('refuses a folder name that is not a model id', async () => {
    await expect(buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits }, out: join(root, 'Bad Name'), precisions: ['fp32'] })).rejects.toThrow(/must be a model id/);
  });

  it('reports usage errors with exit code 2 and succeeds with exit code 0', async () => {
    const errors: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = ((chunk: string) => errors.push(chunk) > 0);
    try {
      expect(await bundleCommand.run(['--gpt', models.gpt])).toBe(2);
      expect(errors.join('')).toMatch(/missing --sovits, --out/);
      expect(await bundleCommand.run(['--gpt', models.gpt, '--sovits', models.sovits, '--out', join(root, 'cli'), '--precision', 'int8'])).toBe(2);
      expect(await bundleCommand.run(['--gpt', models.gpt, '--sovits', models.sovits, '--out', join(root, 'cli'), '--precision', 'fp32'])).toBe(0);
    } finally {
      process.stderr.write = write;
    }
  });
});
