/**
 * SoVITS v1/v2/v2Pro/v2ProPlus `SynthesizerTrn` architecture, derived from the (weight-norm folded) tensor shapes plus the HParams
 * values shapes cannot carry (strides, dilations, audio settings). Widths that GPT-SoVITS hard-codes (MRTE hidden,
 * reference-encoder hidden, SSL dim) are read from the weights too, so non-standard models load correctly.
 * @module
 */
import { CheckpointError } from './errors.ts';
import { fusesSpeakerEmbedding, type VitsSovitsVersion } from './sovits-version.ts';
import type { ConfigReader } from './plain.ts';
import { countIndexed, shapeOf, type TensorStore } from './tensor-store.ts';

export interface SovitsEncoderArchitecture {
  /** Layers of `enc_p.encoder_ssl`, `enc_p.encoder_text`, `enc_p.encoder2` (n/2, n, n/2 in GPT-SoVITS). */
  readonly sslLayers: number;
  readonly textLayers: number;
  readonly encoder2Layers: number;
  /** Relative-position attention window (4): `emb_rel_k` has 2 x window + 1 rows. */
  readonly window: number;
}

/**
 * v2Pro/v2ProPlus speaker fusion: `ge = PReLU(ref_enc(spec) + sv_emb(embedding))` with `sv_emb` a Linear from the
 * ERes2NetV2 embedding (20480) to gin, and MRTE reads `ge_to512(ge)` (Linear gin -> MRTE width) instead of `ge`.
 */
export interface SovitsSpeakerFusion {
  /** Width of the speaker-verification embedding `sv_emb` takes (20480). */
  readonly embeddingDim: number;
}

/** What every SoVITS version shares: the prompt extractor, the text encoder `enc_p` with MRTE, the reference encoder. */
export interface SovitsPriorArchitecture {
  /** Phone symbol table size: 322 (v1) or 732 (v2). */
  readonly symbols: number;
  /** HuBERT feature width (768). */
  readonly sslDim: number;
  readonly interChannels: number;
  readonly hiddenChannels: number;
  readonly filterChannels: number;
  readonly nHeads: number;
  /** FFN conv kernel of the text encoders (3). */
  readonly kernelSize: number;
  readonly encoder: SovitsEncoderArchitecture;
  /** Global (speaker) conditioning width. */
  readonly ginChannels: number;
  /** MRTE cross-attention: hidden width (= gin, or ge_to512's output for v2Pro) and heads (4, hard-coded in GPT-SoVITS). */
  readonly mrte: { readonly hiddenChannels: number; readonly heads: number };
  /** MelStyleEncoder: input spectrogram bins (704 v2 / 1025 v1), hidden (128), heads (2), conv kernel (5). */
  readonly refEncoder: { readonly inputBins: number; readonly hiddenChannels: number; readonly heads: number; readonly kernelSize: number };
  readonly quantizer: { readonly layers: number; readonly codebookSize: number; readonly codebookDim: number };
  /** The 50 -> 25 Hz `ssl_proj` conv used by extract_latent (kernel = stride: 2 for 25hz, 1 for 50hz). */
  readonly sslProj: { readonly kernelSize: number; readonly stride: number };
  readonly semanticFrameRate: string;
}

export interface SovitsArchitecture extends SovitsPriorArchitecture {
  readonly version: VitsSovitsVersion;
  /** v2Pro/v2ProPlus only. */
  readonly speakerFusion: SovitsSpeakerFusion | null;
  readonly decoder: {
    readonly resblock: '1';
    readonly upsampleInitialChannel: number;
    readonly upsampleRates: readonly number[];
    readonly upsampleKernelSizes: readonly number[];
    /** Output channels of each upsampling stage (512 -> 256, 128, 64, 32, 16). */
    readonly upsampleChannels: readonly number[];
    readonly resblockKernelSizes: readonly number[];
    readonly resblockDilationSizes: readonly (readonly number[])[];
    readonly convPreKernel: number;
    readonly convPostKernel: number;
  };
  readonly flow: {
    /** Indices of the coupling layers in `flow.flows` (0, 2, 4, 6; Flip modules in between). */
    readonly layerIndices: readonly number[];
    readonly hiddenChannels: number;
    readonly wnLayers: number;
    readonly wnKernelSize: number;
    readonly wnDilationRate: number;
    readonly meanOnly: boolean;
  };
  readonly samplingRate: number;
  readonly hopLength: number;
  readonly filterLength: number;
  readonly winLength: number;
  /** filterLength / 2 + 1 (1025). */
  readonly specChannels: number;
}

