/**
 * v3/v4 bundles: the SoVITS file (full, or a LoRA merged into its base) compiled into the CFM graphs and its vocoder
 * into vocoder.onnx, from synthetic tiny sets and from the files GPT-SoVITS itself wrote (test/fixtures/v3v4); the base
 * and vocoder found in the installation; the manifest's sections, rate and sources; the mistakes refused by name.
 */
import { cp, mkdir, mkdtemp, readdir, readFile, rm, copyFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CFM_BASE_INSTALL_PATHS, sha256File } from '../../checkpoint/index.ts';
import { loadBundle } from '../../engine/bundle/loaded-bundle.ts';
import { DEFAULT_RUNTIME_CONFIG } from '../../runtime/config.ts';
import { writeSyntheticModelSet, type SyntheticModelSet } from '../../synthetic/index.ts';
import { buildTinyBundle } from '../../synthetic/tiny-bundle.ts';
import { tensor } from '../../tensor/index.ts';
import { writeFakeInstall } from '../../text/frontend-data/test-install.ts';
import { fixturePath } from '../cfm/testing/fixtures.ts';
import { buildBundle, VOCODER_INSTALL_PATHS, type BundleSources } from './build.ts';
import { bundleCommand } from './command.ts';
import { manifestSchema, MANIFEST_FILE, type BundleManifest } from './manifest.ts';

const ckpt = (name: string): string => fixturePath('ckpt', name);
const V4_LORA = ckpt('s2Gv4_lora_micro.pth');
const V4_BASE = ckpt('s2Gv4_micro.pth');
const V4_VOCODER = ckpt('vocoder_v4_micro.pth');
const V3_FULL = ckpt('s2Gv3_micro.pth');
const V3_LORA = ckpt('s2Gv3_lora_micro.pth');
const BIGVGAN = ckpt('bigvgan_v3_micro');

let root: string;
let v4: SyntheticModelSet;
let v2: SyntheticModelSet;
let counter = 0;

/** A fresh destination whose parent holds nothing else, to check that refusals leave nothing behind. */
async function destination(): Promise<string> {
  counter += 1;
  const parent = join(root, 'out', String(counter));
  await mkdir(parent, { recursive: true });
  return join(parent, 'model');
}

async function build(sources: Omit<BundleSources, 'gpt'>, precisions: ('fp32' | 'fp16')[] = ['fp32']): Promise<BundleManifest> {
  return buildBundle({ sources: { gpt: v2.gpt, ...sources }, out: await destination(), precisions });
}

