/**
 * The vocoders of SoVITS v3/v4 synthesis as ONNX graphs (v4: GPT-SoVITS's HiFi-GAN `Generator`, 48 kHz; v3: BigVGAN
 * v2, 24 kHz), both behind {@link VOCODER_IO}. The engine imports only `io.ts`.
 * @module
 */
export { V4_VOCODER, hopOf, validateHifiganDims, type HifiganVocoderDims } from './config.ts';
export { hifiganDimsFromWeights } from './dims-from-weights.ts';
export { buildHifiganVocoderGraph, type VocoderGraphOptions } from './graph/hifigan.ts';
export * from './io.ts';
export { writeHifiganVocoder, type WriteVocoderOptions } from './write.ts';
export { ALIAS_FREE_RATIO, bigvganDimsFromWeights, type BigvganConfigJson, type BigvganDims } from './bigvgan-config.ts';
export { buildBigvganVocoderGraph, type BigvganGraphOptions } from './graph/bigvgan.ts';
export { writeBigvganVocoder, type WriteBigvganOptions } from './bigvgan-write.ts';
export { hifiganDimsFromArchitecture } from './from-checkpoint.ts';