/** GPT-SoVITS constants no tensor shape reveals. */
const MRTE_HEADS = 4;
const REF_ENCODER_HEADS = 2;
const FLOW_DILATION_RATE = 1;
const REF_ENCODER_V2_BINS = 704;

function fail(weights: TensorStore, tensor: string, message: string): never {
  throw new CheckpointError(weights.file, message, { tensor });
}

function flowIndices(weights: TensorStore): number[] {
  const indices = weights.names().flatMap((name) => {
    const match = /^flow\.flows\.(\d+)\.pre\.weight$/.exec(name);
    return match?.[1] === undefined ? [] : [Number(match[1])];
  });
  return indices.sort((a, b) => a - b);
}

function sameList(config: ConfigReader, path: string, actual: readonly number[], tensor: string): void {
  const declared = config.get(path);
  if (declared !== undefined && JSON.stringify(declared) !== JSON.stringify(actual)) {
    throw new CheckpointError(config.file, `config field '${path}' is ${JSON.stringify(declared)} but tensor '${tensor}' implies ${JSON.stringify(actual)}`);
  }
}

/** v2Pro's three fusion layers, checked against gin and the MRTE width they connect. */
function deriveSpeakerFusion(weights: TensorStore, version: VitsSovitsVersion, gin: number, mrteHidden: number): SovitsSpeakerFusion {
  const [svOut = 0, embeddingDim = 0] = shapeOf(weights, 'sv_emb.weight', 2);
  const [toMrte = 0, fromGe = 0] = shapeOf(weights, 'ge_to512.weight', 2);
  if (svOut !== gin) fail(weights, 'sv_emb.weight', `projects to ${svOut} channels; a ${version} model with gin_channels ${gin} adds it to ge`);
  if (fromGe !== gin) fail(weights, 'ge_to512.weight', `takes ${fromGe} channels; ge has gin_channels ${gin}`);
  if (toMrte !== mrteHidden) fail(weights, 'ge_to512.weight', `gives ${toMrte} channels but the MRTE width (enc_p.mrte.c_pre.weight) is ${mrteHidden}`);
  return { embeddingDim };
}

/**
 * The parts every version shares, checked against the config where it states them. `gin` is read by the caller from
 * the tensor its version conditions on.
 */
