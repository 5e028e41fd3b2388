/**
 * v3's vocoder, BigVGAN v2 (`bigvgan.py`): conv_pre, per stage a transposed convolution and the mean of its
 * AMPBlock1s (each three × [alias-free Snake/SnakeBeta, dilated conv, alias-free activation, conv] with a residual),
 * then a final alias-free activation, conv_post and `clamp(-1, 1)` (or tanh). `Activation1d` = replicate-pad 5 → ×2
 * depthwise ConvTranspose with the stored 12-tap Kaiser-sinc filter (times 2, cropped 15 each side) → the activation →
 * replicate-pad (5, 6) → the stored 12-tap low-pass, stride 2.
 *
 * Batching: a single GPT-SoVITS run sees zeros past its end at each convolution and its last sample repeated at each
 * replicate pad. In a padded batch every convolution input is zeroed past the row's length (at that stage's rate) and
 * before each replicate pad the row is extended with its own last sample (a per-row gather), so each row computes
 * exactly what it would alone.
 * @module
 */
import type { GraphBuilder } from '../../../onnx/graph-builder.ts';
import type { Precision, Value, WeightSource } from '../../../onnx/values.ts';
import { declareGraph } from '../../cfm/graph/declare.ts';
import { conv1d } from '../../sovits/graph/layers.ts';
import type { SovitsOps } from '../../sovits/graph/sovits-ops.ts';
import { ALIAS_FREE_RATIO, type BigvganDims } from '../bigvgan-config.ts';
import { hopOf } from '../config.ts';
import { VOCODER_IO } from '../io.ts';

/** `SnakeBeta.no_div_by_zero`. */
const SNAKE_EPS = 1e-9;

export interface BigvganGraphOptions {
  readonly weights: WeightSource;
  readonly dims: BigvganDims;
  readonly precision: Precision;
}

export function buildBigvganVocoderGraph(options: BigvganGraphOptions): GraphBuilder {
  const { dims } = options;
  const d = declareGraph(VOCODER_IO, { mel_dim: dims.melChannels }, options);
  const { op } = d;
  const mel = d.input('mel');
  const lengths = d.input('mel_lengths');
  let rate = 1;
  const at = (factor: number): Value => op.mul(lengths, op.i64Scalar(factor)); // [B] samples at a rate
  const masked = (x: Value, factor: number): Value => op.mul(x, op.channelMask(at(factor), x));
  let x = masked(conv1d(op, masked(op.toCompute(mel), 1), 'conv_pre', { padding: 3 }), 1); // [B, C0, F]
  let channels = dims.initialChannels;
  const kernels = dims.resblockKernels.length;
  dims.upsampleRates.forEach((upsample, stage) => {
    const kernel = dims.upsampleKernels[stage] ?? upsample;
    const w = op.g.weight(`ups.${stage}.0.weight`);
    x = op.convTranspose(x, w, op.g.weight(`ups.${stage}.0.bias`), { stride: upsample, padding: (kernel - upsample) / 2 });
    rate *= upsample;
    channels = Math.floor(channels / 2);
    x = masked(x, rate);
    let sum: Value | undefined;
    for (let j = 0; j < kernels; j += 1) {
      const block = ampBlock1(op, x, at(rate), `resblocks.${stage * kernels + j}`, channels, dims.resblockKernels[j] ?? 3, dims.resblockDilations[j] ?? [], dims);
      sum = sum === undefined ? block : op.add(sum, block);
    }
    x = op.div(sum ?? x, op.float(kernels));
  });
  const activated = activation1d(op, x, at(rate), 'activation_post', channels, dims);
  let post = conv1d(op, masked(activated, rate), 'conv_post', { padding: 3 }); // [B, 1, F * hop]
  post = dims.tanhAtFinal ? op.tanh(post) : op.clip(post, op.float(-1), op.float(1));
  d.output('audio', op.toFloat32(op.squeeze(masked(post, rate), [1])));
  d.output('audio_lengths', op.mul(lengths, op.i64Scalar(hopOf(dims))));
  return d.g;
}

