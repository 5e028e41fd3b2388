/**
 * `attentions.Encoder` (relative-position transformer with conv FFN and channel LayerNorm, post-norm) as used three
 * times by `enc_p`. Padded positions are zeroed before every convolution, so each batch row computes what it would
 * alone.
 * @module
 */
import type { Value } from '../../../onnx/values.ts';
import { multiHeadAttention, relativeBand } from './attention.ts';
import { channelLayerNorm, conv1d } from './layers.ts';
import type { SovitsOps } from './sovits-ops.ts';

export interface EncoderSpec {
  readonly prefix: string;
  readonly layers: number;
  readonly channels: number;
  readonly heads: number;
  readonly window: number;
  readonly ffnKernel: number;
}

/** `[B, T]` bool validity -> `[B, 1, T, T]` bool: both query and key valid (`x_mask.unsqueeze(2) * x_mask.unsqueeze(-1)`). */
export function pairMask(op: SovitsOps, queryValid: Value, keyValid: Value): Value {
  return op.and(op.unsqueeze(queryValid, [1, 3]), op.unsqueeze(keyValid, [1, 2]));
}

/** `x [B, C, T]`, `mask [B, 1, T]` float, `keep [B, 1, T, T]` bool -> `[B, C, T]`. */
export function relativeEncoder(op: SovitsOps, x: Value, mask: Value, keep: Value, spec: EncoderSpec): Value {
  let h = op.mul(x, mask);
  const band = relativeBand(op, h, spec.window);
  for (let i = 0; i < spec.layers; i += 1) {
    const attended = multiHeadAttention(op, h, h, keep, {
      prefix: `${spec.prefix}.attn_layers.${i}`,
      channels: spec.channels,
      heads: spec.heads,
      band,
    });
    h = channelLayerNorm(op, op.add(h, attended), `${spec.prefix}.norm_layers_1.${i}`);
    const fed = feedForward(op, h, mask, `${spec.prefix}.ffn_layers.${i}`, spec.ffnKernel);
    h = channelLayerNorm(op, op.add(h, fed), `${spec.prefix}.norm_layers_2.${i}`);
  }
  return op.mul(h, mask);
}

/** `attentions.FFN`: conv (same padding) -> ReLU -> conv, masked before each conv and after. */
function feedForward(op: SovitsOps, x: Value, mask: Value, prefix: string, kernel: number): Value {
  const hidden = op.relu(samePaddedConv(op, op.mul(x, mask), `${prefix}.conv_1`, kernel)); // [B, filter, T]
  return op.mul(samePaddedConv(op, op.mul(hidden, mask), `${prefix}.conv_2`, kernel), mask); // [B, C, T]
}

/** GPT-SoVITS pads `(k-1)//2` left and `k//2` right; for odd kernels that is Conv's symmetric padding. */
function samePaddedConv(op: SovitsOps, x: Value, prefix: string, kernel: number): Value {
  if (kernel % 2 === 1) return conv1d(op, x, prefix, { padding: (kernel - 1) / 2 });
  const padded = op.pad(x, [0, 0, (kernel - 1) >> 1, 0, 0, kernel >> 1]);
  return conv1d(op, padded, prefix);
}