export function deriveSovitsPrior(weights: TensorStore, config: ConfigReader, gin: { readonly channels: number; readonly tensor: string }, version: string): SovitsPriorArchitecture {
  const refBins = referenceBins(version, config);
  const [symbols = 0, hiddenChannels = 0] = shapeOf(weights, 'enc_p.text_embedding.weight', 2);
  const [, sslDim = 0] = shapeOf(weights, 'enc_p.ssl_proj.weight', 3);
  const [projOut = 0] = shapeOf(weights, 'enc_p.proj.weight', 3);
  const [, window2 = 0, headDim = 0] = shapeOf(weights, 'enc_p.encoder_text.attn_layers.0.emb_rel_k', 3);
  const [filterChannels = 0, , kernelSize = 0] = shapeOf(weights, 'enc_p.encoder_text.ffn_layers.0.conv_1.weight', 3);
  const [mrteHidden = 0] = shapeOf(weights, 'enc_p.mrte.c_pre.weight', 3);
  const [refHidden = 0, inputBins = 0] = shapeOf(weights, 'ref_enc.spectral.0.fc.weight', 2);
  const [, , refKernel = 0] = shapeOf(weights, 'ref_enc.temporal.0.conv1.conv.weight', 3);
  const [codebookSize = 0, codebookDim = 0] = shapeOf(weights, 'quantizer.vq.layers.0._codebook.embed', 2);
  const [, , sslProjKernel = 0] = shapeOf(weights, 'ssl_proj.weight', 3);
  const interChannels = projOut / 2;
  if (headDim === 0 || hiddenChannels % headDim !== 0) fail(weights, 'enc_p.encoder_text.attn_layers.0.emb_rel_k', `head width ${headDim} does not divide ${hiddenChannels}`);
  const nHeads = hiddenChannels / headDim;
  if (inputBins !== refBins) fail(weights, 'ref_enc.spectral.0.fc.weight', `takes ${inputBins} spectrogram bins; a ${version} model takes ${refBins}`);
  config.expectMatches('model.hidden_channels', hiddenChannels, 'enc_p.text_embedding.weight');
  config.expectMatches('model.inter_channels', interChannels, 'enc_p.proj.weight');
  config.expectMatches('model.filter_channels', filterChannels, 'enc_p.encoder_text.ffn_layers.0.conv_1.weight');
  config.expectMatches('model.kernel_size', kernelSize, 'enc_p.encoder_text.ffn_layers.0.conv_1.weight');
  config.expectMatches('model.n_heads', nHeads, 'enc_p.encoder_text.attn_layers.0.emb_rel_k');
  config.expectMatches('model.gin_channels', gin.channels, gin.tensor);
  return {
    symbols,
    sslDim,
    interChannels,
    hiddenChannels,
    filterChannels,
    nHeads,
    kernelSize,
    encoder: {
      sslLayers: countIndexed(weights, (i) => `enc_p.encoder_ssl.attn_layers.${i}.conv_q.weight`),
      textLayers: countIndexed(weights, (i) => `enc_p.encoder_text.attn_layers.${i}.conv_q.weight`),
      encoder2Layers: countIndexed(weights, (i) => `enc_p.encoder2.attn_layers.${i}.conv_q.weight`),
      window: (window2 - 1) / 2,
    },
    ginChannels: gin.channels,
    mrte: { hiddenChannels: mrteHidden, heads: MRTE_HEADS },
    refEncoder: { inputBins, hiddenChannels: refHidden, heads: REF_ENCODER_HEADS, kernelSize: refKernel },
    quantizer: { layers: countIndexed(weights, (i) => `quantizer.vq.layers.${i}._codebook.embed`), codebookSize, codebookDim },
    sslProj: { kernelSize: sslProjKernel, stride: sslProjKernel },
    semanticFrameRate: config.string('model.semantic_frame_rate', '25hz'),
  };
}

/** The reference encoder's input bins: all 1025 for v1, the first 704 from v2 on. */
export function referenceBins(version: string, config: ConfigReader): number {
  return version === 'v1' ? config.int('data.filter_length') / 2 + 1 : REF_ENCODER_V2_BINS;
}

