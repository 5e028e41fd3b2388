/**
 * Float64 HiFi-GAN `Generator` for one unpadded item.
 * @module
 */
import type { SovitsDims } from '../config.ts';
import { add, at, leakyRelu, map, type Mat } from './array64.ts';
import { conv64, convTranspose1d64 } from './conv64.ts';
import type { Weights64 } from './weights64.ts';

function resBlock64(w: Weights64, prefix: string, input: Mat, kernel: number, dilations: readonly number[]): Mat {
  let x = input;
  dilations.forEach((dilation, i) => {
    const t = conv64(w, `${prefix}.convs1.${i}`, leakyRelu(x, 0.1), { dilation, padding: ((kernel - 1) * dilation) / 2 });
    x = add(conv64(w, `${prefix}.convs2.${i}`, leakyRelu(t, 0.1), { padding: (kernel - 1) / 2 }), x);
  });
  return x;
}

/** `z [inter, F]`, `ge [gin, 1]` -> audio `[F * 640]`. */
export function generator64(w: Weights64, dims: SovitsDims, z: Mat, ge: Mat): Float64Array {
  const g = dims.generator;
  const cond = conv64(w, 'dec.cond', ge);
  let x = map(conv64(w, 'dec.conv_pre', z, { padding: 3 }), (v, c) => v + at(cond, c, 0));
  g.upsampleRates.forEach((rate, stage) => {
    const kernel = g.upsampleKernels[stage] ?? rate;
    x = convTranspose1d64(leakyRelu(x, 0.1), w.get(`dec.ups.${stage}.weight`), w.vector(`dec.ups.${stage}.bias`), rate, (kernel - rate) / 2);
    let sum: Mat | undefined;
    g.resblockKernels.forEach((k, j) => {
      const block = resBlock64(w, `dec.resblocks.${stage * g.resblockKernels.length + j}`, x, k, g.resblockDilations[j] ?? []);
      sum = sum === undefined ? block : add(sum, block);
    });
    const total = sum ?? x;
    x = map(total, (v) => v / g.resblockKernels.length);
  });
  const post = conv64(w, 'dec.conv_post', leakyRelu(x, 0.01), { padding: 3 });
  return post.data.map(Math.tanh);
}
