/**
 * The contract between the HuBERT graph and the engine: file name, input and output names, dtypes and shapes. The
 * builder declares its inputs and outputs from these specs; the engine imports this module, never the builder.
 *
 * Input: 16 kHz mono audio at raw amplitude (no zero-mean/unit-variance normalisation: GPT-SoVITS calls
 * `HubertModel` directly), with GPT-SoVITS's `GPT_SOVITS_SSL_PADDING_SAMPLES` zeros already appended by the caller.
 * Output: `last_hidden_state` [B, frames, hidden], frames = `hubertFrames(samples)` = floor((N - 400) / 320) + 1, float32
 * whatever the graph's precision. GPT-SoVITS transposes it to [B, 768, frames] for `extract_latent`.
 *
 * Batch semantics: every row is one complete utterance. There is no padding mask, exactly like the model call in
 * GPT-SoVITS, so a row padded to a longer batch is NOT its single run: the padding changes the feature extractor's
 * per-channel group norm statistics (taken over the whole time axis) and is attended to by every frame. Run
 * references of different lengths one at a time (batch 1), or batch only rows of equal length.
 * @module
 */
import type { GraphIo, IoDim, TensorSpec } from '../io-spec.ts';

export type { GraphIo, IoDim, TensorSpec };
import type { HubertDims } from './config.ts';

export const HUBERT_FILE = 'hubert.onnx';

export const HUBERT_IO_NAMES = { audio: 'audio_16k', features: 'features' } as const;

export const HUBERT_DIMS = { batch: 'batch', samples: 'samples', frames: 'frames' } as const;

/** `zeros(int(32000 * 0.3))` that TTS.py appends to the 16 kHz reference: 0.6 s, not 0.3 s. */
export const GPT_SOVITS_SSL_PADDING_SAMPLES = 9600;

export function hubertIo(dims: HubertDims): GraphIo {
  const { batch, samples, frames } = HUBERT_DIMS;
  return {
    inputs: [{ name: HUBERT_IO_NAMES.audio, dtype: 'float32', dims: [batch, samples] }],
    outputs: [{ name: HUBERT_IO_NAMES.features, dtype: 'float32', dims: [batch, frames, dims.hidden] }],
  };
}
