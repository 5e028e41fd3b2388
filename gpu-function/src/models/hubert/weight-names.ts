/**
 * HuBERT parameter names as `HubertModel` stores them (the positional conv's weight norm already folded into
 * `.weight`), shared by the graph builder, the float64 reference and the synthetic weights.
 * @module
 */
import type { PostNormLayerNames } from '../bert/weight-names.ts';

export const hubertConv = (index: number): string => `feature_extractor.conv_layers.${index}.conv`;
/** The GroupNorm after the first conv (named `layer_norm` in transformers). */
export const HUBERT_GROUP_NORM = 'feature_extractor.conv_layers.0.layer_norm';
export const HUBERT_PROJECTION = { norm: 'feature_projection.layer_norm', linear: 'feature_projection.projection' } as const;
export const HUBERT_POS_CONV = 'encoder.pos_conv_embed.conv';
export const HUBERT_ENCODER_NORM = 'encoder.layer_norm';

export function hubertLayerNames(index: number): PostNormLayerNames {
  const p = `encoder.layers.${index}`;
  return {
    query: `${p}.attention.q_proj`,
    key: `${p}.attention.k_proj`,
    value: `${p}.attention.v_proj`,
    attentionOutput: `${p}.attention.out_proj`,
    attentionNorm: `${p}.layer_norm`,
    intermediate: `${p}.feed_forward.intermediate_dense`,
    output: `${p}.feed_forward.output_dense`,
    outputNorm: `${p}.final_layer_norm`,
  };
}
