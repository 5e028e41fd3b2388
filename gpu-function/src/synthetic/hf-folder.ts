/**
 * Writes a synthetic Hugging Face model folder: config.json plus `pytorch_model.bin` (a torch zip holding a plain
 * dict, folder `pytorch_model`, as save_pretrained writes it) or `model.safetensors`.
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TensorWrite, writeTorchCheckpoint } from '../checkpoint/torch-writer.ts';
import { writeSafetensors } from '../checkpoint/safetensors-writer.ts';
import { numel } from '../tensor/index.ts';
import type { TensorSpec } from './init.ts';
import { specBytes, type WeightDType } from './state-dict.ts';

export type HfWeightsFormat = 'bin' | 'safetensors';

export interface HfWriteOptions {
  readonly seed: number;
  /** float32 as save_pretrained writes by default; GPT-SoVITS's own copies are float16. */
  readonly dtype?: WeightDType;
  readonly format?: HfWeightsFormat;
}

/**
 * `ties` maps a key to the key whose storage it shares (tied weights: saved twice in a .bin, once in safetensors).
 */
export async function writeHfFolder(dir: string, config: Readonly<Record<string, unknown>>, specs: readonly TensorSpec[], ties: ReadonlyMap<string, string>, options: HfWriteOptions): Promise<void> {
  const dtype = options.dtype ?? 'float32';
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'config.json'), `${JSON.stringify({ ...config, torch_dtype: dtype }, null, 2)}\n`);
  if (options.format === 'safetensors') {
    await writeSafetensors(join(dir, 'model.safetensors'), specs.filter((spec) => !ties.has(spec.name)).map((spec) => ({
      name: spec.name, dtype, shape: spec.shape, bytes: () => specBytes(spec, dtype, options.seed),
    })));
    return;
  }
  const tensors = new Map<string, TensorWrite>();
  specs.forEach((spec, index) => {
    const tiedTo = ties.get(spec.name);
    const owner = tiedTo === undefined ? undefined : tensors.get(tiedTo);
    const storage = owner?.storage ?? { key: String(index), dtype, numel: numel(spec.shape), bytes: () => specBytes(spec, dtype, options.seed) };
    tensors.set(spec.name, new TensorWrite(storage, spec.shape));
  });
  await writeTorchCheckpoint(join(dir, 'pytorch_model.bin'), tensors, { folder: 'pytorch_model' });
}
