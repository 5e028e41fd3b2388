/**
 * Derives {@link SovitsDims} from the tensor shapes of a SoVITS state dict (weight norm folded, `enc_q` absent).
 * Shapes are the only trustworthy source: the parity micro models override widths GPT-SoVITS hard-codes.
 * @module
 */
import { SOVITS_DEFAULTS, validateSovitsDims, type SovitsDims, type SovitsVersion } from './config.ts';

export interface ShapeSource {
  info(name: string): { readonly shape: readonly number[] } | undefined;
}

/** What only the checkpoint config knows; GPT-SoVITS's `s2.json` values are used where absent. */
export interface SovitsConfigHints {
  readonly version?: SovitsVersion;
  readonly upsampleRates?: readonly number[];
  readonly resblockDilations?: readonly (readonly number[])[];
}

const V1_SYMBOLS = 322;

export interface ShapeReader {
  /** The shape of `name`, which must exist with rank `rank` (errors name the model and the tensor). */
  readonly shape: (name: string, rank: number) => readonly number[];
  readonly dim: (name: string, rank: number, axis: number) => number;
  /** How many of `pattern(0)`, `pattern(1)`, ... exist, in a row. */
  readonly count: (pattern: (i: number) => string) => number;
}

export function shapeReader(weights: ShapeSource, what: string): ShapeReader {
  const shape = (name: string, rank: number): readonly number[] => {
    const info = weights.info(name);
    if (info === undefined) throw new Error(`${what} weights lack tensor ${name}`);
    if (info.shape.length !== rank) throw new Error(`${what} tensor ${name} has shape [${info.shape.join(', ')}], expected rank ${rank}`);
    return info.shape;
  };
  const dim = (name: string, rank: number, axis: number): number => shape(name, rank)[axis] ?? 0;
  const count = (pattern: (i: number) => string): number => {
    let n = 0;
    while (weights.info(pattern(n)) !== undefined) n += 1;
    return n;
  };
  return { shape, dim, count };
}

/** `enc_p`'s content path and the reference encoder, which every SoVITS version (v1 to v4) shares. */
export function contentEncoderDims(read: ShapeReader, what: string): Pick<SovitsDims, 'hidden' | 'encoder' | 'mrte' | 'refEncoder'> {
  const { shape, dim, count } = read;
  const relK = shape('enc_p.encoder_text.attn_layers.0.emb_rel_k', 3);
  const hidden = dim('enc_p.ssl_proj.weight', 3, 0);
  const headDim = relK[2] ?? 1;
  const heads = hidden / headDim;
  if (!Number.isInteger(heads)) throw new Error(`${what} hidden ${hidden} is not a multiple of the head width ${headDim}`);
  return {
    hidden,
    encoder: {
      sslLayers: count((i) => `enc_p.encoder_ssl.attn_layers.${i}.conv_q.weight`),
      textLayers: count((i) => `enc_p.encoder_text.attn_layers.${i}.conv_q.weight`),
      encoder2Layers: count((i) => `enc_p.encoder2.attn_layers.${i}.conv_q.weight`),
      heads,
      window: ((relK[1] ?? 1) - 1) / 2,
      filter: dim('enc_p.encoder_text.ffn_layers.0.conv_1.weight', 3, 0),
      ffnKernel: dim('enc_p.encoder_text.ffn_layers.0.conv_1.weight', 3, 2),
    },
    mrte: { hidden: dim('enc_p.mrte.c_pre.weight', 3, 0), heads: SOVITS_DEFAULTS.mrteHeads },
    refEncoder: {
      bins: dim('ref_enc.spectral.0.fc.weight', 2, 1),
      hidden: dim('ref_enc.spectral.0.fc.weight', 2, 0),
      heads: SOVITS_DEFAULTS.refEncoderHeads,
      kernel: dim('ref_enc.temporal.0.conv1.conv.weight', 3, 2),
      temporalLayers: count((i) => `ref_enc.temporal.${i}.conv1.conv.weight`),
    },
  };
}

export function sovitsDimsFromWeights(weights: ShapeSource, hints: SovitsConfigHints = {}): SovitsDims {
  const read = shapeReader(weights, 'SoVITS');
  const { dim, count } = read;

  const symbols = dim('enc_p.text_embedding.weight', 2, 0);
  const fuses = weights.info('sv_emb.weight') !== undefined;
  // v2ProPlus differs from v2Pro by its first upsampling kernel (20 instead of 16), as the reader decides.
  const proVersion = (): SovitsVersion => (dim('dec.ups.0.weight', 3, 2) === 20 ? 'v2ProPlus' : 'v2Pro');
  const version = hints.version ?? (fuses ? proVersion() : symbols === V1_SYMBOLS ? 'v1' : 'v2');
  const content = contentEncoderDims(read, 'SoVITS');
  const couplings: number[] = [];
  for (let i = 0; weights.info(`flow.flows.${i}.pre.weight`) !== undefined || weights.info(`flow.flows.${i + 1}.pre.weight`) !== undefined; i += 1) {
    if (weights.info(`flow.flows.${i}.pre.weight`) !== undefined) couplings.push(i);
  }
  if (couplings.length === 0) throw new Error('SoVITS weights lack tensor flow.flows.0.pre.weight');
  const stages = count((i) => `dec.ups.${i}.weight`);
  const resblocks = count((i) => `dec.resblocks.${i}.convs1.0.weight`);
  const kernelsPerStage = stages === 0 ? 0 : resblocks / stages;
  const resblockKernels = Array.from({ length: kernelsPerStage }, (_, j) => dim(`dec.resblocks.${j}.convs1.0.weight`, 3, 2));

  const dims: SovitsDims = {
    version,
    sslDim: dim('ssl_proj.weight', 3, 0),
    codebookSize: dim('quantizer.vq.layers.0._codebook.embed', 2, 0),
    symbols,
    hidden: content.hidden,
    inter: dim('enc_p.proj.weight', 3, 0) / 2,
    gin: dim('dec.cond.weight', 3, 1),
    encoder: content.encoder,
    mrte: content.mrte,
    speakerFusion: fuses ? { embeddingDim: dim('sv_emb.weight', 2, 1) } : null,
    refEncoder: content.refEncoder,
    flow: {
      couplings,
      hidden: dim(`flow.flows.${couplings[0] ?? 0}.pre.weight`, 3, 0),
      kernel: dim(`flow.flows.${couplings[0] ?? 0}.enc.in_layers.0.weight`, 3, 2),
      layers: count((i) => `flow.flows.${couplings[0] ?? 0}.enc.in_layers.${i}.weight`),
      dilationRate: SOVITS_DEFAULTS.flowDilationRate,
    },
    generator: {
      initialChannels: dim('dec.conv_pre.weight', 3, 0),
      upsampleRates: hints.upsampleRates ?? SOVITS_DEFAULTS.upsampleRates,
      upsampleKernels: Array.from({ length: stages }, (_, i) => dim(`dec.ups.${i}.weight`, 3, 2)),
      resblockKernels,
      resblockDilations: hints.resblockDilations ?? SOVITS_DEFAULTS.resblockDilations,
    },
  };
  if (!Number.isInteger(kernelsPerStage)) throw new Error(`SoVITS has ${resblocks} resblocks for ${stages} upsample stages`);
  validateSovitsDims(dims);
  return dims;
}
