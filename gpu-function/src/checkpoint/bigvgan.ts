/**
 * v3's vocoder, NVIDIA's BigVGAN v2 (`GPT_SoVITS/pretrained_models/models--nvidia--bigvgan_v2_24khz_100band_256x`): a
 * folder holding `config.json` and `bigvgan_generator.pt` (`{"generator": state_dict}`), which TTS.init_vocoder loads
 * with `BigVGAN.from_pretrained(folder)` and then `remove_weight_norm()`. Weight norm is folded here the same way
 * (over dim 0, also for the transposed convolutions); a state dict saved without weight norm, which BigVGAN's loader
 * also accepts, reads the same. The architecture comes from config.json (what `BigVGAN.__init__` reads); every
 * tensor is checked against it, and any tensor missing or left over is refused by name.
 * @module
 */
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { CheckpointError } from './errors.ts';
import { readJson } from './hf-folder.ts';
import { PyDict } from './pickle-values.ts';
import { ConfigReader, isPlainObject } from './plain.ts';
import { sha256File } from './sha256.ts';
import { requireShape, shapeOf, type LazyTensorStore } from './tensor-store.ts';
import { openTorchCheckpoint } from './torch-archive.ts';
import { foldWeightNormStore } from './weight-norm.ts';

export const BIGVGAN_GENERATOR_FILE = 'bigvgan_generator.pt';
export const BIGVGAN_CONFIG_FILE = 'config.json';

/** The `config.json` fields `BigVGAN.__init__`, `AMPBlock1` and `activations.py` read (others are training-only). */
export interface BigvganConfig {
  readonly resblock: string;
  readonly upsample_rates: readonly number[];
  readonly upsample_kernel_sizes: readonly number[];
  readonly upsample_initial_channel: number;
  readonly resblock_kernel_sizes: readonly number[];
  readonly resblock_dilation_sizes: readonly (readonly number[])[];
  readonly activation: string;
  readonly snake_logscale: boolean;
  readonly num_mels: number;
  readonly sampling_rate: number;
  /** `h.get("use_tanh_at_final", True)`; false: `clamp(-1, 1)`. */
  readonly use_tanh_at_final: boolean;
  /** `h.get("use_bias_at_final", True)`: whether conv_post has a bias. */
  readonly use_bias_at_final: boolean;
}

export interface BigvganArchitecture {
  readonly melChannels: number;
  readonly initialChannels: number;
  readonly upsampleRates: readonly number[];
  readonly upsampleKernels: readonly number[];
  readonly resblockKernels: readonly number[];
  readonly resblockDilations: readonly (readonly number[])[];
  readonly activation: 'snake' | 'snakebeta';
  readonly snakeLogscale: boolean;
  /** Taps of the alias-free Kaiser-sinc filters (`Activation1d`'s default 12), stored as buffers. */
  readonly filterTaps: number;
  readonly tanhAtFinal: boolean;
  readonly biasAtFinal: boolean;
  readonly sampleRate: number;
}

export interface BigvganCheckpoint {
  readonly dir: string;
  readonly generatorFile: string;
  readonly configFile: string;
  readonly config: BigvganConfig;
  readonly architecture: BigvganArchitecture;
  /** Weight norm folded: plain `x.weight` float32 tensors, the Snake parameters and the filter buffers. */
  readonly weights: LazyTensorStore;
  /** SHA-256 of each file, by file name. */
  readonly sha256: Readonly<Record<string, string>>;
}

/** `conv_pre` and `conv_post` are `Conv1d(..., 7, 1, padding=3)` in `BigVGAN.__init__`. */
const PRE_POST_KERNEL = 7;

