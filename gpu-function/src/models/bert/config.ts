/**
 * The dimensions of the BERT that GPT-SoVITS takes text features from (chinese-roberta-wwm-ext-large), and the
 * adapter from the checkpoint reader's architecture. Imported by the engine, so it imports no graph-building code.
 * @module
 */
import type { BertArchitecture } from '../../checkpoint/hf-bert.ts';

export interface BertDims {
  readonly vocabSize: number;
  readonly hidden: number;
  /** Encoder layers in the checkpoint; the graph computes only the first `layers - 2` (see `bertComputedLayers`). */
  readonly layers: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly maxPositions: number;
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
}

/** hfl/chinese-roberta-wwm-ext-large, the BERT of every GPT-SoVITS version. */
export const CHINESE_ROBERTA_WWM_EXT_LARGE: BertDims = {
  vocabSize: 21128,
  hidden: 1024,
  layers: 24,
  heads: 16,
  intermediate: 4096,
  maxPositions: 512,
  typeVocabSize: 2,
  layerNormEps: 1e-12,
};

/** GPT-SoVITS reads `hidden_states[-3]`; the tuple holds the embeddings and then one entry per layer. */
export const BERT_HIDDEN_STATE_INDEX_FROM_END = 3;

/** Encoder layers whose output makes `hidden_states[-3]`: layers 0 .. L-3, i.e. L - 2 of them (22 for BERT-large). */
export function bertComputedLayers(dims: BertDims): number {
  return dims.layers + 1 - BERT_HIDDEN_STATE_INDEX_FROM_END;
}

/** Throws a RangeError naming the first dimension that cannot describe a BERT this graph can build. */
export function checkBertDims(dims: BertDims): void {
  const sizes: readonly (readonly [string, number])[] = [
    ['vocabSize', dims.vocabSize],
    ['hidden', dims.hidden],
    ['heads', dims.heads],
    ['intermediate', dims.intermediate],
    ['maxPositions', dims.maxPositions],
    ['typeVocabSize', dims.typeVocabSize],
  ];
  for (const [name, size] of sizes) {
    if (!Number.isInteger(size) || size <= 0) throw new RangeError(`BERT ${name} must be a positive integer, got ${size}`);
  }
  if (dims.hidden % dims.heads !== 0) throw new RangeError(`BERT heads (${dims.heads}) must divide hidden (${dims.hidden})`);
  if (!Number.isInteger(dims.layers) || dims.layers < BERT_HIDDEN_STATE_INDEX_FROM_END - 1) {
    throw new RangeError(`BERT needs at least ${BERT_HIDDEN_STATE_INDEX_FROM_END - 1} layers to have hidden_states[-3], got ${dims.layers}`);
  }
  if (!(dims.layerNormEps > 0)) throw new RangeError(`BERT layerNormEps must be positive, got ${dims.layerNormEps}`);
}

/** The graph's dimensions from what `readHfBert` found; only the exact (erf) GELU is supported. */
export function bertDimsFromArchitecture(architecture: BertArchitecture): BertDims {
  if (architecture.activation !== 'gelu') {
    throw new RangeError(`BERT hidden_act '${architecture.activation}' is not supported (only 'gelu', the exact erf form)`);
  }
  const dims: BertDims = {
    vocabSize: architecture.vocabSize,
    hidden: architecture.hiddenSize,
    layers: architecture.layers,
    heads: architecture.heads,
    intermediate: architecture.intermediateSize,
    maxPositions: architecture.maxPositions,
    typeVocabSize: architecture.typeVocabSize,
    layerNormEps: architecture.layerNormEps,
  };
  checkBertDims(dims);
  return dims;
}
