/**
 * `ResidualCouplingBlock` run in reverse (`flow(z_p, mask, g=ge, reverse=True)`): for each mean-only coupling from
 * the last to the first, flip the channels, then subtract the mean a WaveNet (`modules.WN`) predicts from the first
 * half. Every convolution input is masked, so padded frames never reach valid ones.
 * @module
 */
import type { Value } from '../../../onnx/values.ts';
import type { SovitsFlowDims } from '../config.ts';
import { conv1d } from './layers.ts';
import type { SovitsOps } from './sovits-ops.ts';

/** `z [B, inter, F]`, `mask [B, 1, F]`, `ge [B, gin, 1]` -> `[B, inter, F]`. */
export function reverseFlow(op: SovitsOps, z: Value, mask: Value, ge: Value, dims: SovitsFlowDims, inter: number): Value {
  const half = inter / 2;
  const reversedChannels = op.i64(Array.from({ length: inter }, (_, c) => inter - 1 - c));
  let x = z;
  for (const index of [...dims.couplings].reverse()) {
    x = op.gather(x, reversedChannels, 1); // modules.Flip
    const prefix = `flow.flows.${index}`;
    const [x0, x1] = op.split(x, [half, half], 1) as [Value, Value];
    const h = op.mul(conv1d(op, x0, `${prefix}.pre`), mask); // [B, hidden, F]
    const encoded = waveNet(op, h, mask, ge, `${prefix}.enc`, dims);
    const mean = op.mul(conv1d(op, encoded, `${prefix}.post`), mask); // [B, inter/2, F]
    x = op.concat([x0, op.mul(op.sub(x1, mean), mask)], 1);
  }
  return x;
}

/** The widths of one `modules.WN`. */
export type WaveNetDims = Pick<SovitsFlowDims, 'hidden' | 'kernel' | 'layers' | 'dilationRate'>;

/**
 * `modules.WN`: gated dilated convolutions conditioned on `ge`, with residual and skip outputs. `x [B, hidden, F]`
 * must be zero past each row's length (`mask [B, 1, F]`); `ge [B, gin, 1]`. Also v3/v4's `wns1.enc`.
 */
export function waveNet(op: SovitsOps, x: Value, mask: Value, ge: Value, prefix: string, dims: WaveNetDims): Value {
  const channels = dims.hidden;
  const condition = conv1d(op, ge, `${prefix}.cond_layer`); // [B, 2 * hidden * layers, 1]
  const conditions = op.split(condition, Array.from({ length: dims.layers }, () => 2 * channels), 1);
  let h = x;
  let output: Value | undefined;
  for (let i = 0; i < dims.layers; i += 1) {
    const dilation = dims.dilationRate ** i;
    const padding = (dims.kernel * dilation - dilation) / 2;
    const xIn = conv1d(op, h, `${prefix}.in_layers.${i}`, { dilation, padding }); // [B, 2 * hidden, F]
    const [a, b] = op.split(op.add(xIn, conditions[i] as Value), [channels, channels], 1) as [Value, Value];
    const acts = op.mul(op.tanh(a), op.sigmoid(b)); // [B, hidden, F]
    const resSkip = conv1d(op, acts, `${prefix}.res_skip_layers.${i}`);
    if (i < dims.layers - 1) {
      const [residual, skip] = op.split(resSkip, [channels, channels], 1) as [Value, Value];
      h = op.mul(op.add(h, residual), mask);
      output = output === undefined ? skip : op.add(output, skip);
    } else {
      output = output === undefined ? resSkip : op.add(output, resSkip);
    }
  }
  return op.mul(output ?? h, mask);
}
