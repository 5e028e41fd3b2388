/**
 * BERT parameter names as `BertModel` stores them (the checkpoint reader strips `BertForMaskedLM`'s `bert.` prefix),
 * shared by the graph builder, the float64 reference and the synthetic weights so all three agree on the checkpoint.
 * @module
 */

/** Checkpoint name prefixes (without `.weight`/`.bias`) of one post-norm transformer layer's parameters. */
export interface PostNormLayerNames {
  readonly query: string;
  readonly key: string;
  readonly value: string;
  readonly attentionOutput: string;
  readonly attentionNorm: string;
  readonly intermediate: string;
  readonly output: string;
  readonly outputNorm: string;
}

export const BERT_EMBEDDINGS = {
  words: 'embeddings.word_embeddings.weight',
  positions: 'embeddings.position_embeddings.weight',
  tokenTypes: 'embeddings.token_type_embeddings.weight',
  norm: 'embeddings.LayerNorm',
} as const;

export function bertLayerNames(index: number): PostNormLayerNames {
  const p = `encoder.layer.${index}`;
  return {
    query: `${p}.attention.self.query`,
    key: `${p}.attention.self.key`,
    value: `${p}.attention.self.value`,
    attentionOutput: `${p}.attention.output.dense`,
    attentionNorm: `${p}.attention.output.LayerNorm`,
    intermediate: `${p}.intermediate.dense`,
    output: `${p}.output.dense`,
    outputNorm: `${p}.output.LayerNorm`,
  };
}