export function deriveSovitsArchitecture(weights: TensorStore, config: ConfigReader, version: VitsSovitsVersion): SovitsArchitecture {
  const [upsampleInitialChannel = 0, ginChannels = 0] = shapeOf(weights, 'dec.cond.weight', 3);
  const [, , convPreKernel = 0] = shapeOf(weights, 'dec.conv_pre.weight', 3);
  const prior = deriveSovitsPrior(weights, config, { channels: ginChannels, tensor: 'dec.cond.weight' }, version);
  const mrteHidden = prior.mrte.hiddenChannels;
  const speakerFusion = fusesSpeakerEmbedding(version) ? deriveSpeakerFusion(weights, version, ginChannels, mrteHidden) : null;
  if (speakerFusion === null && mrteHidden !== ginChannels) {
    fail(weights, 'enc_p.mrte.c_pre.weight', `MRTE width ${mrteHidden} differs from gin_channels ${ginChannels}; GPT-SoVITS adds the speaker embedding to it`);
  }
  const upsampleRates = config.intList('model.upsample_rates');
  const stages = countIndexed(weights, (i) => `dec.ups.${i}.weight`);
  if (stages !== upsampleRates.length) fail(weights, `dec.ups.${stages}.weight`, `the decoder has ${stages} upsampling layers but config field 'model.upsample_rates' lists ${upsampleRates.length}`);
  const upsampleKernelSizes: number[] = [];
  const upsampleChannels: number[] = [];
  for (let i = 0; i < stages; i += 1) {
    const [, out = 0, kernel = 0] = shapeOf(weights, `dec.ups.${i}.weight`, 3);
    upsampleChannels.push(out);
    upsampleKernelSizes.push(kernel);
  }
  const resblocks = countIndexed(weights, (i) => `dec.resblocks.${i}.convs1.0.weight`);
  if (stages === 0 || resblocks % stages !== 0) fail(weights, 'dec.resblocks.0.convs1.0.weight', `${resblocks} resblocks do not split evenly over ${stages} upsampling stages`);
  if (weights.info('dec.resblocks.0.convs.0.weight') !== undefined) fail(weights, 'dec.resblocks.0.convs.0.weight', "is a resblock type '2' layer; only type '1' (GPT-SoVITS's) is supported");
  const perStage = resblocks / stages;
  const resblockKernelSizes = Array.from({ length: perStage }, (_, j) => shapeOf(weights, `dec.resblocks.${j}.convs1.0.weight`, 3)[2] ?? 0);
  const resblockDilationSizes = config.intLists('model.resblock_dilation_sizes');
  if (resblockDilationSizes.length !== perStage) {
    fail(weights, `dec.resblocks.${perStage - 1}.convs1.0.weight`, `there are ${perStage} resblocks per stage but config field 'model.resblock_dilation_sizes' has ${resblockDilationSizes.length} entries`);
  }
  const hop = upsampleRates.reduce((a, b) => a * b, 1);
  const hopLength = config.int('data.hop_length');
  if (hop !== hopLength) throw new CheckpointError(config.file, `config upsample_rates multiply to ${hop} but data.hop_length is ${hopLength}`);
  const [, lastChannels = 0, convPostKernel = 0] = shapeOf(weights, 'dec.conv_post.weight', 3);
  if (lastChannels !== upsampleChannels.at(-1)) fail(weights, 'dec.conv_post.weight', `takes ${lastChannels} channels; the last upsampling stage gives ${upsampleChannels.at(-1) ?? 0}`);

  const layerIndices = flowIndices(weights);
  const firstFlow = `flow.flows.${layerIndices[0] ?? 0}`;
  const [flowHidden = 0] = shapeOf(weights, `${firstFlow}.pre.weight`, 3);
  const [postOut = 0] = shapeOf(weights, `${firstFlow}.post.weight`, 3);
  const [, , wnKernelSize = 0] = shapeOf(weights, `${firstFlow}.enc.in_layers.0.weight`, 3);
  const wnLayers = countIndexed(weights, (i) => `${firstFlow}.enc.in_layers.${i}.weight`);

  config.expectMatches('model.upsample_initial_channel', upsampleInitialChannel, 'dec.cond.weight');
  config.expectMatches('model.resblock', '1', 'dec.resblocks.0.convs1.0.weight');
  sameList(config, 'model.upsample_kernel_sizes', upsampleKernelSizes, 'dec.ups.*.weight');
  sameList(config, 'model.resblock_kernel_sizes', resblockKernelSizes, 'dec.resblocks.*.convs1.0.weight');
  const filterLength = config.int('data.filter_length');
  return {
    ...prior,
    version,
    speakerFusion,
    decoder: {
      resblock: '1',
      upsampleInitialChannel,
      upsampleRates,
      upsampleKernelSizes,
      upsampleChannels,
      resblockKernelSizes,
      resblockDilationSizes,
      convPreKernel,
      convPostKernel,
    },
    flow: { layerIndices, hiddenChannels: flowHidden, wnLayers, wnKernelSize, wnDilationRate: FLOW_DILATION_RATE, meanOnly: postOut === prior.interChannels / 2 },
    samplingRate: config.int('data.sampling_rate'),
    hopLength,
    filterLength,
    winLength: config.int('data.win_length', filterLength),
    specChannels: filterLength / 2 + 1,
  };
}
