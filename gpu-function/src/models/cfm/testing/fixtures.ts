/**
 * The v3/v4 parity fixtures (`gpu-function/test/fixtures/v3v4`, written by GPT-SoVITS's own code) for the CFM and
 * vocoder tests: their micro checkpoints opened with the low-level readers (the product reader of v3/v4 files lives
 * in `checkpoint/`), weight norm folded over dim 0 as GPT-SoVITS's `remove_weight_norm` does, and their `.npy` tensors.
 * @module
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PyDict } from '../../../checkpoint/pickle-values.ts';
import type { LazyTensorStore } from '../../../checkpoint/tensor-store.ts';
import { openTorchCheckpoint } from '../../../checkpoint/torch-archive.ts';
import { foldWeightNormStore } from '../../../checkpoint/weight-norm.ts';
import { readNpy } from '../../../tensor/npy.ts';
import type { HostTensor } from '../../../tensor/tensor.ts';

export const V3V4_FIXTURES = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../test/fixtures/v3v4');

export function fixturePath(...parts: string[]): string {
  return join(V3V4_FIXTURES, ...parts);
}

export function fixture(...parts: string[]): Promise<HostTensor> {
  return readNpy(fixturePath(...parts));
}

/** Float32 or int64 fixture values as numbers. */
export function numbers(t: HostTensor): number[] {
  return t.dtype === 'int64' ? Array.from(t.data as BigInt64Array, Number) : Array.from(t.data as Float32Array);
}

/** The micro full SoVITS v3/v4 model's `weight` dict: fp16 tensors by state-dict name, weight norm folded. */
export async function openSovitsFixture(version: 'v3' | 'v4'): Promise<LazyTensorStore> {
  const checkpoint = await openTorchCheckpoint(fixturePath('ckpt', `s2G${version}_micro.pth`));
  const root = checkpoint.root;
  const weight = root instanceof PyDict ? root.get('weight') : undefined;
  if (!(weight instanceof PyDict)) {
    await checkpoint.close();
    throw new Error('the v3/v4 fixture checkpoint has no weight dict');
  }
  return foldWeightNormStore(checkpoint.stateDict(weight), () => 0);
}

/** The micro v4 vocoder (`torch.save(Generator.state_dict())`, plain weights). */
export async function openVocoderFixture(): Promise<LazyTensorStore> {
  const checkpoint = await openTorchCheckpoint(fixturePath('ckpt', 'vocoder_v4_micro.pth'));
  if (!(checkpoint.root instanceof PyDict)) {
    await checkpoint.close();
    throw new Error('the v4 vocoder fixture is not a state dict');
  }
  return checkpoint.stateDict(checkpoint.root);
}

/** Passes `value` through, printing it when `GSV_MEASURE=1` (to read the measured tolerances off a test run). */
export function measured(label: string, value: number): number {
  if (process.env['GSV_MEASURE'] === '1') console.log(`[measure] ${label}: ${value.toExponential(2)}`);
  return value;
}

/** The micro BigVGAN (v3's vocoder): `{"generator": state_dict}` with weight norm folded, and its config.json. */
export async function openBigvganFixture(): Promise<{ readonly weights: LazyTensorStore; readonly config: unknown }> {
  const checkpoint = await openTorchCheckpoint(fixturePath('ckpt', 'bigvgan_v3_micro', 'bigvgan_generator.pt'));
  const generator = checkpoint.root instanceof PyDict ? checkpoint.root.get('generator') : undefined;
  if (!(generator instanceof PyDict)) {
    await checkpoint.close();
    throw new Error('the BigVGAN fixture has no generator dict');
  }
  const config: unknown = JSON.parse(await readFile(fixturePath('ckpt', 'bigvgan_v3_micro', 'config.json'), 'utf8'));
  return { weights: foldWeightNormStore(checkpoint.stateDict(generator), () => 0), config };
}
