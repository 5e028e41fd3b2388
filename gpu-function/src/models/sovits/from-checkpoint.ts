/**
 * Adapter from the checkpoint reader's {@link SovitsArchitecture} to the compiler's {@link SovitsDims}.
 * @module
 */
import type { SovitsArchitecture, SovitsPriorArchitecture } from '../../checkpoint/sovits-architecture.ts';
import { SOVITS_STFT, validateSovitsDims, type SovitsDims } from './config.ts';

/** The content encoder's and reference encoder's dims, which every SoVITS version (v1 to v4) shares. */
export function priorDimsFromArchitecture(a: SovitsPriorArchitecture): Pick<SovitsDims, 'encoder' | 'mrte' | 'refEncoder'> {
  return {
    encoder: {
      sslLayers: a.encoder.sslLayers,
      textLayers: a.encoder.textLayers,
      encoder2Layers: a.encoder.encoder2Layers,
      heads: a.nHeads,
      window: a.encoder.window,
      filter: a.filterChannels,
      ffnKernel: a.kernelSize,
    },
    mrte: { hidden: a.mrte.hiddenChannels, heads: a.mrte.heads },
    refEncoder: { bins: a.refEncoder.inputBins, hidden: a.refEncoder.hiddenChannels, heads: a.refEncoder.heads, kernel: a.refEncoder.kernelSize, temporalLayers: 2 },
  };
}

export function sovitsDimsFromArchitecture(a: SovitsArchitecture): SovitsDims {
  if (a.sslProj.stride !== 2 || a.semanticFrameRate !== '25hz') {
    throw new Error(`SoVITS semantic frame rate ${a.semanticFrameRate} is not supported (GPT-SoVITS v1/v2 use 25hz tokens)`);
  }
  if (a.quantizer.layers !== 1) throw new Error(`SoVITS quantizer has ${a.quantizer.layers} codebooks; GPT-SoVITS uses 1`);
  if (!a.flow.meanOnly) throw new Error('SoVITS flow couplings are not mean-only, unlike GPT-SoVITS');
  if (a.decoder.convPreKernel !== 7 || a.decoder.convPostKernel !== 7) throw new Error('SoVITS decoder conv_pre/conv_post kernels must be 7 (padding 3)');
  if (a.filterLength !== SOVITS_STFT.nFft || a.hopLength !== SOVITS_STFT.hop || a.winLength !== SOVITS_STFT.window || a.samplingRate !== 32000) {
    throw new Error(`SoVITS STFT ${a.filterLength}/${a.hopLength}/${a.winLength} at ${a.samplingRate} Hz differs from GPT-SoVITS's 2048/640/2048 at 32 kHz`);
  }
  const prior = priorDimsFromArchitecture(a);
  const dims: SovitsDims = {
    version: a.version,
    sslDim: a.quantizer.codebookDim,
    codebookSize: a.quantizer.codebookSize,
    symbols: a.symbols,
    hidden: a.hiddenChannels,
    inter: a.interChannels,
    gin: a.ginChannels,
    ...prior,
    speakerFusion: a.speakerFusion === null ? null : { embeddingDim: a.speakerFusion.embeddingDim },
    flow: {
      couplings: a.flow.layerIndices,
      hidden: a.flow.hiddenChannels,
      kernel: a.flow.wnKernelSize,
      layers: a.flow.wnLayers,
      dilationRate: a.flow.wnDilationRate,
    },
    generator: {
      initialChannels: a.decoder.upsampleInitialChannel,
      upsampleRates: a.decoder.upsampleRates,
      upsampleKernels: a.decoder.upsampleKernelSizes,
      resblockKernels: a.decoder.resblockKernelSizes,
      resblockDilations: a.decoder.resblockDilationSizes,
    },
  };
  validateSovitsDims(dims);
  return dims;
}
