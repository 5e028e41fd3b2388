/**
 * The dimensions of a GPT-SoVITS T2S ("GPT") model that its graphs depend on, and the adapter from the checkpoint
 * reader's architecture. Imported by the engine (through `io.ts`), so it imports no graph-building code.
 * @module
 */
import type { T2sArchitecture } from '../../checkpoint/gpt-sovits-t2s.ts';

export interface T2sDims {
  readonly layers: number;
  /** Transformer width (= embedding width in every GPT-SoVITS config); 512 for the pretrained models. */
  readonly hidden: number;
  readonly heads: number;
  /** FFN width, 4 x hidden in GPT-SoVITS. */
  readonly ffn: number;
  /** Rows of the phone embedding: 732 (v2 symbols) or 512 (v1). */
  readonly phonemeVocab: number;
  /** Semantic tokens + EOS: 1025. */
  readonly vocab: number;
  /** End-of-speech token; GPT-SoVITS asserts it is vocab - 1. */
  readonly eos: number;
  /** Width of the BERT features `bert_proj` takes: 1024. */
  readonly bertDim: number;
}

/** Storage and compute precision of the T2S graphs (the same strings as the ONNX builder's `Precision`). */
export type T2sPrecision = 'fp32' | 'fp16';

/** GPT-SoVITS hard-codes `nn.LayerNorm`'s default epsilon in every T2S layer. */
export const T2S_LAYER_NORM_EPS = 1e-5;

export function headDim(dims: T2sDims): number {
  return dims.hidden / dims.heads;
}

/** The dims of a checkpoint the reader has validated. */
export function t2sDimsFromArchitecture(architecture: T2sArchitecture): T2sDims {
  return validateT2sDims({
    layers: architecture.layers,
    hidden: architecture.hiddenDim,
    heads: architecture.heads,
    ffn: architecture.ffnDim,
    phonemeVocab: architecture.phonemeVocabSize,
    vocab: architecture.vocabSize,
    eos: architecture.eos,
    bertDim: architecture.bertDim,
  });
}

/**
 * Fails with a message naming the field unless the dims describe a model the graphs can run. The head-size rule
 * comes from onnxruntime's GroupQueryAttention kernels (the decode graph), which require head_size % 8 == 0.
 */
export function validateT2sDims(dims: T2sDims): T2sDims {
  const positive: (keyof T2sDims)[] = ['layers', 'hidden', 'heads', 'ffn', 'phonemeVocab', 'vocab', 'bertDim'];
  for (const field of positive) {
    if (!Number.isInteger(dims[field]) || dims[field] <= 0) throw new RangeError(`T2S dims: ${field} must be a positive integer, got ${dims[field]}`);
  }
  if (dims.hidden % dims.heads !== 0) throw new RangeError(`T2S dims: heads (${dims.heads}) must divide hidden (${dims.hidden})`);
  if (headDim(dims) % 8 !== 0) {
    throw new RangeError(`T2S dims: head size ${headDim(dims)} (hidden ${dims.hidden} / heads ${dims.heads}) must be a multiple of 8 for GroupQueryAttention`);
  }
  if (dims.hidden % 2 !== 0) throw new RangeError(`T2S dims: hidden (${dims.hidden}) must be even for the sinusoidal positions`);
  if (dims.eos !== dims.vocab - 1) throw new RangeError(`T2S dims: eos (${dims.eos}) must be vocab - 1 (${dims.vocab - 1})`);
  return dims;
}
