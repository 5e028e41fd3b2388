/**
 * The state dict `ERes2NetV2(...)` has for given constructor arguments — names, shapes and dtypes in PyTorch's order —
 * worked out from ERes2NetV2.py's `__init__` the way PyTorch registers modules. It lets tests check the real
 * 20480-d model (whose 200 MB checkpoint is not in the repository) compiles, and counts its parameters.
 * @module
 */
import type { DType } from '../../tensor/index.ts';

export interface Eres2NetV2Args {
  readonly baseWidth: number;
  readonly scale: number;
  readonly expansion: number;
  readonly mChannels: number;
  readonly numBlocks: readonly number[];
  readonly featDim: number;
  readonly embeddingSize: number;
}

/** `ERes2NetV2(baseWidth=24, scale=4, expansion=4)` as GPT_SoVITS/sv.py builds it (other arguments default). */
export const SV_PRETRAINED_ARGS: Eres2NetV2Args = { baseWidth: 24, scale: 4, expansion: 4, mChannels: 64, numBlocks: [3, 4, 6, 3], featDim: 80, embeddingSize: 192 };

export interface StateEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: DType;
  /** A trainable parameter (not a BatchNorm running statistic or counter). */
  readonly parameter: boolean;
}

export function eres2netV2StateShapes(args: Eres2NetV2Args): StateEntry[] {
  const entries: StateEntry[] = [];
  const param = (name: string, shape: readonly number[]): void => {
    entries.push({ name, shape, dtype: 'float32', parameter: true });
  };
  const conv = (name: string, out: number, input: number, kernel: number, bias = false): void => {
    param(`${name}.weight`, [out, input, kernel, kernel]);
    if (bias) param(`${name}.bias`, [out]);
  };
  const bn = (name: string, channels: number): void => {
    param(`${name}.weight`, [channels]);
    param(`${name}.bias`, [channels]);
    entries.push({ name: `${name}.running_mean`, shape: [channels], dtype: 'float32', parameter: false });
    entries.push({ name: `${name}.running_var`, shape: [channels], dtype: 'float32', parameter: false });
    entries.push({ name: `${name}.num_batches_tracked`, shape: [], dtype: 'int64', parameter: false });
  };
  const aff = (name: string, channels: number): void => {
    const inner = Math.floor(channels / 4);
    conv(`${name}.local_att.0`, inner, 2 * channels, 1, true);
    bn(`${name}.local_att.1`, inner);
    conv(`${name}.local_att.3`, channels, inner, 1, true);
    bn(`${name}.local_att.4`, channels);
  };
  const { baseWidth, scale, expansion, mChannels: m } = args;
  conv('conv1', m, 1, 3);
  bn('bn1', m);
  let inPlanes = m;
  args.numBlocks.forEach((count, layer) => {
    const planes = m * 2 ** layer;
    const stride = layer === 0 ? 1 : 2;
    for (let i = 0; i < count; i += 1) {
      const name = `layer${layer + 1}.${i}`;
      const width = Math.floor(planes * (baseWidth / 64));
      const out = planes * expansion;
      conv(`${name}.conv1`, width * scale, inPlanes, 1);
      bn(`${name}.bn1`, width * scale);
      for (let j = 0; j < scale; j += 1) conv(`${name}.convs.${j}`, width, width, 3);
      for (let j = 0; j < scale; j += 1) bn(`${name}.bns.${j}`, width);
      // layers 3 and 4 use BasicBlockERes2NetV2AFF
      if (layer >= 2) for (let j = 0; j < scale - 1; j += 1) aff(`${name}.fuse_models.${j}`, width);
      conv(`${name}.conv3`, out, width * scale, 1);
      bn(`${name}.bn3`, out);
      if ((i === 0 ? stride : 1) !== 1 || inPlanes !== out) {
        conv(`${name}.shortcut.0`, out, inPlanes, 1);
        bn(`${name}.shortcut.1`, out);
      }
      inPlanes = out;
    }
  });
  conv('layer3_ds', m * 8 * expansion, m * 4 * expansion, 3);
  aff('fuse34', m * 8 * expansion);
  const statsDim = Math.floor(args.featDim / 8) * m * 8;
  param('seg_1.weight', [args.embeddingSize, statsDim * expansion * 2]);
  param('seg_1.bias', [args.embeddingSize]);
  return entries;
}
