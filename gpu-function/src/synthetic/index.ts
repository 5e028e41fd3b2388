/**
 * Synthetic GPT-SoVITS model files in the real on-disk formats (torch zip + protocol-2 pickle, HParams config,
 * version headers, Hugging Face folders), tiny for tests and full-size for benchmarks, from a seeded PRNG.
 * @module
 */
export { writeSyntheticModelSet, type SyntheticModelSet, type SyntheticModelSetOptions, type SyntheticModelVersion } from './model-set.ts';
export { T2S_FULL_V2, T2S_TINY, t2sConfig, t2sSpecs, writeSyntheticT2s, type T2sDims } from './t2s.ts';
export { sovitsHParams, sovitsSpecs, writeSyntheticSovits } from './sovits.ts';
export { sovitsArchitectureOf, sovitsDims, type SovitsDims, type SyntheticSovitsVersion } from './sovits-dims.ts';
export { BERT_FULL, BERT_TIES, BERT_TINY, bertConfig, bertSpecs, syntheticBertVocab, writeSyntheticBert, type BertDims } from './bert.ts';
export { sovitsCfmArchitectureOf, sovitsCfmSpecs, v4VocoderSpecs, V4_VOCODER, writeSyntheticSovitsCfm, writeSyntheticV4Vocoder, type SovitsCfmDims } from './sovits-cfm.ts';
export { BIGVGAN_FULL, BIGVGAN_TINY, bigvganSpecs, kaiserSincFilter, writeSyntheticBigvgan } from './bigvgan.ts';
export { SV_FULL, SV_TINY, svEmbeddingDim, writeSyntheticSv } from './sv.ts';
export { HUBERT_FULL, HUBERT_TINY, hubertConfig, hubertSpecs, writeSyntheticHubert, type HubertDims } from './hubert.ts';
export { writeHfFolder, type HfWeightsFormat, type HfWriteOptions } from './hf-folder.ts';
export { defaultInit, fillTensor, weightNormPair, type Init, type TensorSpec } from './init.ts';
export { countParameters, specBytes, specTensors, type WeightDType } from './state-dict.ts';
export { Prng, deriveSeed } from './prng.ts';
