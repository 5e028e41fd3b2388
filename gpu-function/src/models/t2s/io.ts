/**
 * The contract between the T2S graphs and the engine that runs them: file names, and each graph's input and output
 * names, dtypes and shapes. The graph builders declare their inputs and outputs from these specs, and the engine
 * imports this module (never the builders).
 *
 * Prefill, for a batch of B requests. Row b is `[text (Tx slots, first X_b valid) ; prompt audio (Tp slots, first P_b
 * valid)]`, padded on the right of each part (pad ids: any valid id, e.g. 0; pad BERT: zeros):
 * - text rows see the row's valid text; prompt-audio rows see the valid text and the audio before them (prefix LM);
 *   pad positions see only themselves, so nothing is NaN;
 * - positions are 0-based: text 0..X_b-1, prompt audio restarting at 0;
 * - `logits` are taken at the row's last valid position (the last prompt token, or the last text token when
 *   P_b = 0, GPT-SoVITS's reference-free mode);
 * - `present_key_i`/`present_value_i` hold every slot's K/V; the valid columns are `[0, X_b)` and `[Tx, Tx + P_b)`.
 *   The host copies them, in that order, to the start of the row's KV-pool slot (see `kv-copy.ts`), so the slot holds
 *   X_b + P_b contiguous entries.
 *
 * Decode, one step for B running sequences with caches of different lengths:
 * - `tokens[b]` is the last sampled token, `positions[b]` its audio position (P_b for the token sampled from the
 *   prefill logits, then P_b + 1...);
 * - `past_key_i`/`past_value_i` are the host's KV pool `[B, H, capacity, d]`, in the graph's compute dtype; bind
 *   `present_key_i`/`present_value_i` to the SAME buffers: onnxruntime then writes each row's new K/V in place at
 *   column `seqlens_k[b]` and copies nothing else;
 * - `seqlens_k[b]` is the number of entries already in row b's cache (must be < capacity), and
 *   `total_sequence_length` is max(seqlens_k) + 1;
 * - after the step the host increments `seqlens_k[b]`.
 *
 * Neither graph samples: both return raw `ar_predict_layer` logits (float32) for host-side sampling. EOS = vocab - 1.
 * @module
 */
import type { DType } from '../../tensor/index.ts';
import type { T2sDims, T2sPrecision } from './config.ts';

/** A fixed size or a symbolic dimension name. */
export type IoDim = number | string;

export interface TensorSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly IoDim[];
}

export interface GraphIo {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}

export const T2S_FILES = { prefill: 't2s-prefill.onnx', decode: 't2s-decode.onnx' } as const;

export const T2S_PREFILL = {
  phoneIds: 'phone_ids',
  bert: 'bert',
  promptTokens: 'prompt_tokens',
  textLengths: 'text_lengths',
  promptLengths: 'prompt_lengths',
  logits: 'logits',
} as const;

export const T2S_DECODE = {
  tokens: 'tokens',
  positions: 'positions',
  seqlensK: 'seqlens_k',
  totalSequenceLength: 'total_sequence_length',
  logits: 'logits',
} as const;

/** Symbolic dimension names used in both graphs. */
export const T2S_DIMS = {
  batch: 'batch',
  textLength: 'text_length',
  promptLength: 'prompt_length',
  prefillLength: 'prefill_length',
  kvCapacity: 'kv_capacity',
} as const;

export const pastKeyName = (layer: number): string => `past_key_${layer}`;
export const pastValueName = (layer: number): string => `past_value_${layer}`;
export const presentKeyName = (layer: number): string => `present_key_${layer}`;
export const presentValueName = (layer: number): string => `present_value_${layer}`;

/** The dtype of K/V tensors (prefill outputs and the decode pool): the graph's compute dtype. */
export function t2sKvDtype(precision: T2sPrecision): 'float32' | 'float16' {
  return precision === 'fp16' ? 'float16' : 'float32';
}

function kvSpecs(dims: T2sDims, precision: T2sPrecision, names: (layer: number) => readonly string[], length: IoDim): TensorSpec[] {
  const shape = [T2S_DIMS.batch, dims.heads, length, dims.hidden / dims.heads];
  const specs: TensorSpec[] = [];
  for (let i = 0; i < dims.layers; i += 1) {
    for (const name of names(i)) specs.push({ name, dtype: t2sKvDtype(precision), dims: shape });
  }
  return specs;
}

export function t2sPrefillIo(dims: T2sDims, precision: T2sPrecision): GraphIo {
  const { batch, textLength, promptLength, prefillLength } = T2S_DIMS;
  return {
    inputs: [
      { name: T2S_PREFILL.phoneIds, dtype: 'int64', dims: [batch, textLength] },
      { name: T2S_PREFILL.bert, dtype: 'float32', dims: [batch, textLength, dims.bertDim] },
      { name: T2S_PREFILL.promptTokens, dtype: 'int64', dims: [batch, promptLength] },
      { name: T2S_PREFILL.textLengths, dtype: 'int64', dims: [batch] },
      { name: T2S_PREFILL.promptLengths, dtype: 'int64', dims: [batch] },
    ],
    outputs: [
      { name: T2S_PREFILL.logits, dtype: 'float32', dims: [batch, dims.vocab] },
      ...kvSpecs(dims, precision, (i) => [presentKeyName(i), presentValueName(i)], prefillLength),
    ],
  };
}

export function t2sDecodeIo(dims: T2sDims, precision: T2sPrecision): GraphIo {
  const { batch, kvCapacity } = T2S_DIMS;
  return {
    inputs: [
      { name: T2S_DECODE.tokens, dtype: 'int64', dims: [batch] },
      { name: T2S_DECODE.positions, dtype: 'int64', dims: [batch] },
      ...kvSpecs(dims, precision, (i) => [pastKeyName(i), pastValueName(i)], kvCapacity),
      { name: T2S_DECODE.seqlensK, dtype: 'int32', dims: [batch] },
      { name: T2S_DECODE.totalSequenceLength, dtype: 'int32', dims: [] },
    ],
    outputs: [
      { name: T2S_DECODE.logits, dtype: 'float32', dims: [batch, dims.vocab] },
      ...kvSpecs(dims, precision, (i) => [presentKeyName(i), presentValueName(i)], kvCapacity),
    ],
  };
}
