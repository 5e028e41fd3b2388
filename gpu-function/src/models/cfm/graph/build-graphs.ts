/**
 * The SoVITS v3/v4 graphs after T2S, with the inputs and outputs declared in `io.ts`. Weights are referenced by
 * checkpoint name and loaded by the writer.
 * @module
 */
import type { GraphBuilder } from '../../../onnx/graph-builder.ts';
import type { Precision, Value, WeightSource } from '../../../onnx/values.ts';
import { extractCodes } from '../../sovits/graph/build-graphs.ts';
import { melStyleEncoder } from '../../sovits/graph/ref-encoder.ts';
import { spectrogram } from '../../sovits/graph/spectrogram.ts';
import { CFM_MEL, DIT_PREFIX, validateCfmDims, type CfmDims, type CfmVersion } from '../config.ts';
import { CFM_ENCP_IO, CFM_MEL_IO, CFM_STEP_IO, CFM_TEXT_IO, SOVITS_EXTRACT_IO, SOVITS_REF_ENCODER_IO } from '../io.ts';
import { declareGraph, type Declared } from './declare.ts';
import { ditVelocity, textEmbedding } from './dit.ts';
import { decodeEncp } from './encp.ts';
import { melSpectrogram } from './mel.ts';

export interface CfmGraphOptions {
  readonly weights: WeightSource;
  readonly dims: CfmDims;
  readonly precision: Precision;
  /** Also output intermediates (for conformance tests): encp `enc_p_x`; step `v` and the DiT's named activations. */
  readonly intermediates?: boolean;
  /** Checkpoint prefix of the DiT (default `cfm.estimator`). */
  readonly ditPrefix?: string;
}

function declare(io: Parameters<typeof declareGraph>[0], options: CfmGraphOptions): Declared {
  const { dims } = options;
  validateCfmDims(dims);
  const widths = { gin: dims.encp.gin, fea_dim: dims.encp.wns1.out, mel_dim: dims.dit.melDim, bins: dims.encp.refEncoder.bins, ssl_dim: dims.encp.sslDim };
  return declareGraph(io, widths, options);
}

/**
 * `sovits-extract` for v3/v4 (`SynthesizerTrnV3.extract_latent`: the same `ssl_proj` and codebook as v2, fp32): the v2
 * graph's contract and body.
 */
export function buildCfmExtractGraph(options: CfmGraphOptions): GraphBuilder {
  const d = declare(SOVITS_EXTRACT_IO, options);
  const extracted = extractCodes(d.op, d.input('ssl'), d.input('ssl_lengths'));
  d.output('codes', extracted.codes);
  d.output('code_lengths', extracted.codeLengths);
  return d.g;
}

/**
 * `sovits-ref-encoder` for v3/v4 (`SynthesizerTrnV3.ref_enc`, a MelStyleEncoder on 704 bins of the 32 kHz
 * reference's SoVITS spectrogram, no speaker fusion): the v2 graph's contract and layers.
 */
export function buildCfmRefEncoderGraph(options: CfmGraphOptions): GraphBuilder {
  const d = declare(SOVITS_REF_ENCODER_IO, options);
  const { op } = d;
  const spec = spectrogram(op, d.input('ref_audio'), d.input('ref_lengths'), options.dims.encp.refEncoder.bins);
  const valid = op.lengthMask(spec.lengths, op.dimScalar(spec.magnitude, 2)); // [B, F]
  d.output('ge', melStyleEncoder(op, op.toCompute(spec.magnitude), valid, spec.lengths, options.dims.encp.refEncoder));
  d.output('spec', op.mul(spec.magnitude, op.cast(op.unsqueeze(valid, [1]), 'float32')));
  d.output('spec_lengths', spec.lengths);
  return d.g;
}

