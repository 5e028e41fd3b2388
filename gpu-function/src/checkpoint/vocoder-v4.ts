/**
 * GPT-SoVITS's v4 vocoder (`GPT_SoVITS/pretrained_models/gsv-v4-pretrained/vocoder.pth`): `torch.save` of a HiFi-GAN
 * `Generator` state dict after `remove_weight_norm` (plain fp32 weights), which TTS.py loads strictly. Widths and
 * kernels come from the shapes; the upsampling strides (10, 6, 2, 2, 2: 480 samples per mel frame at 48 kHz) and
 * the resblock dilations are TTS.py's constructor arguments, which no shape carries.
 * @module
 */
import { CheckpointError } from './errors.ts';
import { PyDict } from './pickle-values.ts';
import { sha256File } from './sha256.ts';
import { countIndexed, requireShape, shapeOf, type LazyTensorStore } from './tensor-store.ts';
import { openTorchCheckpoint } from './torch-archive.ts';

/** `TTS.init_vocoder` for v4. */
export const V4_VOCODER_STRIDES: readonly number[] = [10, 6, 2, 2, 2];
export const V4_VOCODER_DILATIONS: readonly (readonly number[])[] = [
  [1, 3, 5],
  [1, 3, 5],
  [1, 3, 5],
];
export const V4_VOCODER_SAMPLE_RATE = 48000;

export interface V4VocoderArchitecture {
  readonly melChannels: number;
  readonly initialChannels: number;
  readonly upsampleRates: readonly number[];
  readonly upsampleKernels: readonly number[];
  readonly resblockKernels: readonly number[];
  readonly resblockDilations: readonly (readonly number[])[];
  readonly sampleRate: number;
}

export interface V4VocoderCheckpoint {
  readonly file: string;
  readonly architecture: V4VocoderArchitecture;
  readonly weights: LazyTensorStore;
  readonly sha256: string;
}

export async function readV4Vocoder(file: string): Promise<V4VocoderCheckpoint> {
  const checkpoint = await openTorchCheckpoint(file);
  try {
    const { root } = checkpoint;
    if (!(root instanceof PyDict)) throw new CheckpointError(file, 'does not hold a state dict (a dict of tensors)');
    if (root.has('weight') && root.has('config')) throw new CheckpointError(file, 'is a GPT-SoVITS model checkpoint, not the v4 vocoder (gsv-v4-pretrained/vocoder.pth)');
    if (root.has('generator')) throw new CheckpointError(file, "holds a BigVGAN 'generator' (the v3 vocoder), not the v4 vocoder (gsv-v4-pretrained/vocoder.pth)");
    const weights = checkpoint.stateDict(root);
    const architecture = deriveV4Vocoder(weights);
    const expected = v4VocoderShapes(architecture);
    for (const [name, shape] of expected) requireShape(weights, name, shape);
    const extra = weights.names().filter((name) => !expected.has(name));
    if (extra.length > 0) throw new CheckpointError(file, `is not the v4 vocoder's Generator: unexpected tensors ${extra.slice(0, 4).join(', ')}`, { tensor: extra[0] ?? '' });
    return { file, architecture, weights, sha256: await sha256File(file) };
  } catch (error) {
    await checkpoint.close();
    throw error;
  }
}

function deriveV4Vocoder(weights: LazyTensorStore): V4VocoderArchitecture {
  const [initialChannels = 0, melChannels = 0] = shapeOf(weights, 'conv_pre.weight', 3);
  const stages = countIndexed(weights, (i) => `ups.${String(i)}.weight`);
  if (stages !== V4_VOCODER_STRIDES.length) {
    throw new CheckpointError(weights.file, `has ${String(stages)} upsampling layers; the v4 vocoder has ${String(V4_VOCODER_STRIDES.length)}`, { tensor: `ups.${String(stages)}.weight` });
  }
  const upsampleKernels = V4_VOCODER_STRIDES.map((_, i) => shapeOf(weights, `ups.${String(i)}.weight`, 3)[2] ?? 0);
  const resblocks = countIndexed(weights, (i) => `resblocks.${String(i)}.convs1.0.weight`);
  const perStage = resblocks / stages;
  if (!Number.isInteger(perStage) || perStage !== V4_VOCODER_DILATIONS.length) {
    throw new CheckpointError(weights.file, `has ${String(resblocks)} resblocks for ${String(stages)} stages; the v4 vocoder has ${String(V4_VOCODER_DILATIONS.length)} per stage`, { tensor: 'resblocks.0.convs1.0.weight' });
  }
  return {
    melChannels,
    initialChannels,
    upsampleRates: V4_VOCODER_STRIDES,
    upsampleKernels,
    resblockKernels: Array.from({ length: perStage }, (_, j) => shapeOf(weights, `resblocks.${String(j)}.convs1.0.weight`, 3)[2] ?? 0),
    resblockDilations: V4_VOCODER_DILATIONS,
    sampleRate: V4_VOCODER_SAMPLE_RATE,
  };
}

/** Every tensor of the vocoder for an architecture (conv_post has a bias: `is_bias=True`). */
export function v4VocoderShapes(a: V4VocoderArchitecture): Map<string, readonly number[]> {
  const shapes = new Map<string, readonly number[]>();
  const conv = (name: string, shape: readonly number[]): void => {
    shapes.set(`${name}.weight`, shape);
    shapes.set(`${name}.bias`, [shape[0] ?? 0]);
  };
  conv('conv_pre', [a.initialChannels, a.melChannels, 7]);
  let channels = a.initialChannels;
  a.upsampleRates.forEach((_, i) => {
    const out = Math.floor(channels / 2);
    shapes.set(`ups.${String(i)}.weight`, [channels, out, a.upsampleKernels[i] ?? 0]);
    shapes.set(`ups.${String(i)}.bias`, [out]);
    a.resblockKernels.forEach((kernel, j) => {
      const block = `resblocks.${String(i * a.resblockKernels.length + j)}`;
      for (const convs of ['convs1', 'convs2']) (a.resblockDilations[j] ?? []).forEach((_dilation, m) => { conv(`${block}.${convs}.${String(m)}`, [out, out, kernel]); });
    });
    channels = out;
  });
  conv('conv_post', [1, channels, 7]);
  return shapes;
}
