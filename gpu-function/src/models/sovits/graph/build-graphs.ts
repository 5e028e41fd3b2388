/**
 * The three SoVITS graphs: prompt extraction, reference encoder and decoder, with the inputs and outputs declared in
 * `io.ts`. Weights are referenced by checkpoint name and loaded by the writer.
 * @module
 */
import { GraphBuilder } from '../../../onnx/graph-builder.ts';
import type { Precision, Value, WeightSource } from '../../../onnx/values.ts';
import { samplesPerFrame, validateSovitsDims, type SovitsDims } from '../config.ts';
import { SOVITS_DECODER_IO, SOVITS_EXTRACT_IO, refEncoderIo, type GraphIo, type IoDim } from '../io.ts';
import { reverseFlow } from './flow.ts';
import { fuseSpeakerEmbedding } from './speaker-fusion.ts';
import { generator } from './generator.ts';
import { melStyleEncoder } from './ref-encoder.ts';
import { SovitsOps } from './sovits-ops.ts';
import { spectrogram } from './spectrogram.ts';
import { textEncoder } from './text-encoder.ts';

export interface SovitsGraphOptions {
  readonly weights: WeightSource;
  readonly dims: SovitsDims;
  readonly precision: Precision;
  /** Also output the decoder's intermediates (`enc_p_x`, `m_p`, `logs_p`, `z`), for conformance tests. */
  readonly intermediates?: boolean;
}

interface Declared {
  readonly g: GraphBuilder;
  readonly op: SovitsOps;
  readonly inputs: Readonly<Record<string, Value>>;
  output(name: string, value: Value): void;
  /** An output outside the contract (test intermediates). */
  extra(name: string, value: Value): void;
}

/** A builder with `io`'s inputs declared; model widths replace the named dims. */
function declare(io: GraphIo, options: SovitsGraphOptions): Declared {
  const { dims } = options;
  validateSovitsDims(dims);
  const widths: Readonly<Record<string, number>> = {
    ssl_dim: dims.sslDim,
    gin: dims.gin,
    inter: dims.inter,
    bins: dims.refEncoder.bins,
    ...(dims.speakerFusion === null ? {} : { sv_dim: dims.speakerFusion.embeddingDim }),
  };
  const resolve = (list: readonly IoDim[]): IoDim[] => list.map((d) => (typeof d === 'string' ? (widths[d] ?? d) : d));
  const g = new GraphBuilder({ name: io.file.replace(/\.onnx$/, ''), weights: options.weights, precision: options.precision });
  const inputs: Record<string, Value> = {};
  for (const spec of io.inputs) inputs[spec.name] = g.input(spec.name, spec.dtype, resolve(spec.dims));
  return {
    g,
    op: new SovitsOps(g),
    inputs,
    output(name, value) {
      const spec = io.outputs.find((o) => o.name === name);
      if (spec === undefined) throw new Error(`${io.file} declares no output ${name}`);
      g.output(value, name, resolve(spec.dims));
    },
    extra(name, value) {
      g.output(value, name);
    },
  };
}

function input(d: Declared, name: string): Value {
  const value = d.inputs[name];
  if (value === undefined) throw new Error(`graph input ${name} is not declared`);
  return value;
}

/**
 * `extract_latent`: ssl_proj (k2 s2) and the nearest codebook row. Computed in fp32 in both variants: the codes are
 * discrete and must not flip on fp16 rounding (and `|x|^2` over 768 channels can exceed the fp16 range).
 */
export function buildExtractGraph(options: SovitsGraphOptions): GraphBuilder {
  const d = declare(SOVITS_EXTRACT_IO, options);
  const extracted = extractCodes(d.op, input(d, 'ssl'), input(d, 'ssl_lengths'));
  d.output('codes', extracted.codes);
  d.output('code_lengths', extracted.codeLengths);
  return d.g;
}

