/**
 * The contract of the speaker-verification graph `sv.onnx` (GPT-SoVITS v2Pro/v2ProPlus `sv_emb`): file name, input
 * and output names, dtypes and shapes. The builder declares exactly these; the engine imports this module only.
 *
 * Input `fbank` [B, frames, 80]: Kaldi log mel features of the 16 kHz reference (`kaldiFbank` in
 * `audio/kaldi-fbank.ts`, frames = floor((N - 400) / 160) + 1, at least 1). Output `embedding` [B, embeddingDim]
 * (20480 for the pretrained model): ERes2NetV2 `forward3`, float32 whatever the graph's precision.
 *
 * Batch semantics: rows are independent (eval-mode BatchNorm, no cross-row statistics), but there is no length
 * input: the mean over time covers every frame of the row, so a row padded to a longer batch is NOT its own run.
 * Batch only references with the same frame count, or run them one at a time.
 * @module
 */
import type { GraphIo } from '../io-spec.ts';
import type { SvDims } from './config.ts';

export const SV_FILE = 'sv.onnx';

export const SV_IO_NAMES = { fbank: 'fbank', embedding: 'embedding' } as const;

export const SV_IO_DIMS = { batch: 'batch', frames: 'frames' } as const;

/** GPT-SoVITS computes the embedding from the reference at 16 kHz. */
export const SV_SAMPLE_RATE = 16000;

export function svIo(dims: SvDims): GraphIo {
  const { batch, frames } = SV_IO_DIMS;
  return {
    inputs: [{ name: SV_IO_NAMES.fbank, dtype: 'float32', dims: [batch, frames, dims.featDim] }],
    outputs: [{ name: SV_IO_NAMES.embedding, dtype: 'float32', dims: [batch, dims.embeddingDim] }],
  };
}
