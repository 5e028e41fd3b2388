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
 * - `past_key_i`/`past_value_i` are the host's KV pool `[B, H, capacity, d]` (the first B slots of it, a zero-copy
 *   view), in the graph's compute dtype; row b holds `past_lengths[b]` valid entries, the rest is ignored;
 * - the outputs are the logits and only the new token's K/V per layer, `new_key_i`/`new_value_i` `[B, H, 1, d]`,
 *   which the host writes at column `past_lengths[b]` of the slot before incrementing it.
 *   The pool is never an output: onnxruntime-node copies every output into a new JavaScript buffer after a run, so a
 *   pool-sized output would cost a copy of the whole cache per step (measured: 117 ms at capacity 4096).
 *
 * Resident decode (`t2s-decode-resident.onnx`, for providers whose outputs can stay on the device: WebGPU): the decode
 * step's inputs and outputs plus, per layer, `present_key_i`/`present_value_i` `[B, H, capacity, d]`, the past pool
 * with the new column written at `past_lengths[b]`. Bound as device outputs and fed back as the next step's
 * `past_*`, the pool crosses the host boundary only when the batch or the capacity changes. The column masks are
 * computed from `past_lengths` on the device (not from Shape/Range, which onnxruntime places on the CPU and then
 * copies `[B, C]` masks to the device every step). The new columns still come out so the host pool stays current
 * (they are constant in the cache length); the logits are identical to the decode graph's.
 *
 * Neither graph samples: both return raw `ar_predict_layer` logits (float32) for host-side sampling. EOS = vocab - 1.
 * @module
 */
import type { GraphIo, IoDim, TensorSpec } from '../io-spec.ts';

export type { GraphIo, IoDim, TensorSpec };
import type { T2sDims, T2sPrecision } from './config.ts';

export const T2S_FILES = { prefill: 't2s-prefill.onnx', decode: 't2s-decode.onnx', decodeResident: 't2s-decode-resident.onnx' } as const;

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
  pastLengths: 'past_lengths',
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
export const newKeyName = (layer: number): string => `new_key_${layer}`;
export const newValueName = (layer: number): string => `new_value_${layer}`;

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
      { name: T2S_DECODE.pastLengths, dtype: 'int64', dims: [batch] },
    ],
    outputs: [
      { name: T2S_DECODE.logits, dtype: 'float32', dims: [batch, dims.vocab] },
      ...kvSpecs(dims, precision, (i) => [newKeyName(i), newValueName(i)], 1),
    ],
  };
}

/** The resident decode step: `t2sDecodeIo` plus the whole updated pool per layer (see the module comment). */
export function t2sResidentDecodeIo(dims: T2sDims, precision: T2sPrecision): GraphIo {
  const base = t2sDecodeIo(dims, precision);
  return { inputs: base.inputs, outputs: [...base.outputs, ...kvSpecs(dims, precision, (i) => [presentKeyName(i), presentValueName(i)], T2S_DIMS.kvCapacity)] };
}

/** The outputs of the resident decode graph that stay on the device (the pool), in graph order. */
export function t2sResidentPoolOutputs(dims: T2sDims): string[] {
  return Array.from({ length: dims.layers }, (_, i) => [presentKeyName(i), presentValueName(i)]).flat();
}

/** The resident route's pool-rebuild graph (pool-graph.ts): input names; per-layer K/V names below. */
export const T2S_POOL_REBUILD = {
  sourceRows: 'source_rows',
  capacity: 'capacity',
  oldPads: 'old_pads',
  freshPads: 'fresh_pads',
} as const;

export const oldPoolName = (layer: number, kind: 'key' | 'value'): string => `old_${kind}_${layer}`;
export const freshPoolName = (layer: number, kind: 'key' | 'value'): string => `fresh_${kind}_${layer}`;
export const rebuiltPoolName = (layer: number, kind: 'key' | 'value'): string => `pool_${kind}_${layer}`;

/** The rebuilt pool's outputs (the ones to keep on the device), in graph order. */
export function t2sPoolRebuildOutputs(dims: T2sDims): string[] {
  return Array.from({ length: dims.layers }, (_, i) => [rebuiltPoolName(i, 'key'), rebuiltPoolName(i, 'value')]).flat();
}
