/**
 * The vocoders of GPT-SoVITS v3/v4: v4's HiFi-GAN `Generator` (`module/models.py`, the SoVITS decoder's module
 * without `cond`, 480 samples per mel frame at 48 kHz) and, for v3, NVIDIA's BigVGAN v2 24 kHz (256 per frame).
 * Widths come from tensor shapes; what GPT-SoVITS hard-codes in `TTS.init_vocoder` is named here.
 * @module
 */
import type { SovitsGeneratorDims } from '../sovits/config.ts';

/** `Generator(initial_channel=100, ...)`: the HiFi-GAN's widths and rates. */
export interface HifiganVocoderDims extends SovitsGeneratorDims {
  /** Mel channels the vocoder reads (100). */
  readonly melChannels: number;
}

/** `TTS.init_vocoder` for v4: the constructor arguments no shape reveals. */
export const V4_VOCODER = {
  sampleRate: 48000,
  upsampleRates: [10, 6, 2, 2, 2],
  resblockDilations: [
    [1, 3, 5],
    [1, 3, 5],
    [1, 3, 5],
  ],
} as const;

export function hopOf(dims: { readonly upsampleRates: readonly number[] }): number {
  return dims.upsampleRates.reduce((a, b) => a * b, 1);
}

/** Checks the relations the graph relies on; a violation names the offending width. */
export function validateHifiganDims(dims: HifiganVocoderDims): void {
  const fail = (message: string): never => {
    throw new RangeError(`vocoder dims: ${message}`);
  };
  if (dims.upsampleRates.length !== dims.upsampleKernels.length) fail(`${dims.upsampleKernels.length} upsample layers for ${dims.upsampleRates.length} rates`);
  dims.upsampleRates.forEach((rate, i) => {
    const kernel = dims.upsampleKernels[i] ?? 0;
    if ((kernel - rate) % 2 !== 0 || kernel < rate) fail(`upsample stage ${i}: kernel ${kernel} and rate ${rate} give no symmetric padding`);
  });
  if (Math.floor(dims.initialChannels / 2 ** dims.upsampleRates.length) < 1) fail(`upsample_initial_channel ${dims.initialChannels} cannot halve ${dims.upsampleRates.length} times`);
  if (dims.resblockKernels.length !== dims.resblockDilations.length) fail('resblock kernels and dilations differ in count');
}
