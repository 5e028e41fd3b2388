/**
 * Adapter from the checkpoint reader's {@link V4VocoderArchitecture} to the compiler's {@link HifiganVocoderDims}.
 * @module
 */
import type { V4VocoderArchitecture } from '../../checkpoint/vocoder-v4.ts';
import { validateHifiganDims, type HifiganVocoderDims } from './config.ts';

export function hifiganDimsFromArchitecture(a: V4VocoderArchitecture): HifiganVocoderDims {
  const dims: HifiganVocoderDims = {
    melChannels: a.melChannels,
    initialChannels: a.initialChannels,
    upsampleRates: a.upsampleRates,
    upsampleKernels: a.upsampleKernels,
    resblockKernels: a.resblockKernels,
    resblockDilations: a.resblockDilations,
  };
  validateHifiganDims(dims);
  return dims;
}
