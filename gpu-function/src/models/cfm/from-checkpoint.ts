/**
 * Adapters from the checkpoint readers' architectures ({@link SovitsCfmArchitecture}, {@link V4VocoderArchitecture})
 * to the compiler's dims. Both paths read the same shapes; the tests check they agree.
 * @module
 */
import type { SovitsCfmArchitecture } from '../../checkpoint/sovits-cfm-architecture.ts';
import { priorDimsFromArchitecture } from '../sovits/from-checkpoint.ts';
import { CFM_FRAME_RATES, validateCfmDims, type CfmDims } from './config.ts';

export function cfmDimsFromArchitecture(a: SovitsCfmArchitecture): CfmDims {
  if (a.sslProj.stride !== 2 || a.semanticFrameRate !== '25hz') {
    throw new Error(`SoVITS semantic frame rate ${a.semanticFrameRate} is not supported (GPT-SoVITS v3/v4 use 25hz tokens)`);
  }
  if (a.quantizer.layers !== 1) throw new Error(`SoVITS quantizer has ${a.quantizer.layers} codebooks; GPT-SoVITS uses 1`);
  const d = a.dit;
  const dims: CfmDims = {
    version: a.version,
    encp: {
      sslDim: a.quantizer.codebookDim,
      codebookSize: a.quantizer.codebookSize,
      symbols: a.symbols,
      hidden: a.hiddenChannels,
      gin: a.ginChannels,
      ...priorDimsFromArchitecture(a),
      featureDim: a.bridgeChannels,
      wns1: { hidden: a.wns1.hiddenChannels, kernel: a.wns1.kernelSize, layers: a.wns1.layers, dilationRate: a.wns1.dilationRate, out: a.bridgeChannels },
      frameRate: CFM_FRAME_RATES[a.version],
    },
    dit: {
      dim: d.dim,
      depth: d.depth,
      heads: d.heads,
      dimHead: d.headDim,
      ffDim: d.ffDim,
      melDim: d.melDim,
      textDim: d.textDim,
      convLayers: d.textBlocks,
      convInner: d.textBlockDim,
      // The reader checks `dwconv` against GPT-SoVITS's kernel 7 (ConvNeXtV2Block's literal).
      convKernel: 7,
      freqEmbedDim: d.timeFreqDim,
      posConvKernel: d.convPosKernel,
      posConvGroups: d.convPosGroups,
    },
  };
  validateCfmDims(dims);
  return dims;
}
