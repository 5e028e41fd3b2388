/**
 * Synthetic speaker-verification checkpoints in the format of GPT-SoVITS's `sv/pretrained_eres2netv2w24s4ep4.ckpt`:
 * `torch.save` of ERes2NetV2's state dict (an OrderedDict of fp32 tensors, BatchNorm running statistics and
 * `num_batches_tracked` included). `full` has the pretrained model's sizes (53.5 M values, a 20480-wide embedding);
 * `tiny` keeps every block kind at a few channels (a 1280-wide embedding).
 * @module
 */
import { PickleOrderedDict } from '../checkpoint/pickle-writer.ts';
import { ownedTensor, type TensorWrite, writeTorchCheckpoint } from '../checkpoint/torch-writer.ts';
import { eres2netV2StateShapes, SV_PRETRAINED_ARGS, type Eres2NetV2Args } from '../models/sv/state-dict-shapes.ts';
import { numel } from '../tensor/index.ts';
import { defaultInit, normal, uniform, type TensorSpec } from './init.ts';
import { specBytes } from './state-dict.ts';

export const SV_FULL: Eres2NetV2Args = SV_PRETRAINED_ARGS;
export const SV_TINY: Eres2NetV2Args = { ...SV_PRETRAINED_ARGS, mChannels: 4, numBlocks: [1, 1, 1, 1], embeddingSize: 8 };

/** `forward3`'s output width: layer 4's channels times the frequency rows left after three stride-2 stages. */
export function svEmbeddingDim(args: Eres2NetV2Args): number {
  return args.mChannels * 8 * args.expansion * Math.floor(args.featDim / 8);
}

function init(name: string, shape: readonly number[]): TensorSpec['init'] {
  if (name.endsWith('.running_mean')) return normal(0.1);
  if (name.endsWith('.running_var')) return uniform(0.5, 1.5);
  return defaultInit(name, shape);
}

/** Writes the checkpoint; returns the number of values stored (running statistics included). */
export async function writeSyntheticSv(file: string, args: Eres2NetV2Args, options: { seed: number }): Promise<number> {
  const entries = eres2netV2StateShapes(args);
  const state = new PickleOrderedDict(
    entries.map((entry, index): [string, TensorWrite] => {
      const key = String(index);
      if (entry.dtype === 'int64') return [entry.name, ownedTensor(key, 'int64', entry.shape, () => new Uint8Array(BigInt64Array.of(1000n).buffer))];
      const spec: TensorSpec = { name: entry.name, shape: entry.shape, init: init(entry.name, entry.shape) };
      return [entry.name, ownedTensor(key, 'float32', entry.shape, () => specBytes(spec, 'float32', options.seed))];
    }),
  );
  await writeTorchCheckpoint(file, state);
  return entries.reduce((sum, entry) => sum + numel(entry.shape), 0);
}
