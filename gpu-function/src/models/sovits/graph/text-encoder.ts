/**
 * `enc_p` (`models.TextEncoder`) for decoding: codebook lookup of the semantic tokens, x2 nearest upsampling,
 * SSL encoder, text encoder over the phones, MRTE with `ge` (v2Pro: `ge_to512(ge)`), encoder2, the per-row speed resize, and `proj` split into
 * the prior's mean and log-scale.
 * @module
 */
import type { Value } from '../../../onnx/values.ts';
import type { SovitsDims } from '../config.ts';
import { pairMask, relativeEncoder, type EncoderSpec } from './encoder.ts';
import { conv1d } from './layers.ts';
import { mrte } from './mrte.ts';
import { geForMrte } from './speaker-fusion.ts';
import { resizeFrames } from './speed.ts';
import type { SovitsOps } from './sovits-ops.ts';

export interface TextEncoderInputs {
  readonly codes: Value; // [B, T] int64
  readonly codeLengths: Value; // [B] int64
  readonly phones: Value; // [B, N] int64
  readonly phoneLengths: Value; // [B] int64
  readonly ge: Value; // [B, gin, 1] compute type
  readonly speed: Value; // [B] float64
  /** int64 scalar: output frames of the batch (the noise's last axis). */
  readonly frames: Value;
}

/** The widths {@link encodeContent} reads: the encoders, MRTE and (v2Pro) the speaker fusion. */
export type TextEncoderDims = Pick<SovitsDims, 'hidden' | 'encoder' | 'mrte' | 'speakerFusion'>;

/** `enc_p`'s content path, before its prior projection. */
export interface EncodedContent {
  readonly encoded: Value; // [B, hidden, 2T] encoder2 output (before the speed resize)
  /** `[B, hidden, F]` after the per-row speed resize (`TextEncoder.forward`'s returned `y`); F = `frames`. */
  readonly resized: Value;
  readonly mask: Value; // [B, 1, F] float
  readonly lengths: Value; // [B] int64
}

export interface Prior {
  readonly encoded: Value; // [B, hidden, 2T] encoder2 output (before the speed resize)
  readonly m: Value; // [B, inter, F]
  readonly logs: Value; // [B, inter, F]
  readonly mask: Value; // [B, 1, F] float
  readonly lengths: Value; // [B] int64
}

/**
 * Codebook lookup, SSL/text encoders, MRTE, encoder2 and the speed resize: what `TextEncoder.forward` returns as `y`
 * (v3/v4's `decode_encp` uses it; v1/v2 project it to the prior in {@link textEncoder}).
 */
export function encodeContent(op: SovitsOps, inputs: TextEncoderInputs, dims: TextEncoderDims): EncodedContent {
  const encoderSpec = (name: string, layers: number): EncoderSpec => ({
    prefix: `enc_p.${name}`,
    layers,
    channels: dims.hidden,
    heads: dims.encoder.heads,
    window: dims.encoder.window,
    ffnKernel: dims.encoder.ffnKernel,
  });
  // quantizer.decode + F.interpolate(scale 2, nearest): each token's codebook row twice.
  const repeatShape = op.concat([op.shape(inputs.codes), op.i64([2])], 0);
  const doubled = op.reshape(op.expand(op.unsqueeze(inputs.codes, [2]), repeatShape), [0, -1]); // [B, 2T]
  const embed = op.g.weight('quantizer.vq.layers.0._codebook.embed'); // [1024, 768]
  const quantized = op.transpose(op.gather(embed, doubled), [0, 2, 1]); // [B, 768, 2T]

  const sslLengths = op.mul(inputs.codeLengths, op.i64Scalar(2));
  const sslValid = op.lengthMask(sslLengths, op.dimScalar(doubled, 1)); // [B, 2T]
  const sslMask = op.cast(op.unsqueeze(sslValid, [1]), op.g.floatType); // [B, 1, 2T]
  const sslKeep = pairMask(op, sslValid, sslValid);
  let ssl = op.mul(conv1d(op, op.mul(quantized, sslMask), 'enc_p.ssl_proj'), sslMask); // [B, H, 2T]
  ssl = relativeEncoder(op, ssl, sslMask, sslKeep, encoderSpec('encoder_ssl', dims.encoder.sslLayers));

  const textValid = op.lengthMask(inputs.phoneLengths, op.dimScalar(inputs.phones, 1)); // [B, N]
  const textMask = op.cast(op.unsqueeze(textValid, [1]), op.g.floatType); // [B, 1, N]
  const embedded = op.transpose(op.gather(op.g.weight('enc_p.text_embedding.weight'), inputs.phones), [0, 2, 1]); // [B, H, N]
  const text = relativeEncoder(op, embedded, textMask, pairMask(op, textValid, textValid), encoderSpec('encoder_text', dims.encoder.textLayers));

  const mrteGe = dims.speakerFusion === null ? inputs.ge : geForMrte(op, inputs.ge);
  const fused = mrte(op, { ssl, sslMask, sslValid, text, textMask, textValid, ge: mrteGe }, 'enc_p.mrte', dims.mrte.heads, dims.mrte.hidden);
  const encoded = relativeEncoder(op, fused, sslMask, sslKeep, encoderSpec('encoder2', dims.encoder.encoder2Layers)); // [B, H, 2T]

  const resized = resizeFrames(op, encoded, sslLengths, inputs.speed, inputs.frames); // [B, H, F]
  const mask = op.cast(op.unsqueeze(op.lengthMask(resized.lengths, inputs.frames), [1]), op.g.floatType); // [B, 1, F]
  return { encoded, resized: resized.x, mask, lengths: resized.lengths };
}

export function textEncoder(op: SovitsOps, inputs: TextEncoderInputs, dims: SovitsDims): Prior {
  const { encoded, resized, mask, lengths } = encodeContent(op, inputs, dims);
  const stats = op.mul(conv1d(op, resized, 'enc_p.proj'), mask); // [B, 2 * inter, F]
  const [m, logs] = op.split(stats, [dims.inter, dims.inter], 1) as [Value, Value];
  return { encoded, m, logs, mask, lengths };
}
