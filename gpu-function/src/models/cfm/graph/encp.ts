/**
 * `SynthesizerTrnV3.decode_encp` per batch row: `enc_p`'s content path (the v2 text encoder's codebook lookup, SSL and
 * text encoders, MRTE with `ge`, encoder2 and the per-row speed resize: `sovits/graph/text-encoder.ts`), then
 * `bridge` (Conv1d + LeakyReLU with PyTorch's default slope 0.01), nearest upsampling by 2 (v4) or 1.875 (v3) and
 * `wns1` (`models.Encoder`: pre, a WaveNet conditioned on `ge`, proj) under the mask `sequence_mask(sizee)`.
 *
 * Nearest indexing follows PyTorch's `upsample_nearest1d` with a scale factor: output `floor(L · s)` frames, source
 * index `floor(dst · float32(1 / s))` in float32, which is not `floor(dst · L / out)` for 1.875.
 *
 * Batching: the upsampled features past a row's own frame count come from padding; wns1's mask (per row the
 * smaller of `sizee` and the row's frames) zeroes them before its first convolution, so each row equals its own run.
 * @module
 */
import type { Value } from '../../../onnx/values.ts';
import { waveNet } from '../../sovits/graph/flow.ts';
import { conv1d } from '../../sovits/graph/layers.ts';
import type { SovitsOps } from '../../sovits/graph/sovits-ops.ts';
import { resizedLengths } from '../../sovits/graph/speed.ts';
import { encodeContent } from '../../sovits/graph/text-encoder.ts';
import type { CfmEncpDims } from '../config.ts';

/** `nn.LeakyReLU()`'s default negative slope (`bridge = Sequential(Conv1d, LeakyReLU())`). */
export const BRIDGE_LEAKY_SLOPE = 0.01;

export interface EncpInputs {
  readonly codes: Value; // [B, T] int64
  readonly codeLengths: Value; // [B] int64
  readonly phones: Value; // [B, N] int64
  readonly phoneLengths: Value; // [B] int64
  readonly ge: Value; // [B, gin, 1] compute type
  readonly speed: Value; // [B] float64
}

export interface EncpOutput {
  readonly fea: Value; // [B, out, F] compute type, zero past each row's mask
  readonly lengths: Value; // [B] int64 frames per row
  /** `enc_p`'s returned x after the speed resize, `[B, hidden, L]` (test intermediate). */
  readonly encoded: Value;
}

export function decodeEncp(op: SovitsOps, inputs: EncpInputs, dims: CfmEncpDims): EncpOutput {
  const sslLengths = op.mul(inputs.codeLengths, op.i64Scalar(2));
  const resizedPerRow = resizedLengths(op, sslLengths, inputs.speed); // [B]
  // The batch's width after the resize: the longest row (lengths are small integers, exact in float32).
  const width = op.cast(op.reduceMax(op.cast(resizedPerRow, 'float32'), [0], false), 'int64');
  const content = encodeContent(
    op,
    { codes: inputs.codes, codeLengths: inputs.codeLengths, phones: inputs.phones, phoneLengths: inputs.phoneLengths, ge: inputs.ge, speed: inputs.speed, frames: width },
    { ...dims, speakerFusion: null },
  );
  const bridged = op.leakyRelu(conv1d(op, content.resized, 'bridge.0'), BRIDGE_LEAKY_SLOPE); // [B, C2, L]

  const { upsampleNum: num, upsampleDen: den } = dims.frameRate;
  const upsampled = (lengths: Value): Value => op.div(op.mul(lengths, op.i64Scalar(num)), op.i64Scalar(den)); // floor(L · s)
  const frames = upsampled(width);
  const positions = op.arange(frames); // [F]
  const sourceIndex =
    num === 2 * den
      ? op.div(positions, op.i64Scalar(2))
      : op.cast(op.floor(op.mul(op.cast(positions, 'float32'), op.float32([Math.fround(den / num)], []))), 'int64');
  const source = op.min([sourceIndex, op.sub(width, op.i64Scalar(1))]);
  const fea = op.gather(bridged, source, 2); // [B, C2, F]

  const lengths = upsampled(content.lengths);
  const mask = op.channelMask(op.min([wns1MaskLengths(op, inputs.codeLengths, inputs.speed, dims), lengths]), fea); // [B, 1, F]
  const h = op.mul(conv1d(op, fea, 'wns1.pre'), mask);
  const encoded = waveNet(op, h, mask, inputs.ge, 'wns1.enc', dims.wns1);
  return { fea: op.mul(conv1d(op, encoded, 'wns1.proj'), mask), lengths, encoded: content.resized };
}

/** `sizee`: `int(T · f)` at speed 1, else `int(T · f / speed) + 1`, in float64 like Python (f = 4 or 3.875). */
function wns1MaskLengths(op: SovitsOps, codeLengths: Value, speed: Value, dims: CfmEncpDims): Value {
  const scaled = op.mul(op.cast(codeLengths, 'float64'), op.f64(dims.frameRate.maskFramesPerToken));
  const atSpeed1 = op.cast(op.floor(scaled), 'int64');
  const resized = op.add(op.cast(op.floor(op.div(scaled, speed)), 'int64'), op.i64Scalar(1));
  return op.where(op.equal(speed, op.f64(1)), atSpeed1, resized);
}
