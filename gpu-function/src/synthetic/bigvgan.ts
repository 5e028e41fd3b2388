/**
 * Synthetic BigVGAN v2 folders (v3's vocoder), as `BigVGAN._save_pretrained` writes them: `config.json` and
 * `bigvgan_generator.pt` = `torch.save({"generator": state_dict})` with weight norm on every convolution (weight_g /
 * weight_v), fp32, the Snake parameters and the alias-free Kaiser-sinc filter buffers. `full` has the sizes of
 * `bigvgan_v2_24khz_100band_256x` (1536 channels, kernels 3/7/11), `tiny` those of the parity micro model.
 * @module
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BIGVGAN_CONFIG_FILE, BIGVGAN_GENERATOR_FILE, bigvganArchitectureOf, bigvganExpectedShapes, type BigvganConfig } from '../checkpoint/bigvgan.ts';
import { PickleOrderedDict } from '../checkpoint/pickle-writer.ts';
import { writeTorchCheckpoint } from '../checkpoint/torch-writer.ts';
import { normal, weightNormPair, type TensorSpec } from './init.ts';
import { countParameters, specTensors } from './state-dict.ts';

/** The config.json fields of `bigvgan_v2_24khz_100band_256x` that the generator reads (plus its STFT fields). */
export const BIGVGAN_FULL: BigvganConfig = {
  resblock: '1',
  upsample_rates: [4, 4, 2, 2, 2, 2],
  upsample_kernel_sizes: [8, 8, 4, 4, 4, 4],
  upsample_initial_channel: 1536,
  resblock_kernel_sizes: [3, 7, 11],
  resblock_dilation_sizes: [
    [1, 3, 5],
    [1, 3, 5],
    [1, 3, 5],
  ],
  activation: 'snakebeta',
  snake_logscale: true,
  num_mels: 100,
  sampling_rate: 24000,
  use_tanh_at_final: false,
  use_bias_at_final: false,
};

export const BIGVGAN_TINY: BigvganConfig = {
  ...BIGVGAN_FULL,
  upsample_initial_channel: 64,
  resblock_kernel_sizes: [3, 7],
  resblock_dilation_sizes: [
    [1, 3, 5],
    [1, 3, 5],
  ],
};

/** `Activation1d`'s default filter length for ratio 2 (`int(6 * ratio // 2) * 2`). */
const FILTER_TAPS = 12;
const RATIO = 2;

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for the betas used here). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  for (let k = 1; k < 50; k += 1) {
    term *= (x / (2 * k)) ** 2;
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

/**
 * `kaiser_sinc_filter1d(cutoff=0.5 / ratio, half_width=0.6 / ratio, kernel_size)` of BigVGAN's alias_free_activation:
 * a Kaiser-windowed sinc low-pass normalised to unit sum (the buffer both UpSample1d and LowPassFilter1d store).
 */
export function kaiserSincFilter(kernelSize: number, ratio = RATIO): Float32Array {
  const cutoff = 0.5 / ratio;
  const halfWidth = 0.6 / ratio;
  const half = Math.floor(kernelSize / 2);
  const attenuation = 2.285 * (half - 1) * Math.PI * (4 * halfWidth) + 7.95;
  const beta = attenuation > 50 ? 0.1102 * (attenuation - 8.7) : attenuation >= 21 ? 0.5842 * (attenuation - 21) ** 0.4 + 0.07886 * (attenuation - 21) : 0;
  const even = kernelSize % 2 === 0;
  const values = Array.from({ length: kernelSize }, (_, n) => {
    const centred = (2 * n) / (kernelSize - 1) - 1;
    const window = besselI0(beta * Math.sqrt(Math.max(0, 1 - centred * centred))) / besselI0(beta);
    const time = even ? n - half + 0.5 : n - half;
    const x = 2 * cutoff * time;
    const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
    return 2 * cutoff * window * sinc;
  });
  const total = values.reduce((a, b) => a + b, 0);
  return Float32Array.from(values, (value) => value / total);
}

/** Every stored tensor of the generator, in `state_dict()` order within each layer. */
export function bigvganSpecs(config: BigvganConfig): TensorSpec[] {
  const shapes = bigvganExpectedShapes(bigvganArchitectureOf(config, FILTER_TAPS));
  const filter = kaiserSincFilter(FILTER_TAPS);
  const specs: TensorSpec[] = [];
  for (const [name, shape] of shapes) {
    if (name.endsWith('.filter')) {
      specs.push({ name, shape, init: { kind: 'values', values: filter } });
    } else if (name.endsWith('.act.alpha') || name.endsWith('.act.beta')) {
      // Log-scale parameters (exp applied): near 0 keeps alpha and beta near 1, as trained models have them.
      specs.push({ name, shape, init: normal(0.1) });
    } else if (name.endsWith('.bias')) {
      specs.push({ name, shape, init: normal(0.02) });
    } else {
      const layer = name.slice(0, -'.weight'.length);
      const [dim0 = 1, dim1 = 1, kernel = 1] = shape;
      const stage = /^ups\.(\d+)\.0$/.exec(layer)?.[1];
      // Conv1d weights are [out, in, k]; a ConvTranspose1d's are [in, out, k] and each output sums in · k / rate taps.
      // conv_post is kept quiet so that clamp(-1, 1) rarely bites.
      const fanIn = stage === undefined ? dim1 * kernel : (dim0 * kernel) / (config.upsample_rates[Number(stage)] ?? 1);
      const pair = weightNormPair(layer, shape, 0, layer === 'conv_post' ? fanIn * 16 : fanIn);
      specs.push(...pair);
    }
  }
  return specs;
}

/** Writes the folder; returns the parameter count (filter buffers included). */
export async function writeSyntheticBigvgan(dir: string, config: BigvganConfig, options: { seed: number }): Promise<number> {
  const specs = bigvganSpecs(config);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, BIGVGAN_CONFIG_FILE), `${JSON.stringify({ ...config, n_fft: 1024, hop_size: 256, win_size: 1024, fmin: 0, fmax: null }, null, 4)}\n`);
  const generator = new PickleOrderedDict(specTensors(specs, 'float32', options.seed));
  await writeTorchCheckpoint(join(dir, BIGVGAN_GENERATOR_FILE), new Map([['generator', generator]]));
  return countParameters(specs);
}
