/**
 * Derives {@link CfmDims} from the tensor shapes of a SoVITS v3/v4 state dict (weight norm folded, a LoRA merged, as
 * the checkpoint reader delivers it). Shapes are the only trustworthy source: the parity micro models override the
 * widths GPT-SoVITS hard-codes (ssl_dim 768, inter_channels2 512, the DiT's 1024/22/16/64, MRTE 512). The version
 * (v3 or v4: identical shapes, different frame arithmetic) is the reader's decision and is passed in.
 * @module
 */
import { contentEncoderDims, shapeReader, type ShapeSource } from '../sovits/dims-from-weights.ts';
import { CFM_FRAME_RATES, DIT_PREFIX, WNS1_DILATION_RATE, validateCfmDims, type CfmDims, type CfmVersion, type DitDims } from './config.ts';

/**
 * The DiT's widths from `<prefix>.*` shapes: dim from `proj_out`, depth by counting blocks, dim_head from
 * `rotary_embed.inv_freq` (`RotaryEmbedding(dim_head)` keeps dim_head / 2 frequencies), heads = to_q rows / dim_head.
 */
export function ditDimsFromWeights(weights: ShapeSource, prefix = DIT_PREFIX): DitDims {
  const { dim, count } = shapeReader(weights, 'DiT');
  const p = (name: string): string => `${prefix}.${name}`;
  const width = dim(p('proj_out.weight'), 2, 1);
  const dimHead = 2 * dim(p('rotary_embed.inv_freq'), 1, 0);
  const inner = dim(p('transformer_blocks.0.attn.to_q.weight'), 2, 0);
  const textDim = dim(p('text_embed.text_blocks.0.dwconv.weight'), 3, 0);
  const melDim = dim(p('proj_out.weight'), 2, 0);
  const posGroupWidth = dim(p('input_embed.conv_pos_embed.conv1d.0.weight'), 3, 1);
  const dims: DitDims = {
    dim: width,
    depth: count((i) => p(`transformer_blocks.${i}.attn_norm.linear.weight`)),
    heads: dimHead === 0 ? 0 : inner / dimHead,
    dimHead,
    ffDim: dim(p('transformer_blocks.0.ff.ff.0.0.weight'), 2, 0),
    melDim,
    textDim,
    convLayers: count((i) => p(`text_embed.text_blocks.${i}.dwconv.weight`)),
    convInner: dim(p('text_embed.text_blocks.0.pwconv1.weight'), 2, 0),
    convKernel: dim(p('text_embed.text_blocks.0.dwconv.weight'), 3, 2),
    freqEmbedDim: dim(p('time_embed.time_mlp.0.weight'), 2, 1),
    posConvKernel: dim(p('input_embed.conv_pos_embed.conv1d.0.weight'), 3, 2),
    posConvGroups: posGroupWidth === 0 ? 0 : width / posGroupWidth,
  };
  const projIn = dim(p('input_embed.proj.weight'), 2, 1);
  if (projIn !== 2 * melDim + textDim) throw new Error(`DiT input_embed.proj reads ${projIn} channels, expected 2 x ${melDim} mels + ${textDim} text`);
  if (inner !== width) throw new Error(`DiT attention inner width ${inner} differs from its width ${width}`);
  if (!Number.isInteger(dims.heads) || dims.heads < 1) throw new Error(`DiT attention width ${inner} is not a multiple of the head width ${dimHead}`);
  if (dims.depth === 0) throw new Error(`DiT weights lack tensor ${p('transformer_blocks.0.attn_norm.linear.weight')}`);
  return dims;
}

export function cfmDimsFromWeights(weights: ShapeSource, version: CfmVersion): CfmDims {
  const what = `SoVITS ${version}`;
  const read = shapeReader(weights, what);
  const { dim, count } = read;
  const { hidden, encoder, mrte, refEncoder } = contentEncoderDims(read, what);
  const dit = ditDimsFromWeights(weights);
  const dims: CfmDims = {
    version,
    encp: {
      sslDim: dim('quantizer.vq.layers.0._codebook.embed', 2, 1),
      codebookSize: dim('quantizer.vq.layers.0._codebook.embed', 2, 0),
      symbols: dim('enc_p.text_embedding.weight', 2, 0),
      hidden,
      gin: dim('ref_enc.fc.fc.weight', 2, 0),
      encoder,
      mrte,
      refEncoder,
      featureDim: dim('bridge.0.weight', 3, 0),
      wns1: {
        hidden: dim('wns1.pre.weight', 3, 0),
        kernel: dim('wns1.enc.in_layers.0.weight', 3, 2),
        layers: count((i) => `wns1.enc.in_layers.${i}.weight`),
        dilationRate: WNS1_DILATION_RATE,
        out: dim('wns1.proj.weight', 3, 0),
      },
      frameRate: CFM_FRAME_RATES[version],
    },
    dit,
  };
  if (dim('bridge.0.weight', 3, 1) !== hidden) throw new Error(`SoVITS ${version} bridge reads ${dim('bridge.0.weight', 3, 1)} channels; enc_p gives ${hidden}`);
  validateCfmDims(dims);
  return dims;
}

/**
 * The DiT's parameters for `dims`, counted from the layer shapes (as `sum(p.numel() for p in dit.parameters())`: the
 * RoPE `inv_freq` buffer is not one), split into the `cfm-text` graph's ConvNeXt blocks and the `cfm-step` graph's rest.
 */
export function ditParameterCount(d: DitDims): { readonly total: number; readonly text: number; readonly step: number } {
  const linear = (inputs: number, outputs: number): number => inputs * outputs + outputs;
  const timestep = linear(d.freqEmbedDim, d.dim) + linear(d.dim, d.dim);
  const convNext = d.textDim * d.convKernel + d.textDim + 2 * d.textDim + linear(d.textDim, d.convInner) + 2 * d.convInner + linear(d.convInner, d.textDim);
  const posConv = 2 * (d.dim * (d.dim / d.posConvGroups) * d.posConvKernel + d.dim);
  const block = linear(d.dim, 6 * d.dim) + 4 * linear(d.dim, d.dim) + linear(d.dim, d.ffDim) + linear(d.ffDim, d.dim);
  const text = d.convLayers * convNext;
  const step = 2 * timestep + linear(2 * d.melDim + d.textDim, d.dim) + posConv + d.depth * block + linear(d.dim, 2 * d.dim) + linear(d.dim, d.melDim);
  return { total: text + step, text, step };
}
