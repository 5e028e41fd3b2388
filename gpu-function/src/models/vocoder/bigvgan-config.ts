/**
 * v3's vocoder, NVIDIA's BigVGAN v2 (`GPT_SoVITS/BigVGAN/bigvgan.py`, `models--nvidia--bigvgan_v2_24khz_100band_256x`):
 * its `config.json` and the widths read from `bigvgan_generator.pt` (`{"generator": state_dict}`, weight norm on
 * every convolution, folded by the reader as GPT-SoVITS's `remove_weight_norm` does).
 * @module
 */
import type { BigvganArchitecture, BigvganConfig } from '../../checkpoint/bigvgan.ts';
import { shapeReader, type ShapeSource } from '../sovits/dims-from-weights.ts';

/** `config.json` as written (`use_tanh_at_final` may be absent: `BigVGAN.__init__` defaults it to true). */
export type BigvganConfigJson = Omit<BigvganConfig, 'use_tanh_at_final' | 'use_bias_at_final'> & { readonly use_tanh_at_final?: boolean };

/** The generator's widths and constants: exactly what the checkpoint reader derives (`BigvganArchitecture`). */
export type BigvganDims = BigvganArchitecture;

/** `Activation1d(up_ratio=2, down_ratio=2)`: the ratios no tensor shows. */
export const ALIAS_FREE_RATIO = 2;

export function bigvganDimsFromWeights(weights: ShapeSource, config: BigvganConfigJson): BigvganDims {
  const { shape, count } = shapeReader(weights, 'BigVGAN');
  if (config.resblock !== '1') throw new Error(`BigVGAN resblock type ${config.resblock} is not supported (v3's vocoder uses AMPBlock1)`);
  if (config.activation !== 'snake' && config.activation !== 'snakebeta') throw new Error(`BigVGAN activation ${config.activation} is not supported`);
  const [initialChannels = 0, melChannels = 0] = shape('conv_pre.weight', 3);
  const stages = count((i) => `ups.${i}.0.weight`);
  const perStage = config.resblock_kernel_sizes.length;
  const dims: BigvganDims = {
    melChannels,
    initialChannels,
    upsampleRates: config.upsample_rates,
    upsampleKernels: Array.from({ length: stages }, (_, i) => shape(`ups.${i}.0.weight`, 3)[2] ?? 0),
    resblockKernels: Array.from({ length: perStage }, (_, j) => shape(`resblocks.${j}.convs1.0.weight`, 3)[2] ?? 0),
    resblockDilations: config.resblock_dilation_sizes,
    activation: config.activation,
    snakeLogscale: config.snake_logscale,
    filterTaps: shape('resblocks.0.activations.0.upsample.filter', 3)[2] ?? 0,
    tanhAtFinal: config.use_tanh_at_final ?? true,
    biasAtFinal: weights.info('conv_post.bias') !== undefined,
    sampleRate: config.sampling_rate,
  };
  const mismatch = (what: string, fromConfig: unknown, fromWeights: unknown): never => {
    throw new Error(`BigVGAN config.json says ${what} ${JSON.stringify(fromConfig)}; the weights have ${JSON.stringify(fromWeights)}`);
  };
  if (melChannels !== config.num_mels) mismatch('num_mels', config.num_mels, melChannels);
  if (initialChannels !== config.upsample_initial_channel) mismatch('upsample_initial_channel', config.upsample_initial_channel, initialChannels);
  if (JSON.stringify(dims.upsampleKernels) !== JSON.stringify(config.upsample_kernel_sizes)) mismatch('upsample_kernel_sizes', config.upsample_kernel_sizes, dims.upsampleKernels);
  if (JSON.stringify(dims.resblockKernels) !== JSON.stringify(config.resblock_kernel_sizes)) mismatch('resblock_kernel_sizes', config.resblock_kernel_sizes, dims.resblockKernels);
  if (count((i) => `resblocks.${i}.convs1.0.weight`) !== stages * perStage) throw new Error(`BigVGAN has ${count((i) => `resblocks.${i}.convs1.0.weight`)} resblocks for ${stages} stages of ${perStage}`);
  if (config.resblock_dilation_sizes.length !== perStage) mismatch('resblock_dilation_sizes (count)', config.resblock_dilation_sizes.length, perStage);
  if (config.upsample_rates.length !== stages) mismatch('upsample_rates (count)', config.upsample_rates.length, stages);
  dims.upsampleRates.forEach((rate, i) => {
    const kernel = dims.upsampleKernels[i] ?? 0;
    if ((kernel - rate) % 2 !== 0) throw new Error(`BigVGAN upsample stage ${i}: kernel ${kernel} and rate ${rate} give no symmetric padding`);
  });
  if (dims.filterTaps % 2 !== 0) throw new Error(`BigVGAN alias-free filters have ${dims.filterTaps} taps; the graph supports even kernels (12)`);
  return dims;
}
