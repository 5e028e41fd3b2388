/**
 * The SoVITS (VITS) part of the model compiler: three batchable ONNX graphs (prompt extraction, reference encoder,
 * decoder) built from a GPT-SoVITS v1/v2 checkpoint. The engine imports only `io.ts`.
 * @module
 */
export { SOVITS_STFT, samplesPerFrame, validateSovitsDims, type SovitsDims, type SovitsVersion } from './config.ts';
export { sovitsDimsFromArchitecture } from './from-checkpoint.ts';
export { sovitsDimsFromWeights, type SovitsConfigHints } from './dims-from-weights.ts';
export { buildDecoderGraph, buildExtractGraph, buildRefEncoderGraph, type SovitsGraphOptions } from './graph/build-graphs.ts';
export * from './io.ts';
export { writeSovitsGraphs, type WriteSovitsOptions, type WrittenSovitsGraphs } from './write.ts';
