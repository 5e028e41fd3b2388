/**
 * The HiFi-GAN `Generator` (`dec`; v4's vocoder is the same module without `cond`): conv_pre + cond(ge), then per upsample stage LeakyReLU(0.1), a transposed
 * convolution and the mean of the stage's ResBlock1s, then LeakyReLU(0.01), conv_post and tanh.
 *
 * Batching: GPT-SoVITS decodes one unpadded item, so its convolutions see zeros past the end. In a padded batch the
 * activations past a row's length are not zero (biases, the receptive field), so every convolution output is
 * masked to its row's length at that stage's rate; each row then computes exactly what it would alone.
 * @module
 */
import type { Value } from '../../../onnx/values.ts';
import type { SovitsGeneratorDims } from '../config.ts';
import { conv1d, convTranspose1d } from './layers.ts';
import type { SovitsOps } from './sovits-ops.ts';

const LRELU_SLOPE = 0.1;

/**
 * `z [B, inter, F]` (zero past `lengths`), `ge [B, gin, 1]`, `lengths [B]` frames -> audio `[B, 1, F * hop]`, hop the
 * product of the upsample rates. `ge` null: a generator without `cond` (`gin_channels=0`). Weights are read under
 * `prefix` (`dec` in SoVITS files; the v4 vocoder's own state dict has none: pass `''`).
 */
export function generator(op: SovitsOps, z: Value, ge: Value | null, lengths: Value, dims: SovitsGeneratorDims, prefix = 'dec'): Value {
  const name = (layer: string): string => (prefix === '' ? layer : `${prefix}.${layer}`);
  let rate = 1;
  const maskAt = (x: Value): Value => op.channelMask(op.mul(lengths, op.i64Scalar(rate)), x); // [B, 1, L]
  const pre = conv1d(op, z, name('conv_pre'), { padding: 3 });
  let x = ge === null ? pre : op.add(pre, conv1d(op, ge, name('cond'))); // [B, C0, F]
  x = op.mul(x, maskAt(x));
  const kernels = dims.resblockKernels.length;
  dims.upsampleRates.forEach((upsample, stage) => {
    const kernel = dims.upsampleKernels[stage] ?? upsample;
    x = convTranspose1d(op, op.leakyRelu(x, LRELU_SLOPE), name(`ups.${stage}`), upsample, (kernel - upsample) / 2); // [B, C, L * u]
    rate *= upsample;
    const mask = maskAt(x);
    x = op.mul(x, mask);
    let sum: Value | undefined;
    for (let j = 0; j < kernels; j += 1) {
      const block = resBlock1(op, x, mask, name(`resblocks.${stage * kernels + j}`), dims.resblockKernels[j] ?? 3, dims.resblockDilations[j] ?? []);
      sum = sum === undefined ? block : op.add(sum, block);
    }
    x = op.div(sum ?? x, op.float(kernels));
  });
  const post = conv1d(op, op.leakyRelu(x, 0.01), name('conv_post'), { padding: 3 }); // [B, 1, F * hop]
  return op.mul(op.tanh(post), maskAt(post));
}

/** `modules.ResBlock1`: three (LeakyReLU, dilated conv, LeakyReLU, conv) residual pairs, masked after each conv. */
function resBlock1(op: SovitsOps, input: Value, mask: Value, prefix: string, kernel: number, dilations: readonly number[]): Value {
  let x = input;
  dilations.forEach((dilation, i) => {
    let t = conv1d(op, op.leakyRelu(x, LRELU_SLOPE), `${prefix}.convs1.${i}`, { dilation, padding: ((kernel - 1) * dilation) / 2 });
    t = op.mul(t, mask);
    t = conv1d(op, op.leakyRelu(t, LRELU_SLOPE), `${prefix}.convs2.${i}`, { padding: (kernel - 1) / 2 });
    x = op.add(op.mul(t, mask), x);
  });
  return x;
}
