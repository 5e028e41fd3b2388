/**
 * v2Pro/v2ProPlus bundles: the speaker-verification model they need goes into the bundle (`--sv`, or found in the
 * GPT-SoVITS installation), is checked against the SoVITS model, and is refused where it does not belong.
 */
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256File } from '../../checkpoint/index.ts';
import { ModelSession } from '../../runtime/index.ts';
import { SV_TINY, writeSyntheticModelSet, writeSyntheticSv, type SyntheticModelSet } from '../../synthetic/index.ts';
import { writeFakeInstall } from '../../text/frontend-data/test-install.ts';
import { buildBundle, SV_INSTALL_PATH } from './build.ts';
import { bundleCommand } from './command.ts';
import { manifestSchema, MANIFEST_FILE } from './manifest.ts';

let root: string;
let pro: SyntheticModelSet;
let plus: SyntheticModelSet;
let plain: SyntheticModelSet;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-bundle-sv-'));
  pro = await writeSyntheticModelSet(join(root, 'pro'), { size: 'tiny', sovitsVersion: 'v2Pro', bert: false, hubert: false, seed: 21 });
  plus = await writeSyntheticModelSet(join(root, 'plus'), { size: 'tiny', sovitsVersion: 'v2ProPlus', bert: false, hubert: false, seed: 22 });
  plain = await writeSyntheticModelSet(join(root, 'plain'), { size: 'tiny', sovitsVersion: 'v2', bert: false, hubert: false, seed: 23 });
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('gsv-edge bundle for v2Pro/v2ProPlus', () => {
  it('compiles the speaker-verification model into sv.onnx in each precision and records its dims and source', async () => {
    for (const [name, models, version] of [['tiny-pro', pro, 'v2Pro'], ['tiny-plus', plus, 'v2ProPlus']] as const) {
      const out = join(root, 'out', name);
      const manifest = await buildBundle({ sources: { gpt: models.gpt, sovits: models.sovits, sv: models.sv ?? '' }, out, precisions: ['fp32', 'fp16'] });
      expect(manifestSchema.parse(JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8')))).toEqual(manifest);
      expect(manifest.gpt_sovits_version).toBe(version);
      expect(manifest.symbols.table).toBe('v2');
      expect(manifest.sovits?.dims.speakerFusion).toEqual({ embeddingDim: 1280 });
      expect(manifest.sv?.dims.embeddingDim).toBe(1280);
      expect(manifest.sources.sv).toEqual({ name: 'sv.ckpt', sha256: await sha256File(models.sv ?? '') });
      expect(manifest.files.filter((file) => file.role === 'sv').map((file) => file.path)).toEqual(['fp32/sv.onnx', 'fp16/sv.onnx']);
      const sv = await ModelSession.load(join(out, 'fp32', 'sv.onnx'));
      expect(sv.inputNames).toEqual(['fbank']);
      await sv.release();
      const refEncoder = await ModelSession.load(join(out, 'fp32', 'sovits-ref-encoder.onnx'));
      expect(refEncoder.inputNames).toContain('sv_emb');
      await refEncoder.release();
    }
  });

  it('finds the model in --gpt-sovits-dir where GPT-SoVITS keeps it', async () => {
    const install = join(root, 'GPT-SoVITS');
    await writeFakeInstall(install);
    await mkdir(dirname(join(install, SV_INSTALL_PATH)), { recursive: true });
    await copyFile(pro.sv ?? '', join(install, SV_INSTALL_PATH));
    const manifest = await buildBundle({ sources: { gpt: pro.gpt, sovits: pro.sovits, gptSovitsDir: install }, out: join(root, 'out', 'found'), precisions: ['fp32'] });
    expect(manifest.sources.sv?.name).toBe('pretrained_eres2netv2w24s4ep4.ckpt');
  });

  it('refuses a v2Pro model without the model, saying which file to pass, and leaves nothing behind', async () => {
    const parent = join(root, 'refused');
    await mkdir(parent, { recursive: true });
    await expect(buildBundle({ sources: { gpt: pro.gpt, sovits: pro.sovits }, out: join(parent, 'x'), precisions: ['fp32'] })).rejects.toThrow(
      /SoVITS v2Pro model: it needs GPT-SoVITS's speaker-verification model; pass --sv pretrained_models\/sv\/pretrained_eres2netv2w24s4ep4\.ckpt/,
    );
    expect(await readdir(parent)).toEqual([]);
  });

  it('refuses --sv for a model that takes no speaker embedding, and one of the wrong width', async () => {
    await expect(buildBundle({ sources: { gpt: plain.gpt, sovits: plain.sovits, sv: pro.sv ?? '' }, out: join(root, 'out', 'v2-sv'), precisions: ['fp32'] })).rejects.toThrow(
      /--sv .* is only used by v2Pro\/v2ProPlus models; .* is a SoVITS v2 model/,
    );
    const wide = join(root, 'wide-sv.ckpt');
    await writeSyntheticSv(wide, { ...SV_TINY, mChannels: 8 }, { seed: 5 });
    await expect(buildBundle({ sources: { gpt: pro.gpt, sovits: pro.sovits, sv: wide }, out: join(root, 'out', 'wide'), precisions: ['fp32'] })).rejects.toThrow(
      /gives 2560-wide speaker embeddings but .* projects 1280-wide ones/,
    );
    await expect(buildBundle({ sources: { gpt: pro.gpt, sovits: pro.sovits, sv: pro.sovits }, out: join(root, 'out', 'swapped'), precisions: ['fp32'] })).rejects.toThrow(
      /not the speaker-verification state dict/,
    );
  });

  it('rejects a manifest whose v2Pro model has no speaker-verification model, or a v2 model that has one', async () => {
    const manifest = JSON.parse(await readFile(join(root, 'out', 'tiny-pro', MANIFEST_FILE), 'utf8')) as Record<string, unknown>;
    expect(manifestSchema.safeParse({ ...manifest, sv: null }).error?.issues[0]?.message).toMatch(/needs a speaker-verification model with a 1280-wide embedding/);
    const sovits = manifest['sovits'] as { dims: Record<string, unknown> };
    const asV2 = { ...manifest, gpt_sovits_version: 'v2', sovits: { dims: { ...sovits.dims, version: 'v2', speakerFusion: null } } };
    expect(manifestSchema.safeParse(asV2).error?.issues[0]?.message).toMatch(/takes no speaker embedding/);
  });

  it('takes --sv on the command line', async () => {
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (() => true);
    try {
      expect(await bundleCommand.run(['--gpt', pro.gpt, '--sovits', pro.sovits, '--sv', pro.sv ?? '', '--out', join(root, 'out', 'cli'), '--precision', 'fp32'])).toBe(0);
    } finally {
      process.stderr.write = write;
    }
  });
});
