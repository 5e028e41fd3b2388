/**
 * Synthetic chinese-hubert-base folders (`HubertModel`, keys without prefix): 7-conv feature extractor with group
 * norm, feature projection, positional conv (kernel 128, 16 groups) stored weight-normed over dim 2, post-norm
 * transformer. `masked_spec_embed` is included as HF saves it.
 * @module
 */
import { hubertExpectedShapes, type HubertArchitecture } from '../checkpoint/hf-hubert.ts';
import { defaultInit, uniform, weightNormPair, type TensorSpec } from './init.ts';
import { writeHfFolder, type HfWriteOptions } from './hf-folder.ts';
import { countParameters } from './state-dict.ts';

export interface HubertDims {
  readonly convChannels: number;
  readonly hidden: number;
  readonly layers: number;
  readonly heads: number;
  readonly intermediate: number;
  readonly posConvKernel: number;
  readonly posConvGroups: number;
}

const CONV_KERNELS = [10, 3, 3, 3, 3, 2, 2];
const CONV_STRIDES = [5, 2, 2, 2, 2, 2, 2];

/** chinese-hubert-base. */
export const HUBERT_FULL: HubertDims = { convChannels: 512, hidden: 768, layers: 12, heads: 12, intermediate: 3072, posConvKernel: 128, posConvGroups: 16 };
/** Hidden 64 to match the tiny synthetic SoVITS's sslDim; real conv geometry (kernels, strides, pos conv). */
export const HUBERT_TINY: HubertDims = { convChannels: 32, hidden: 64, layers: 2, heads: 4, intermediate: 256, posConvKernel: 128, posConvGroups: 16 };

function architecture(d: HubertDims): HubertArchitecture {
  return {
    hiddenSize: d.hidden, layers: d.layers, heads: d.heads, headDim: d.hidden / d.heads, intermediateSize: d.intermediate,
    layerNormEps: 1e-5, activation: 'gelu',
    featureExtractor: { channels: CONV_KERNELS.map(() => d.convChannels), kernels: CONV_KERNELS, strides: CONV_STRIDES, norm: 'group', bias: false, activation: 'gelu' },
    featureProjectionLayerNorm: true,
    positionalConv: { kernelSize: d.posConvKernel, groups: d.posConvGroups },
    doStableLayerNorm: false,
  };
}

const POS_CONV = 'encoder.pos_conv_embed.conv';

export function hubertSpecs(d: HubertDims): TensorSpec[] {
  const specs: TensorSpec[] = [{ name: 'masked_spec_embed', shape: [d.hidden], init: uniform(0, 1) }];
  for (const [name, shape] of hubertExpectedShapes(architecture(d))) {
    if (name === `${POS_CONV}.bias`) continue;
    if (name === `${POS_CONV}.weight`) {
      specs.push({ name: `${POS_CONV}.bias`, shape: [d.hidden], init: defaultInit(`${POS_CONV}.bias`, [d.hidden]) });
      specs.push(...weightNormPair(POS_CONV, shape, 2, (d.hidden / d.posConvGroups) * d.posConvKernel));
      continue;
    }
    specs.push({ name, shape, init: defaultInit(name, shape) });
  }
  return specs;
}

export function hubertConfig(d: HubertDims): Record<string, unknown> {
  return {
    activation_dropout: 0.1, apply_spec_augment: true, architectures: ['HubertModel'], attention_dropout: 0.1, bos_token_id: 1,
    classifier_proj_size: 256, conv_bias: false, conv_dim: CONV_KERNELS.map(() => d.convChannels), conv_kernel: CONV_KERNELS,
    conv_stride: CONV_STRIDES, ctc_loss_reduction: 'sum', ctc_zero_infinity: false, do_stable_layer_norm: false, eos_token_id: 2,
    feat_extract_activation: 'gelu', feat_extract_norm: 'group', feat_proj_dropout: 0.0, feat_proj_layer_norm: true, final_dropout: 0.1,
    hidden_act: 'gelu', hidden_dropout: 0.1, hidden_size: d.hidden, initializer_range: 0.02, intermediate_size: d.intermediate,
    layer_norm_eps: 1e-5, layerdrop: 0.1, mask_feature_length: 10, mask_feature_min_masks: 0, mask_feature_prob: 0.0,
    mask_time_length: 10, mask_time_min_masks: 2, mask_time_prob: 0.05, model_type: 'hubert', num_attention_heads: d.heads,
    num_conv_pos_embedding_groups: d.posConvGroups, num_conv_pos_embeddings: d.posConvKernel, num_feat_extract_layers: CONV_KERNELS.length,
    num_hidden_layers: d.layers, pad_token_id: 0, transformers_version: '4.32.0.dev0', use_weighted_layer_sum: false, vocab_size: 32,
  };
}

/** Writes config.json and the weights into `dir`; returns the parameter count. */
export async function writeSyntheticHubert(dir: string, dims: HubertDims, options: HfWriteOptions): Promise<number> {
  const specs = hubertSpecs(dims);
  await writeHfFolder(dir, hubertConfig(dims), specs, new Map(), options);
  return countParameters(specs);
}
