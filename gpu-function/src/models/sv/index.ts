/**
 * GPT-SoVITS v2Pro/v2ProPlus speaker verification: ERes2NetV2 `forward3` as the `sv` ONNX graph, built from
 * `sv/pretrained_eres2netv2w24s4ep4.ckpt`, plus the host-side Kaldi fbank that feeds it. The engine needs only
 * `io.ts` and `computeSvEmbedding`; the bundle compiler uses `readSvCheckpoint` and `writeSvGraph`.
 *
 * ```ts
 * const sv = await readSvCheckpoint(path);            // dims from shapes, strict check
 * try { await writeSvGraph(dir, sv.weights, { dims: sv.dims }); } finally { await sv.weights.close(); }
 * const session = await ModelSession.load(join(dir, SV_FILE));
 * const svEmb = await computeSvEmbedding(session, ref16k); // Float32Array(sv.dims.embeddingDim)
 * ```
 *
 * GPT-SoVITS (TTS.py `_get_ref_spec`) feeds SV the 32 kHz spectrogram audio (mono, divided by min(2, peak) when the
 * peak exceeds 1) resampled to 16 kHz with torchaudio (`resampleSinc`), not the librosa 16 kHz HuBERT input, and
 * computes one embedding per reference, auxiliary ones included.
 * @module
 */
export { SV_BATCH_NORM_EPS, SV_FEAT_DIM, SV_HARDTANH_MAX, SV_LAYER_STRIDES, svConvBnPairs, svDimsFromWeights, svExpectedShapes, type SvBlockDims, type SvDims } from './config.ts';
export { checkSvWeights, readSvCheckpoint, type SvCheckpoint } from './checkpoint.ts';
export { computeSvEmbedding, type SvSession } from './embedding.ts';
export { foldConvBias, foldConvWeight, foldSvBatchNorms } from './fold-batch-norm.ts';
export { buildSvGraph, writeSvGraph, type SvGraphOptions } from './graph.ts';
export * from './io.ts';
export { eres2netV2StateShapes, SV_PRETRAINED_ARGS, type Eres2NetV2Args, type StateEntry } from './state-dict-shapes.ts';
