/**
 * The engine's vocoder stage: seeded decoder noise, length-bucketed batched decoding with per-item failures, and
 * token-chunk streaming (GPT-SoVITS streaming modes 2 and 3) with cross-faded seams.
 * @module
 */
export { CPU_BATCH_LIMITS, DEFAULT_BATCH_LIMITS, planBatches, vocoderBatchLimits, type BatchLimits } from './batch-plan.ts';
export { ChunkPolicy, DEFAULT_CHUNK_GROWTH, QUIET_LOOKAHEAD_TOKENS, type ChunkGrowth, type ChunkMode } from './chunk-policy.ts';
export { itemFrameCount, itemProblem, VocoderError, type VocoderDims, type VocoderItem, type VocoderResult } from './item.ts';
export { decoderNoiseAt, fillDecoderNoise, VOCODER_NOISE_TAG, type NoiseWindow } from './noise.ts';
export { segmentPiece } from './segment-audio.ts';
export { StreamingSegmentDecoder } from './streaming-decoder.ts';
export { DEFAULT_CONTEXT_TOKENS, TokenChunkStream, type StreamJob, type StreamSegment, type TokenStreamOptions } from './token-stream.ts';
export { DEFAULT_VOCODER_SHARE, VocoderPacer } from './pacer.ts';
export { VocoderRunner, type DecoderSession, type VocoderBatchStats } from './runner.ts';