/** `cfm-mel`: the normalised prompt mel. No weights; float32 whatever the precision. */
export function buildCfmMelGraph(options: { readonly version: CfmVersion; readonly intermediates?: boolean }): GraphBuilder {
  const spec = CFM_MEL[options.version];
  const d = declareGraph(CFM_MEL_IO, { mel_dim: spec.mels }, { precision: 'fp32' });
  const mel = melSpectrogram(d.op, d.input('ref_audio'), d.input('ref_lengths'), spec);
  d.output('mel', mel.normalized);
  d.output('mel_lengths', mel.lengths);
  if (options.intermediates === true) d.extra('log_mel', mel.logMel);
  return d.g;
}

/** `cfm-encp`: `decode_encp` per row. */
export function buildCfmEncpGraph(options: CfmGraphOptions): GraphBuilder {
  const d = declare(CFM_ENCP_IO, options);
  const { op } = d;
  const out = decodeEncp(
    op,
    {
      codes: d.input('codes'),
      codeLengths: d.input('code_lengths'),
      phones: d.input('phones'),
      phoneLengths: d.input('phone_lengths'),
      ge: op.toCompute(d.input('ge')),
      speed: d.input('speed'),
    },
    options.dims.encp,
  );
  d.output('fea', op.toFloat32(out.fea));
  d.output('fea_lengths', out.lengths);
  if (options.intermediates === true) d.extra('enc_p_x', op.toFloat32(out.encoded));
  return d.g;
}

/** `cfm-text`: the DiT's text embedding of `mu`, once per chunk. */
export function buildCfmTextGraph(options: CfmGraphOptions): GraphBuilder {
  const d = declare(CFM_TEXT_IO, options);
  const { op } = d;
  const mu = d.input('mu');
  const valid = op.lengthMask(d.input('lengths'), op.dimScalar(mu, 1)); // [B, N]
  const text = textEmbedding(op, op.toCompute(mu), valid, options.dims.dit, { prefix: options.ditPrefix ?? DIT_PREFIX });
  d.output('text_embed', op.toFloat32(text));
  return d.g;
}

/** `cfm-step`: one Euler step of CFM.inference, every row at its own `t`, `d`, length and prompt length. */
export function buildCfmStepGraph(options: CfmGraphOptions): GraphBuilder {
  const d = declare(CFM_STEP_IO, options);
  const { op } = d;
  const x = d.input('x'); // [B, mel, N]
  const frames = op.dimScalar(x, 2);
  const valid = op.lengthMask(d.input('x_lens'), frames); // [B, N]
  const promptLens = d.input('prompt_lens');
  const inPrompt = op.lengthMask(promptLens, frames);
  const generated = op.cast(op.unsqueeze(op.and(valid, op.not(inPrompt)), [1]), 'float32'); // [B, 1, N]
  const prompt = op.cast(op.unsqueeze(op.and(valid, inPrompt), [1]), 'float32');
  const state = op.mul(x, generated); // GPT-SoVITS keeps x zero over the prompt
  const cond = op.mul(d.input('cond'), prompt);
  const timeMajor = (value: Value): Value => op.toCompute(op.transpose(value, [0, 2, 1])); // [B, N, mel]
  const tap = options.intermediates === true ? (name: string, value: Value): void => { d.extra(`dit_${name}`, op.toFloat32(value)); } : undefined;
  const velocity = ditVelocity(
    op,
    { x: timeMajor(state), cond: timeMajor(cond), text: op.toCompute(d.input('text_embed')), valid, t: d.input('t'), d: d.input('d') },
    options.dims.dit,
    { prefix: options.ditPrefix ?? DIT_PREFIX },
    tap,
  ); // [B, N, mel]
  const v = op.transpose(op.toFloat32(velocity), [0, 2, 1]); // [B, mel, N]
  const step = op.unsqueeze(d.input('d'), [1, 2]); // [B, 1, 1]
  d.output('x_next', op.mul(op.add(state, op.mul(step, v)), generated));
  if (options.intermediates === true) d.extra('v', op.mul(op.toFloat32(velocity), op.transpose(op.cast(op.unsqueeze(valid, [1]), 'float32'), [0, 2, 1])));
  return d.g;
}