/** The extract graph's body (`ssl [B, ssl_dim, T50]` float32, `ssl_lengths [B]`), shared with the v3/v4 graphs. */
export function extractCodes(op: SovitsOps, ssl: Value, lengths: Value): { readonly codes: Value; readonly codeLengths: Value } {
  const weight = op.toFloat32(op.g.weight('ssl_proj.weight'));
  const bias = op.toFloat32(op.g.weight('ssl_proj.bias'));
  const projected = op.transpose(op.conv(ssl, weight, bias, { stride: 2 }), [0, 2, 1]); // [B, T25, 768]
  const embed = op.toFloat32(op.g.weight('quantizer.vq.layers.0._codebook.embed')); // [1024, 768]
  const xx = op.reduceSum(op.mul(projected, projected), [2]); // [B, T25, 1]
  const xe = op.matMul(projected, op.transpose(embed, [1, 0])); // [B, T25, 1024]
  const ee = op.unsqueeze(op.reduceSum(op.mul(embed, embed), [1], false), [0, 1]); // [1, 1, 1024]
  const score = op.neg(op.add(op.sub(xx, op.mul(op.float32([2], []), xe)), ee));
  const codeLengths = op.div(lengths, op.i64Scalar(2));
  const valid = op.lengthMask(codeLengths, op.dimScalar(projected, 1)); // [B, T25]
  return { codes: op.where(valid, op.argMax(score, 2), op.i64Scalar(0)), codeLengths };
}

/** `ref_audio` -> spectrogram -> `ref_enc` -> `ge` (v2Pro: fused with `sv_emb`). */
export function buildRefEncoderGraph(options: SovitsGraphOptions): GraphBuilder {
  const fuses = options.dims.speakerFusion !== null;
  const d = declare(refEncoderIo(fuses), options);
  const { op } = d;
  const spec = spectrogram(op, input(d, 'ref_audio'), input(d, 'ref_lengths'), options.dims.refEncoder.bins);
  const valid = op.lengthMask(spec.lengths, op.dimScalar(spec.magnitude, 2)); // [B, F]
  const style = melStyleEncoder(op, op.toCompute(spec.magnitude), valid, spec.lengths, options.dims.refEncoder);
  d.output('ge', fuses ? fuseSpeakerEmbedding(op, style, input(d, 'sv_emb'), options.dims.gin) : style);
  d.output('spec', op.mul(spec.magnitude, op.cast(op.unsqueeze(valid, [1]), 'float32')));
  d.output('spec_lengths', spec.lengths);
  return d.g;
}

/** Tokens + phones + ge + noise -> audio, as `SynthesizerTrn.decode` per batch row. */
export function buildDecoderGraph(options: SovitsGraphOptions): GraphBuilder {
  const d = declare(SOVITS_DECODER_IO, options);
  const { op } = d;
  const { dims } = options;
  const ge = op.toCompute(input(d, 'ge'));
  const noise = input(d, 'noise');
  const prior = textEncoder(
    op,
    {
      codes: input(d, 'codes'),
      codeLengths: input(d, 'code_lengths'),
      phones: input(d, 'phones'),
      phoneLengths: input(d, 'phone_lengths'),
      ge,
      speed: input(d, 'speed'),
      frames: op.dimScalar(noise, 2),
    },
    dims,
  );
  const scaledNoise = op.mul(op.mul(op.toCompute(noise), op.exp(prior.logs)), op.toCompute(input(d, 'noise_scale')));
  const zp = op.add(prior.m, scaledNoise); // [B, inter, F]
  const z = reverseFlow(op, zp, prior.mask, ge, dims.flow, dims.inter);
  const audio = generator(op, op.mul(z, prior.mask), ge, prior.lengths, dims.generator); // [B, 1, F * 640]
  d.output('audio', op.toFloat32(op.squeeze(audio, [1])));
  d.output('audio_lengths', op.mul(prior.lengths, op.i64Scalar(samplesPerFrame(dims))));
  if (options.intermediates === true) {
    d.extra('enc_p_x', op.toFloat32(prior.encoded));
    d.extra('m_p', op.toFloat32(prior.m));
    d.extra('logs_p', op.toFloat32(prior.logs));
    d.extra('z', op.toFloat32(z));
  }
  return d.g;
}
