/**
 * Synthetic chinese-roberta-wwm-ext-large folders (`BertForMaskedLM`: `bert.*` encoder plus the `cls.predictions.*`
 * head, whose decoder is tied to the word embeddings), with a generated vocab.txt laid out like the Chinese BERT
 * vocab's first ids ([PAD] 0, [UNK] 100, [CLS] 101, [SEP] 102, [MASK] 103), then ASCII and CJK characters.
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bertExpectedShapes, type BertArchitecture } from '../checkpoint/hf-bert.ts';
import { defaultInit, normal, type TensorSpec } from './init.ts';
import { writeHfFolder, type HfWriteOptions } from './hf-folder.ts';
import { countParameters } from './state-dict.ts';

export interface BertDims {
  readonly layers: number;
  readonly hidden: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly vocab: number;
  readonly maxPositions: number;
}

/** chinese-roberta-wwm-ext-large. */
export const BERT_FULL: BertDims = { layers: 24, hidden: 1024, heads: 16, intermediate: 4096, vocab: 21128, maxPositions: 512 };
/** Hidden 64 to match the tiny synthetic T2S's bert_proj; 4 layers so hidden_states[-3] is a middle layer. */
export const BERT_TINY: BertDims = { layers: 4, hidden: 64, heads: 4, intermediate: 256, vocab: 2048, maxPositions: 512 };

/** Ids 0..105 as in the real vocab, then printable ASCII, then CJK ideographs from U+4E00, then `##` pieces. */
export function syntheticBertVocab(size: number): string[] {
  const tokens = ['[PAD]', ...Array.from({ length: 99 }, (_, i) => `[unused${i + 1}]`), '[UNK]', '[CLS]', '[SEP]', '[MASK]', '<S>', '<T>'];
  for (let c = 0x21; c <= 0x7e && tokens.length < size; c += 1) tokens.push(String.fromCharCode(c));
  for (let c = 0x4e00; c <= 0x9fa5 && tokens.length < size; c += 1) tokens.push(String.fromCharCode(c));
  for (let c = 0x21; c <= 0x7e && tokens.length < size; c += 1) tokens.push(`##${String.fromCharCode(c)}`);
  for (let n = 0; tokens.length < size; n += 1) tokens.push(`[unused_synthetic${n}]`);
  return tokens.slice(0, size);
}

function architecture(d: BertDims): BertArchitecture {
  return {
    layers: d.layers, hiddenSize: d.hidden, heads: d.heads, headDim: d.hidden / d.heads, intermediateSize: d.intermediate,
    vocabSize: d.vocab, maxPositions: d.maxPositions, typeVocabSize: 2, layerNormEps: 1e-12, activation: 'gelu',
  };
}

export function bertSpecs(d: BertDims): TensorSpec[] {
  const specs: TensorSpec[] = [...bertExpectedShapes(architecture(d))].map(([name, shape]) => ({
    name: `bert.${name}`,
    shape,
    init: name.endsWith('_embeddings.weight') ? normal(0.5) : defaultInit(name, shape),
  }));
  const head = 'cls.predictions';
  specs.push(
    { name: `${head}.bias`, shape: [d.vocab], init: normal(0.02) },
    { name: `${head}.transform.dense.weight`, shape: [d.hidden, d.hidden], init: normal(d.hidden ** -0.5) },
    { name: `${head}.transform.dense.bias`, shape: [d.hidden], init: normal(0.02) },
    { name: `${head}.transform.LayerNorm.weight`, shape: [d.hidden], init: normal(0.05, 1) },
    { name: `${head}.transform.LayerNorm.bias`, shape: [d.hidden], init: normal(0.02) },
    { name: `${head}.decoder.weight`, shape: [d.vocab, d.hidden], init: normal(0.5) },
    { name: `${head}.decoder.bias`, shape: [d.vocab], init: normal(0.02) },
  );
  return specs;
}

export const BERT_TIES: ReadonlyMap<string, string> = new Map([
  ['cls.predictions.decoder.weight', 'bert.embeddings.word_embeddings.weight'],
  ['cls.predictions.decoder.bias', 'cls.predictions.bias'],
]);

export function bertConfig(d: BertDims): Record<string, unknown> {
  return {
    architectures: ['BertForMaskedLM'], attention_probs_dropout_prob: 0.1, bos_token_id: 0, classifier_dropout: null, directionality: 'bidi',
    eos_token_id: 2, hidden_act: 'gelu', hidden_dropout_prob: 0.1, hidden_size: d.hidden, initializer_range: 0.02,
    intermediate_size: d.intermediate, layer_norm_eps: 1e-12, max_position_embeddings: d.maxPositions, model_type: 'bert',
    num_attention_heads: d.heads, num_hidden_layers: d.layers, output_past: true, pad_token_id: 0, pooler_fc_size: 768,
    pooler_num_attention_heads: 12, pooler_num_fc_layers: 3, pooler_size_per_head: 128, pooler_type: 'first_token_transform',
    position_embedding_type: 'absolute', transformers_version: '4.32.0.dev0', type_vocab_size: 2, use_cache: true, vocab_size: d.vocab,
  };
}

/** Writes config.json, the weights and vocab.txt into `dir`; returns the parameter count (tied weights once). */
export async function writeSyntheticBert(dir: string, dims: BertDims, options: HfWriteOptions): Promise<number> {
  const specs = bertSpecs(dims);
  await writeHfFolder(dir, bertConfig(dims), specs, BERT_TIES, options);
  await writeFile(join(dir, 'vocab.txt'), `${syntheticBertVocab(dims.vocab).join('\n')}\n`);
  return countParameters(specs.filter((spec) => !BERT_TIES.has(spec.name)));
}