export async function readBigvgan(dir: string): Promise<BigvganCheckpoint> {
  const kind = await stat(dir).then((s) => (s.isDirectory() ? 'folder' : 'file'), () => 'missing');
  if (kind === 'missing') throw new CheckpointError(dir, 'does not exist');
  if (kind === 'file') throw new CheckpointError(dir, `is a file; BigVGAN is a folder holding ${BIGVGAN_GENERATOR_FILE} and ${BIGVGAN_CONFIG_FILE}`);
  const generatorFile = join(dir, BIGVGAN_GENERATOR_FILE);
  const configFile = join(dir, BIGVGAN_CONFIG_FILE);
  for (const file of [configFile, generatorFile]) {
    if (!(await isFile(file))) {
      // huggingface_hub's cache keeps a repository's files under snapshots/<revision>/, which from_pretrained never reads.
      const hint = (await isDirectory(join(dir, 'snapshots'))) ? ' (a Hugging Face cache folder: pass its snapshots/<revision> folder)' : '';
      throw new CheckpointError(dir, `has no ${file.slice(dir.length + 1)}; BigVGAN is a folder holding ${BIGVGAN_GENERATOR_FILE} and ${BIGVGAN_CONFIG_FILE}${hint}`);
    }
  }
  const config = await readBigvganConfig(configFile);
  const checkpoint = await openTorchCheckpoint(generatorFile);
  try {
    const { root } = checkpoint;
    if (!(root instanceof PyDict)) throw new CheckpointError(generatorFile, 'does not hold a dict');
    if (root.has('weight') && root.has('config')) throw new CheckpointError(generatorFile, 'is a GPT-SoVITS model checkpoint, not BigVGAN\'s {"generator": state_dict}');
    const generator = root.get('generator');
    if (!(generator instanceof PyDict)) {
      const plain = root.has('conv_pre.weight') || root.has('conv_pre.weight_v');
      throw new CheckpointError(generatorFile, plain ? 'is a bare state dict (the v4 vocoder?), not BigVGAN\'s {"generator": state_dict}' : "has no 'generator' entry");
    }
    const weights = foldWeightNormStore(checkpoint.stateDict(generator), () => 0);
    const architecture = bigvganArchitecture(weights, config);
    checkExactly(weights, bigvganExpectedShapes(architecture));
    return {
      dir,
      generatorFile,
      configFile,
      config,
      architecture,
      weights,
      sha256: { [BIGVGAN_GENERATOR_FILE]: await sha256File(generatorFile), [BIGVGAN_CONFIG_FILE]: await sha256File(configFile) },
    };
  } catch (error) {
    await checkpoint.close();
    throw error;
  }
}

async function readBigvganConfig(file: string): Promise<BigvganConfig> {
  const json = await readJson(file);
  if (!isPlainObject(json)) throw new CheckpointError(file, 'is not a JSON object');
  const c = new ConfigReader(file, json, 'config.json');
  const config: BigvganConfig = {
    resblock: c.string('resblock'),
    upsample_rates: c.intList('upsample_rates'),
    upsample_kernel_sizes: c.intList('upsample_kernel_sizes'),
    upsample_initial_channel: c.int('upsample_initial_channel'),
    resblock_kernel_sizes: c.intList('resblock_kernel_sizes'),
    resblock_dilation_sizes: c.intLists('resblock_dilation_sizes'),
    activation: c.string('activation'),
    snake_logscale: c.boolean('snake_logscale'),
    num_mels: c.int('num_mels'),
    sampling_rate: c.int('sampling_rate'),
    use_tanh_at_final: c.boolean('use_tanh_at_final', true),
    use_bias_at_final: c.boolean('use_bias_at_final', true),
  };
  const fail = (message: string): never => {
    throw new CheckpointError(file, message);
  };
  // AMPBlock2 (resblock "2") has no convs2 and half the activations; GPT-SoVITS's BigVGAN uses AMPBlock1.
  if (config.resblock !== '1') fail(`resblock "${config.resblock}" is not supported; v3's BigVGAN uses AMPBlock1 ("1")`);
  if (config.activation !== 'snake' && config.activation !== 'snakebeta') fail(`activation "${config.activation}" is neither snake nor snakebeta`);
  if (config.upsample_rates.length !== config.upsample_kernel_sizes.length) fail(`has ${config.upsample_rates.length} upsample_rates but ${config.upsample_kernel_sizes.length} upsample_kernel_sizes`);
  if (config.resblock_kernel_sizes.length !== config.resblock_dilation_sizes.length) fail(`has ${config.resblock_kernel_sizes.length} resblock_kernel_sizes but ${config.resblock_dilation_sizes.length} resblock_dilation_sizes`);
  if (config.upsample_initial_channel >> config.upsample_rates.length < 1) fail(`upsample_initial_channel ${config.upsample_initial_channel} cannot halve ${config.upsample_rates.length} times`);
  config.upsample_rates.forEach((rate, i) => {
    const kernel = config.upsample_kernel_sizes[i] ?? 0;
    // ConvTranspose1d(padding=(k - u) // 2) gives exactly u× the frames only when k - u is even and non-negative.
    if (kernel < rate || (kernel - rate) % 2 !== 0) fail(`upsample stage ${i}: kernel ${kernel} and rate ${rate} do not give ${rate}× the frames`);
  });
  return config;
}

