/**
 * Derives the v4 vocoder's {@link HifiganVocoderDims} from its state dict (`vocoder.pth`: `conv_pre`, `ups.N`,
 * `resblocks.N.convs{1,2}.M`, `conv_post`, weight norm already removed by GPT-SoVITS).
 * @module
 */
import type { ShapeSource } from '../sovits/dims-from-weights.ts';
import { V4_VOCODER, validateHifiganDims, type HifiganVocoderDims } from './config.ts';

export function hifiganDimsFromWeights(weights: ShapeSource): HifiganVocoderDims {
  const dim = (name: string, rank: number, axis: number): number => {
    const info = weights.info(name);
    if (info === undefined) throw new Error(`vocoder weights lack tensor ${name}`);
    if (info.shape.length !== rank) throw new Error(`vocoder tensor ${name} has shape [${info.shape.join(', ')}], expected rank ${rank}`);
    return info.shape[axis] ?? 0;
  };
  const count = (pattern: (i: number) => string): number => {
    let n = 0;
    while (weights.info(pattern(n)) !== undefined) n += 1;
    return n;
  };
  const stages = count((i) => `ups.${i}.weight`);
  const resblocks = count((i) => `resblocks.${i}.convs1.0.weight`);
  const perStage = stages === 0 ? 0 : resblocks / stages;
  if (stages !== V4_VOCODER.upsampleRates.length) throw new Error(`vocoder has ${stages} upsample layers; GPT-SoVITS's v4 vocoder has ${V4_VOCODER.upsampleRates.length}`);
  if (!Number.isInteger(perStage) || perStage === 0) throw new Error(`vocoder has ${resblocks} resblocks for ${stages} upsample stages`);
  const dims: HifiganVocoderDims = {
    melChannels: dim('conv_pre.weight', 3, 1),
    initialChannels: dim('conv_pre.weight', 3, 0),
    upsampleRates: V4_VOCODER.upsampleRates,
    upsampleKernels: Array.from({ length: stages }, (_, i) => dim(`ups.${i}.weight`, 3, 2)),
    resblockKernels: Array.from({ length: perStage }, (_, j) => dim(`resblocks.${j}.convs1.0.weight`, 3, 2)),
    resblockDilations: V4_VOCODER.resblockDilations.slice(0, perStage),
  };
  if (dim('conv_pre.weight', 3, 2) !== 7 || dim('conv_post.weight', 3, 2) !== 7) throw new Error('vocoder conv_pre/conv_post kernels must be 7 (padding 3)');
  validateHifiganDims(dims);
  return dims;
}