/** `AMPBlock1`: `x += c2(a2(c1(a1(x))))` for each dilation, every convolution input zeroed past `lengths`. */
function ampBlock1(op: SovitsOps, input: Value, lengths: Value, prefix: string, channels: number, kernel: number, dilations: readonly number[], dims: BigvganDims): Value {
  const mask = op.channelMask(lengths, input);
  let x = input;
  dilations.forEach((dilation, i) => {
    let t = activation1d(op, x, lengths, `${prefix}.activations.${2 * i}`, channels, dims);
    t = conv1d(op, op.mul(t, mask), `${prefix}.convs1.${i}`, { dilation, padding: ((kernel - 1) * dilation) / 2 });
    t = activation1d(op, op.mul(t, mask), lengths, `${prefix}.activations.${2 * i + 1}`, channels, dims);
    t = conv1d(op, op.mul(t, mask), `${prefix}.convs2.${i}`, { padding: (kernel - 1) / 2 });
    x = op.mul(op.add(t, x), mask);
  });
  return x;
}

/** `[B, C, W]` with positions `>= lengths[b]` replaced by row b's last valid sample (what replicate padding sees alone). */
function extendEdges(op: SovitsOps, x: Value, lengths: Value): Value {
  const positions = op.unsqueeze(op.arange(op.dimScalar(x, 2)), [0]); // [1, W]
  const last = op.unsqueeze(op.max([op.sub(lengths, op.i64Scalar(1)), op.i64Scalar(0)]), [1]); // [B, 1]
  const index = op.unsqueeze(op.min([positions, last]), [1]); // [B, 1, W]
  return op.gatherElements(x, op.expand(index, op.shape(x)), 2);
}

/**
 * `Activation1d`: `x [B, C, W]` valid up to `lengths` (samples at this rate) -> `[B, C, W]` (past the length: not
 * meaningful; callers mask).
 */
function activation1d(op: SovitsOps, x: Value, lengths: Value, prefix: string, channels: number, dims: BigvganDims): Value {
  const taps = dims.filterTaps;
  const ratio = ALIAS_FREE_RATIO;
  const depthwise = (name: string): Value => op.expand(op.g.weight(name), op.i64([channels, 1, taps])); // [C, 1, taps]
  // UpSample1d: pad = taps / ratio - 1 replicated each side; ratio · conv_transpose; crop pad·ratio + (taps - ratio) / 2.
  const pad = taps / ratio - 1;
  const crop = pad * ratio + (taps - ratio) / 2;
  const padded = op.pad(extendEdges(op, x, lengths), [0, 0, pad, 0, 0, pad], 'edge');
  const upsampled = op.mul(op.convTranspose(padded, depthwise(`${prefix}.upsample.filter`), null, { stride: ratio, padding: crop, groups: channels }), op.float(ratio));
  const activated = snake(op, upsampled, `${prefix}.act`, dims);
  // DownSample1d: LowPassFilter1d with replicate padding (taps/2 - 1, taps/2), stride 2.
  const extended = extendEdges(op, activated, op.mul(lengths, op.i64Scalar(ratio)));
  const lowPadded = op.pad(extended, [0, 0, taps / 2 - 1, 0, 0, taps / 2], 'edge');
  return op.conv(lowPadded, depthwise(`${prefix}.downsample.lowpass.filter`), null, { stride: ratio, groups: channels });
}

/** `SnakeBeta`: `x + 1 / (beta + 1e-9) · sin(x · alpha)^2` (`Snake`: beta = alpha), exp of log-scale parameters. */
function snake(op: SovitsOps, x: Value, prefix: string, dims: BigvganDims): Value {
  const parameter = (name: string): Value => {
    const value = op.unsqueeze(op.g.weight(`${prefix}.${name}`), [1]); // [C, 1]
    return dims.snakeLogscale ? op.exp(value) : value;
  };
  const alpha = parameter('alpha');
  const beta = dims.activation === 'snakebeta' ? parameter('beta') : alpha;
  const sine = op.sin(op.mul(x, alpha));
  return op.add(x, op.mul(op.div(op.float(1), op.add(beta, op.float(SNAKE_EPS))), op.mul(sine, sine)));
}
