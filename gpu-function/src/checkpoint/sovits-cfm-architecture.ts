/**
 * SoVITS v3/v4 `SynthesizerTrnV3` architecture, from tensor shapes: the shared prior (text encoder, MRTE, reference
 * encoder, prompt extractor), `bridge` (Conv1d + LeakyReLU to the CFM's text width, 512), `wns1` (a WaveNet encoder
 * conditioned on `ge`), `linear_mel` (training only) and the CFM's DiT estimator. GPT-SoVITS hard-codes the DiT's
 * sizes (dim 1024, depth 22, 16 heads of 64, ff ×2, 4 ConvNeXt text blocks) and the 512 text width; every one is read
 * from the weights here, so the parity micro models (dim 32, 2 heads) take the same path.
 * @module
 */
import { CheckpointError } from './errors.ts';
import type { ConfigReader } from './plain.ts';
import { deriveSovitsPrior, type SovitsPriorArchitecture } from './sovits-architecture.ts';
import type { CfmSovitsVersion } from './sovits-version.ts';
import { countIndexed, shapeOf, type TensorStore } from './tensor-store.ts';

export interface SovitsDitArchitecture {
  readonly dim: number;
  readonly depth: number;
  readonly heads: number;
  /** Head width; RoPE covers the first `headDim` channels of q and k (head 0 only, as F5-TTS's code does). */
  readonly headDim: number;
  /** Feed-forward inner width (dim × ff_mult). */
  readonly ffDim: number;
  /** Mel channels in and out (100). */
  readonly melDim: number;
  /** The condition ("text") width: `bridge`'s output (512). */
  readonly textDim: number;
  /** ConvNeXtV2 blocks over the condition, and their inner width. */
  readonly textBlocks: number;
  readonly textBlockDim: number;
  /** Sinusoidal features of the timestep embeddings (256). */
  readonly timeFreqDim: number;
  /** ConvPositionEmbedding: kernel (31) and groups (16). */
  readonly convPosKernel: number;
  readonly convPosGroups: number;
}

export interface SovitsCfmArchitecture extends SovitsPriorArchitecture {
  readonly version: CfmSovitsVersion;
  readonly bridgeChannels: number;
  readonly wns1: { readonly hiddenChannels: number; readonly kernelSize: number; readonly layers: number; readonly dilationRate: number };
  readonly dit: SovitsDitArchitecture;
}

/** `wns1 = Encoder(512, 512, 512, 5, 1, 8, gin)`: dilation rate 1 (not in any shape). */
const WNS1_DILATION_RATE = 1;

function fail(weights: TensorStore, tensor: string, message: string): never {
  throw new CheckpointError(weights.file, message, { tensor });
}

export function deriveSovitsCfmArchitecture(weights: TensorStore, config: ConfigReader, version: CfmSovitsVersion): SovitsCfmArchitecture {
  const [gin = 0] = shapeOf(weights, 'ref_enc.fc.fc.weight', 2);
  const prior = deriveSovitsPrior(weights, config, { channels: gin, tensor: 'ref_enc.fc.fc.weight' }, version);
  if (prior.mrte.hiddenChannels !== gin) fail(weights, 'enc_p.mrte.c_pre.weight', `MRTE width ${prior.mrte.hiddenChannels} differs from gin_channels ${gin}; GPT-SoVITS adds ge to it`);
  const [bridgeChannels = 0, bridgeIn = 0] = shapeOf(weights, 'bridge.0.weight', 3);
  if (bridgeIn !== prior.hiddenChannels) fail(weights, 'bridge.0.weight', `takes ${bridgeIn} channels; the text encoder gives ${prior.hiddenChannels}`);
  const [wnHidden = 0] = shapeOf(weights, 'wns1.pre.weight', 3);
  const [, , wnKernel = 0] = shapeOf(weights, 'wns1.enc.in_layers.0.weight', 3);
  const wnLayers = countIndexed(weights, (i) => `wns1.enc.in_layers.${i}.weight`);
  const [condOut = 0, condIn = 0] = shapeOf(weights, 'wns1.enc.cond_layer.weight', 3);
  if (condIn !== gin || condOut !== 2 * wnHidden * wnLayers) fail(weights, 'wns1.enc.cond_layer.weight', `should be [${String(2 * wnHidden * wnLayers)}, ${String(gin)}, 1] for ${String(wnLayers)} layers of ${String(wnHidden)} conditioned on gin ${String(gin)}`);

  const e = 'cfm.estimator';
  const [melDim = 0, dim = 0] = shapeOf(weights, `${e}.proj_out.weight`, 2);
  const depth = countIndexed(weights, (i) => `${e}.transformer_blocks.${i}.attn.to_q.weight`);
  const [rotary = 0] = shapeOf(weights, `${e}.rotary_embed.inv_freq`, 1);
  const headDim = 2 * rotary;
  const [inner = 0] = shapeOf(weights, `${e}.transformer_blocks.0.attn.to_q.weight`, 2);
  if (headDim === 0 || inner % headDim !== 0) fail(weights, `${e}.rotary_embed.inv_freq`, `gives heads of ${String(headDim)} channels, which do not divide the attention width ${String(inner)}`);
  const [ffDim = 0] = shapeOf(weights, `${e}.transformer_blocks.0.ff.ff.0.0.weight`, 2);
  const [textBlockDim = 0, textDim = 0] = shapeOf(weights, `${e}.text_embed.text_blocks.0.pwconv1.weight`, 2);
  const [, timeFreqDim = 0] = shapeOf(weights, `${e}.time_embed.time_mlp.0.weight`, 2);
  const [, perGroup = 0, convPosKernel = 0] = shapeOf(weights, `${e}.input_embed.conv_pos_embed.conv1d.0.weight`, 3);
  const [, projIn = 0] = shapeOf(weights, `${e}.input_embed.proj.weight`, 2);
  if (textDim !== bridgeChannels) fail(weights, `${e}.text_embed.text_blocks.0.pwconv1.weight`, `takes ${String(textDim)} channels; bridge gives ${String(bridgeChannels)}`);
  if (projIn !== 2 * melDim + textDim) fail(weights, `${e}.input_embed.proj.weight`, `takes ${String(projIn)} channels; x, cond and text give ${String(2 * melDim + textDim)}`);
  if (perGroup === 0 || dim % perGroup !== 0) fail(weights, `${e}.input_embed.conv_pos_embed.conv1d.0.weight`, `groups of ${String(perGroup)} do not divide ${String(dim)}`);
  return {
    ...prior,
    version,
    bridgeChannels,
    wns1: { hiddenChannels: wnHidden, kernelSize: wnKernel, layers: wnLayers, dilationRate: WNS1_DILATION_RATE },
    dit: {
      dim,
      depth,
      heads: inner / headDim,
      headDim,
      ffDim,
      melDim,
      textDim,
      textBlocks: countIndexed(weights, (i) => `${e}.text_embed.text_blocks.${i}.dwconv.weight`),
      textBlockDim,
      timeFreqDim,
      convPosKernel,
      convPosGroups: dim / perGroup,
    },
  };
}

