/**
 * The SoVITS v3/v4 part of the model compiler: batchable ONNX graphs for what follows T2S (reference mel,
 * `decode_encp`, the DiT text embedding and one CFM Euler step), built from a GPT-SoVITS v3/v4 checkpoint's tensors.
 * The engine imports only `io.ts`.
 * @module
 */
export {
  CFM_FRAME_RATES,
  CFM_MEL,
  DIT_CONSTANTS,
  DIT_PREFIX,
  SPEC_MAX,
  SPEC_MIN,
  denormSpec,
  normSpec,
  validateCfmDims,
  type CfmDims,
  type CfmEncpDims,
  type CfmFrameRate,
  type CfmVersion,
  type DitDims,
  type MelSpec,
} from './config.ts';
export { cfmDimsFromWeights, ditDimsFromWeights, ditParameterCount } from './dims-from-weights.ts';
export { cfmDimsFromArchitecture } from './from-checkpoint.ts';
export { buildCfmEncpGraph, buildCfmExtractGraph, buildCfmMelGraph, buildCfmRefEncoderGraph, buildCfmStepGraph, buildCfmTextGraph, type CfmGraphOptions } from './graph/build-graphs.ts';
export { slaneyMelFilters, hzToMel, melToHz, type MelFilterOptions } from './mel-filters.ts';
export * from './io.ts';
export { writeCfmGraphs, type WriteCfmOptions, type WrittenCfmGraphs } from './write.ts';
