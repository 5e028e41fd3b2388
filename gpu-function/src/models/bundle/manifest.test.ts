import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadBundle } from '../../engine/bundle/loaded-bundle.ts';
import { DEFAULT_RUNTIME_CONFIG } from '../../runtime/config.ts';
import { BUNDLE_FORMAT, BUNDLE_FORMAT_VERSION, MANIFEST_FILE, manifestSchema, readBundleManifest } from './manifest.ts';

const SHA = 'a'.repeat(64);

/** A valid manifest of a T2S + SoVITS-only bundle (no BERT, HuBERT, frontend data or G2PW), with `paths` as its files. */
function manifest(paths: readonly string[]): Record<string, unknown> {
  return {
    format: BUNDLE_FORMAT,
    format_version: BUNDLE_FORMAT_VERSION,
    id: 'tiny',
    created_at: '2025-01-01T00:00:00.000Z',
    producer: 'test',
    gpt_sovits_version: 'v2',
    symbols: { table: 'v2', count: 732, sha256: SHA },
    sample_rate: 32000,
    samples_per_token: 1280,
    t2s: {
      dims: { layers: 1, hidden: 8, heads: 2, ffn: 16, phonemeVocab: 732, vocab: 64, eos: 63, bertDim: 8 },
      top_k: 15,
      max_sec: 54,
      mute_similarity: { mute_token: 0, values: [1, 0.5] },
    },
    sovits: {
      dims: {
        version: 'v2',
        sslDim: 8,
        codebookSize: 64,
        symbols: 732,
        hidden: 8,
        inter: 8,
        gin: 8,
        encoder: { sslLayers: 1, textLayers: 1, encoder2Layers: 1, heads: 2, window: 4, filter: 16, ffnKernel: 3 },
        mrte: { hidden: 8, heads: 2 },
        refEncoder: { bins: 8, hidden: 8, heads: 2, kernel: 3, temporalLayers: 1 },
        flow: { couplings: [0, 1], hidden: 8, kernel: 5, layers: 1, dilationRate: 1 },
        generator: { initialChannels: 8, upsampleRates: [2], upsampleKernels: [4], resblockKernels: [3], resblockDilations: [[1]] },
      },
    },
    bert: null,
    hubert: null,
    precisions: ['fp32'],
    files: paths.map((path) => ({ path, role: 'weights', precision: 'fp32', bytes: 1, sha256: SHA })),
    sources: { gpt: { name: 'gpt.ckpt', sha256: SHA }, sovits: { name: 'sovits.pth', sha256: SHA }, bert: null, hubert: null },
    frontend: null,
    g2pw: null,
  };
}

/** Paths that leave the folder, or are not plain (empty, `.` or dot-file segments, a trailing or leading slash). */
const ESCAPES = ['fp32/../../outside.bin', '../outside.bin', 'a//b', 'a/./b', './a', 'a/.', 'a/', '/etc/passwd', 'fp32/.hidden'];

let root: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'gsv-manifest-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('bundle manifest file paths', () => {
  it('accepts the paths the bundler writes', () => {
    const paths = ['fp32/t2s-decode.onnx', 'fp16/weights.bin', 'bert/vocab.txt', 'frontend/zh/pinyin_dict.json', 'g2pw/polyphonic-fix.rep'];
    expect(manifestSchema.safeParse(manifest(paths)).success).toBe(true);
  });

  it.each(ESCAPES)('refuses %s (a path that is not plainly inside the bundle)', (path) => {
    const parsed = manifestSchema.safeParse(manifest(['fp32/t2s-decode.onnx', path]));
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(['files', 1, 'path']);
  });

  it('makes the manifest reader and the bundle loader refuse a bundle listing one, before opening any file', async () => {
    const dir = join(root, 'escape');
    await mkdir(dir);
    await writeFile(join(dir, MANIFEST_FILE), JSON.stringify(manifest(['fp32/t2s-decode.onnx', 'fp32/../../outside.bin'])));
    await expect(readBundleManifest(dir)).rejects.toThrow(/files\.1\.path: must be a relative path inside the bundle/);
    await expect(loadBundle(dir, { runtime: DEFAULT_RUNTIME_CONFIG })).rejects.toThrow(/not a valid bundle manifest/);
  });
});