async function refusal(sources: Omit<BundleSources, 'gpt'>): Promise<string> {
  const out = await destination();
  const error = await buildBundle({ sources: { gpt: v2.gpt, ...sources }, out, precisions: ['fp32'] }).then(
    () => new Error('built'),
    (reason: unknown) => (reason instanceof Error ? reason : new Error(String(reason))),
  );
  expect(await readdir(dirname(out))).toEqual([]);
  return error.message;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-bundle-cfm-'));
  v4 = await writeSyntheticModelSet(join(root, 'v4'), { size: 'tiny', sovitsVersion: 'v4', bert: true, hubert: true, seed: 31 });
  // Its T2S (732 phones, the same tiny T2S every version uses) pairs with the fixtures' SoVITS files.
  v2 = await writeSyntheticModelSet(join(root, 'v2'), { size: 'tiny', sovitsVersion: 'v2', bert: false, hubert: true, seed: 32 });
}, 60_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('gsv-edge bundle for SoVITS v3/v4', () => {
  it('compiles a tiny v4 set in fp32 and fp16: CFM graphs and the HiFi-GAN vocoder in place of the VITS decoder', async () => {
    const out = join(root, 'bundles', 'tiny-v4');
    const manifest = await buildBundle({
      sources: { gpt: v4.gpt, sovits: v4.sovits, bert: v4.bert ?? '', hubert: v4.hubert ?? '', vocoder: v4.vocoder ?? '' },
      out,
      precisions: ['fp32', 'fp16'],
    });
    expect(manifestSchema.parse(JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8')))).toEqual(manifest);
    expect(manifest).toMatchObject({ gpt_sovits_version: 'v4', sovits: null, sv: null, sample_rate: 48000, samples_per_token: 1920 });
    expect(manifest.symbols).toMatchObject({ table: 'v2', count: 732 });
    expect(manifest.cfm?.dims.version).toBe('v4');
    expect(manifest.cfm?.dims.dit).toMatchObject({ dim: 32, depth: 2 });
    expect(manifest.cfm?.vocoder.kind).toBe('hifigan');
    expect(manifest.cfm?.sample_steps).toBe(32);
    for (const precision of ['fp32', 'fp16'] as const) {
      expect(manifest.files.filter((file) => file.precision === precision).map((file) => file.role)).toEqual([
        't2s-prefill', 't2s-decode', 't2s-decode-resident', 'sovits-extract', 'sovits-ref-encoder', 'cfm-mel', 'cfm-encp', 'cfm-text', 'cfm-step', 'vocoder', 'bert', 'hubert', 'weights',
      ]);
    }
    expect(manifest.files.find((file) => file.role === 'cfm-step')?.path).toBe('fp32/cfm-step.onnx');
    expect(manifest.sources).toMatchObject({ sovits: { name: 'sovits.pth' }, sovits_base: null, sv: null, vocoder: [{ name: 'vocoder.pth', sha256: await sha256File(v4.vocoder ?? '') }] });

    const loaded = await loadBundle(out, { runtime: DEFAULT_RUNTIME_CONFIG, verify: true });
    try {
      expect(loaded.precision).toBe('fp32');
      expect(loaded.sessions.sovitsDecoder).toBeUndefined();
      const cfm = loaded.sessions.cfm;
      expect(cfm?.step.inputNames).toEqual(['x', 'cond', 'text_embed', 'x_lens', 'prompt_lens', 't', 'd']);
      expect(cfm?.vocoder.inputNames).toEqual(['mel', 'mel_lengths']);
      expect(cfm?.mel.outputNames).toEqual(['mel', 'mel_lengths']);
      // The vocoder writes 480 samples per mel frame.
      const frames = 5;
      const audio = await cfm?.vocoder.run({ mel: tensor('float32', [1, 100, frames], new Float32Array(100 * frames).fill(-5)), mel_lengths: tensor('int64', [1], BigInt64Array.of(BigInt(frames))) });
      expect(audio?.['audio']?.shape).toEqual([1, frames * 480]);
    } finally {
      await loaded.release();
    }
  });

  it('builds the tiny v3 bundle (BigVGAN, 24 kHz) that buildTinyBundle gives the e2e tests, and loads it', async () => {
    const out = join(root, 'bundles', 'tiny-v3');
    await buildTinyBundle(out, 12, 'v3');
    const manifest = manifestSchema.parse(JSON.parse(await readFile(join(out, MANIFEST_FILE), 'utf8')));
    expect(manifest).toMatchObject({ gpt_sovits_version: 'v3', sovits: null, sample_rate: 24000, samples_per_token: 960 });
    expect(manifest.cfm?.vocoder).toMatchObject({ kind: 'bigvgan', dims: { initialChannels: 64, sampleRate: 24000 } });
    expect(manifest.sources.vocoder?.map((file) => file.name)).toEqual(['bigvgan_generator.pt', 'config.json']);
    const loaded = await loadBundle(out, { runtime: DEFAULT_RUNTIME_CONFIG });
    try {
      expect(Object.keys(loaded.sessions.cfm ?? {})).toEqual(['mel', 'encp', 'text', 'step', 'vocoder']);
    } finally {
      await loaded.release();
    }
  });

  it("merges the fixtures' v4 LoRA into its base and lists the base and the vocoder among the sources", async () => {
    const manifest = await build({ sovits: V4_LORA, sovitsBase: V4_BASE, vocoder: V4_VOCODER }, ['fp32', 'fp16']);
    expect(manifest).toMatchObject({ gpt_sovits_version: 'v4', sample_rate: 48000, samples_per_token: 1920 });
    expect(manifest.cfm?.dims.encp).toMatchObject({ sslDim: 16, featureDim: 24 });
    expect(manifest.cfm?.vocoder).toMatchObject({ kind: 'hifigan', dims: { initialChannels: 32, upsampleRates: [10, 6, 2, 2, 2] } });
    expect(manifest.sources).toMatchObject({
      sovits: { name: 's2Gv4_lora_micro.pth', sha256: await sha256File(V4_LORA) },
      sovits_base: { name: 's2Gv4_micro.pth', sha256: await sha256File(V4_BASE) },
      vocoder: [{ name: 'vocoder_v4_micro.pth', sha256: await sha256File(V4_VOCODER) }],
    });
  });

  it('compiles the fixtures\' full v3 model with the BigVGAN folder', async () => {
    const manifest = await build({ sovits: V3_FULL, vocoder: BIGVGAN });
    expect(manifest).toMatchObject({ gpt_sovits_version: 'v3', sample_rate: 24000, samples_per_token: 960, sources: { sovits_base: null } });
    expect(manifest.cfm?.dims.encp.frameRate).toEqual({ upsampleNum: 15, upsampleDen: 8, maskFramesPerToken: 3.875 });
    expect(manifest.cfm?.vocoder).toMatchObject({ kind: 'bigvgan', dims: { activation: 'snakebeta', biasAtFinal: false, tanhAtFinal: false } });
    expect(manifest.sources.vocoder).toEqual([
      { name: 'bigvgan_generator.pt', sha256: await sha256File(join(BIGVGAN, 'bigvgan_generator.pt')) },
      { name: 'config.json', sha256: await sha256File(join(BIGVGAN, 'config.json')) },
    ]);
  });

  it("finds a LoRA's base and the vocoder where GPT-SoVITS keeps them in --gpt-sovits-dir", async () => {
    const install = join(root, 'GPT-SoVITS');
    await writeFakeInstall(install);
    for (const [from, to] of [[V4_BASE, CFM_BASE_INSTALL_PATHS.v4], [V4_VOCODER, VOCODER_INSTALL_PATHS.v4], [V3_FULL, CFM_BASE_INSTALL_PATHS.v3]] as const) {
      await mkdir(dirname(join(install, to)), { recursive: true });
      await copyFile(from, join(install, to));
    }
    await cp(BIGVGAN, join(install, VOCODER_INSTALL_PATHS.v3), { recursive: true });
    const four = await build({ sovits: V4_LORA, gptSovitsDir: install });
    expect(four.sources.sovits_base?.name).toBe('s2Gv4.pth');
    expect(four.sources.vocoder?.[0]?.name).toBe('vocoder.pth');
    const three = await build({ sovits: V3_LORA, gptSovitsDir: install });
    expect(three.gpt_sovits_version).toBe('v3');
    expect(three.sources.sovits_base?.name).toBe('s2Gv3.pth');
    expect(three.cfm?.vocoder.kind).toBe('bigvgan');
  });

  it('refuses a LoRA without its base and a model without its vocoder, saying which file to pass', async () => {
    expect(await refusal({ sovits: V4_LORA, vocoder: V4_VOCODER })).toMatch(
      /s2Gv4_lora_micro\.pth is a SoVITS v4 LoRA: it needs its base model; pass --sovits-base GPT_SoVITS\/pretrained_models\/gsv-v4-pretrained\/s2Gv4\.pth or --gpt-sovits-dir$/,
    );
    const empty = join(root, 'empty-install');
    await writeFakeInstall(empty);
    expect(await refusal({ sovits: V3_LORA, vocoder: BIGVGAN, gptSovitsDir: empty })).toMatch(/s2Gv3_lora_micro\.pth is a SoVITS v3 LoRA: it needs its base model; .* \(not found at .*s2Gv3\.pth\)/);
    expect(await refusal({ sovits: V4_BASE })).toMatch(/s2Gv4_micro\.pth is a SoVITS v4 model: it needs GPT-SoVITS's v4 vocoder \(gsv-v4-pretrained\/vocoder\.pth\); pass --vocoder/);
    expect(await refusal({ sovits: V3_FULL, gptSovitsDir: empty })).toMatch(/is a SoVITS v3 model: it needs the BigVGAN v2 vocoder .* \(not found at .*models--nvidia--bigvgan_v2_24khz_100band_256x\)/);
  });

  it("refuses the other version's vocoder", async () => {
    expect(await refusal({ sovits: V4_BASE, vocoder: BIGVGAN })).toMatch(/--vocoder .*bigvgan_v3_micro is a folder \(BigVGAN, v3's vocoder\?\); .* is a SoVITS v4 model/);
    expect(await refusal({ sovits: V3_FULL, vocoder: V4_VOCODER })).toMatch(/--vocoder .*vocoder_v4_micro\.pth is a file \(v4's vocoder\.pth\?\); .* is a SoVITS v3 model/);
    expect(await refusal({ sovits: V4_BASE, vocoder: join(BIGVGAN, 'bigvgan_generator.pt') })).toContain("holds a BigVGAN 'generator' (the v3 vocoder)");
  });

  it('refuses options that do not apply to the model given', async () => {
    expect(await refusal({ sovits: v2.sovits, vocoder: V4_VOCODER })).toMatch(/--vocoder .* is only used by SoVITS v3\/v4 models; .*sovits\.pth is a SoVITS v2 model/);
    expect(await refusal({ sovits: v2.sovits, sovitsBase: V4_BASE })).toMatch(/--sovits-base .* is only used by SoVITS v3\/v4 LoRA files; .* is a SoVITS v2 model/);
    expect(await refusal({ sovits: v2.sovits, sovitsVersion: 'v4' })).toContain('--version v4 only tells SoVITS v3 from v4');
    expect(await refusal({ sovits: V4_BASE, vocoder: V4_VOCODER, sv: V4_BASE })).toMatch(/--sv .* is only used by v2Pro\/v2ProPlus models; .*s2Gv4_micro\.pth is a SoVITS v4 model/);
    expect(await refusal({ sovits: V4_BASE, vocoder: V4_VOCODER, sovitsBase: V4_BASE })).toMatch(/--sovits-base .* is only used by v3\/v4 LoRA files; .* is a SoVITS v4 model, not a LoRA/);
    expect(await refusal({ sovits: V4_BASE, vocoder: V4_VOCODER, sovitsVersion: 'v3' })).toContain('is a SoVITS v4 model by its config (version "v4"), but version v3 was asked for');
  });

  it('checks HuBERT against the CFM model: the fixtures want 16-wide SSL features', async () => {
    expect(await refusal({ sovits: V4_BASE, vocoder: V4_VOCODER, hubert: v2.hubert ?? '' })).toMatch(/has width 64 but .*s2Gv4_micro\.pth expects 16-wide SSL features/);
  });

  it('takes --sovits-base, --vocoder and --version on the command line', async () => {
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = () => true;
    try {
      const args = ['--gpt', v2.gpt, '--sovits', V4_LORA, '--sovits-base', V4_BASE, '--vocoder', V4_VOCODER, '--version', 'v4', '--precision', 'fp32'];
      expect(await bundleCommand.run([...args, '--out', await destination()])).toBe(0);
      expect(await bundleCommand.run([...args.slice(0, -4), '--version', 'v5', '--out', await destination()])).toBe(2);
    } finally {
      process.stderr.write = write;
    }
  });
});