type Shapes = Map<string, readonly number[]>;

function layer(shapes: Shapes, name: string, shape: readonly number[], bias = true): void {
  shapes.set(`${name}.weight`, shape);
  if (bias) shapes.set(`${name}.bias`, [shape[0] ?? 0]);
}

/** The v3/v4-only tensors (weight norm folded): bridge, wns1, linear_mel and the DiT. */
export function sovitsCfmExpectedShapes(a: SovitsCfmArchitecture): Map<string, readonly number[]> {
  const shapes: Shapes = new Map();
  const c = a.bridgeChannels;
  layer(shapes, 'bridge.0', [c, a.hiddenChannels, 1]);
  const w = a.wns1;
  layer(shapes, 'wns1.pre', [w.hiddenChannels, c, 1]);
  for (let i = 0; i < w.layers; i += 1) {
    layer(shapes, `wns1.enc.in_layers.${String(i)}`, [2 * w.hiddenChannels, w.hiddenChannels, w.kernelSize]);
    layer(shapes, `wns1.enc.res_skip_layers.${String(i)}`, [i < w.layers - 1 ? 2 * w.hiddenChannels : w.hiddenChannels, w.hiddenChannels, 1]);
  }
  layer(shapes, 'wns1.enc.cond_layer', [2 * w.hiddenChannels * w.layers, a.ginChannels, 1]);
  layer(shapes, 'wns1.proj', [c, w.hiddenChannels, 1]);
  const d = a.dit;
  layer(shapes, 'linear_mel', [d.melDim, c, 1]);
  const e = 'cfm.estimator';
  for (const embed of ['time_embed', 'd_embed']) {
    layer(shapes, `${e}.${embed}.time_mlp.0`, [d.dim, d.timeFreqDim]);
    layer(shapes, `${e}.${embed}.time_mlp.2`, [d.dim, d.dim]);
  }
  for (let i = 0; i < d.textBlocks; i += 1) {
    const block = `${e}.text_embed.text_blocks.${String(i)}`;
    layer(shapes, `${block}.dwconv`, [d.textDim, 1, 7]);
    layer(shapes, `${block}.norm`, [d.textDim]);
    layer(shapes, `${block}.pwconv1`, [d.textBlockDim, d.textDim]);
    shapes.set(`${block}.grn.gamma`, [1, 1, d.textBlockDim]);
    shapes.set(`${block}.grn.beta`, [1, 1, d.textBlockDim]);
    layer(shapes, `${block}.pwconv2`, [d.textDim, d.textBlockDim]);
  }
  layer(shapes, `${e}.input_embed.proj`, [d.dim, 2 * d.melDim + d.textDim]);
  for (const conv of [0, 2]) layer(shapes, `${e}.input_embed.conv_pos_embed.conv1d.${String(conv)}`, [d.dim, d.dim / d.convPosGroups, d.convPosKernel]);
  shapes.set(`${e}.rotary_embed.inv_freq`, [d.headDim / 2]);
  const inner = d.heads * d.headDim;
  for (let i = 0; i < d.depth; i += 1) {
    const block = `${e}.transformer_blocks.${String(i)}`;
    layer(shapes, `${block}.attn_norm.linear`, [6 * d.dim, d.dim]);
    for (const projection of ['to_q', 'to_k', 'to_v']) layer(shapes, `${block}.attn.${projection}`, [inner, d.dim]);
    layer(shapes, `${block}.attn.to_out.0`, [d.dim, inner]);
    layer(shapes, `${block}.ff.ff.0.0`, [d.ffDim, d.dim]);
    layer(shapes, `${block}.ff.ff.2`, [d.dim, d.ffDim]);
  }
  layer(shapes, `${e}.norm_out.linear`, [2 * d.dim, d.dim]);
  layer(shapes, `${e}.proj_out`, [d.melDim, d.dim]);
  return shapes;
}