function bigvganArchitecture(weights: LazyTensorStore, config: BigvganConfig): BigvganArchitecture {
  const [, , filterTaps = 0] = shapeOf(weights, 'activation_post.upsample.filter', 3);
  if (filterTaps % 2 !== 0) throw new CheckpointError(weights.file, `has ${filterTaps} taps; BigVGAN's alias-free filters have an even count (12)`, { tensor: 'activation_post.upsample.filter' });
  return bigvganArchitectureOf(config, filterTaps);
}

/** The architecture a config describes, with the alias-free filters' tap count (a buffer's shape, or the default). */
export function bigvganArchitectureOf(config: BigvganConfig, filterTaps: number): BigvganArchitecture {
  return {
    melChannels: config.num_mels,
    initialChannels: config.upsample_initial_channel,
    upsampleRates: config.upsample_rates,
    upsampleKernels: config.upsample_kernel_sizes,
    resblockKernels: config.resblock_kernel_sizes,
    resblockDilations: config.resblock_dilation_sizes,
    activation: config.activation === 'snake' ? 'snake' : 'snakebeta',
    snakeLogscale: config.snake_logscale,
    filterTaps,
    tanhAtFinal: config.use_tanh_at_final,
    biasAtFinal: config.use_bias_at_final,
    sampleRate: config.sampling_rate,
  };
}

/** Every tensor of the generator (weight norm folded) for an architecture, as `BigVGAN.__init__` creates them. */
export function bigvganExpectedShapes(a: BigvganArchitecture): Map<string, readonly number[]> {
  const shapes = new Map<string, readonly number[]>();
  const conv = (name: string, shape: readonly number[], bias = true): void => {
    shapes.set(`${name}.weight`, shape);
    if (bias) shapes.set(`${name}.bias`, [shape[0] ?? 0]);
  };
  const activation = (name: string, channels: number): void => {
    shapes.set(`${name}.act.alpha`, [channels]);
    if (a.activation === 'snakebeta') shapes.set(`${name}.act.beta`, [channels]);
    shapes.set(`${name}.upsample.filter`, [1, 1, a.filterTaps]);
    shapes.set(`${name}.downsample.lowpass.filter`, [1, 1, a.filterTaps]);
  };
  conv('conv_pre', [a.initialChannels, a.melChannels, PRE_POST_KERNEL]);
  let channels = a.initialChannels;
  a.upsampleRates.forEach((_, i) => {
    const out = channels >> 1;
    // ConvTranspose1d weights are [in, out, k]; its bias has `out` values.
    shapes.set(`ups.${i}.0.weight`, [channels, out, a.upsampleKernels[i] ?? 0]);
    shapes.set(`ups.${i}.0.bias`, [out]);
    a.resblockKernels.forEach((kernel, j) => {
      const block = `resblocks.${i * a.resblockKernels.length + j}`;
      const dilations = a.resblockDilations[j] ?? [];
      dilations.forEach((_dilation, m) => {
        conv(`${block}.convs1.${m}`, [out, out, kernel]);
        conv(`${block}.convs2.${m}`, [out, out, kernel]);
      });
      // AMPBlock1: one activation before each of its 2 × len(dilations) convolutions.
      for (let n = 0; n < 2 * dilations.length; n += 1) activation(`${block}.activations.${n}`, out);
    });
    channels = out;
  });
  activation('activation_post', channels);
  conv('conv_post', [1, channels, PRE_POST_KERNEL], a.biasAtFinal);
  return shapes;
}

/** Like `load_state_dict(strict=True)`: each expected tensor present with its shape, nothing else. */
function checkExactly(weights: LazyTensorStore, expected: ReadonlyMap<string, readonly number[]>): void {
  const names = new Set(weights.names());
  const missing = [...expected.keys()].filter((name) => !names.has(name));
  if (missing.length > 0) {
    throw new CheckpointError(weights.file, `lacks ${missing.length} tensor(s) the config.json architecture has: ${listed(missing)}`, { tensor: missing[0] ?? '' });
  }
  for (const [name, shape] of expected) requireShape(weights, name, shape);
  const extra = [...names].filter((name) => !expected.has(name));
  if (extra.length > 0) {
    throw new CheckpointError(weights.file, `has ${extra.length} tensor(s) the config.json architecture does not: ${listed(extra)}`, { tensor: extra[0] ?? '' });
  }
}

function listed(names: readonly string[]): string {
  return names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : names.join(', ');
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

async function isDirectory(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isDirectory(), () => false);
}
