/**
 * PyTorch layers of GPT-SoVITS's VITS as ONNX subgraphs, each reading its weights by checkpoint name
 * (`<prefix>.weight`, `<prefix>.bias`; weight norm already folded by the reader).
 * @module
 */
import type { Value } from '../../../onnx/values.ts';
import type { SovitsOps } from './sovits-ops.ts';

export interface ConvOptions {
  readonly padding?: number;
  readonly dilation?: number;
  readonly stride?: number;
}

/** `nn.Conv1d` on `[B, Cin, T]`; the bias is used when the checkpoint has one. */
export function conv1d(op: SovitsOps, x: Value, prefix: string, options: ConvOptions = {}): Value {
  const bias = op.g.hasWeight(`${prefix}.bias`) ? op.g.weight(`${prefix}.bias`) : null;
  return op.conv(x, op.g.weight(`${prefix}.weight`), bias, options);
}

/** `nn.ConvTranspose1d` on `[B, Cin, T]` with weight `[Cin, Cout, k]`. */
export function convTranspose1d(op: SovitsOps, x: Value, prefix: string, stride: number, padding: number): Value {
  return op.convTranspose(x, op.g.weight(`${prefix}.weight`), op.g.weight(`${prefix}.bias`), { stride, padding });
}

/** `nn.Linear` over the last axis. */
export function linear(op: SovitsOps, x: Value, prefix: string): Value {
  const bias = op.g.hasWeight(`${prefix}.bias`) ? op.g.weight(`${prefix}.bias`) : null;
  return op.linear(x, op.g.weight(`${prefix}.weight`), bias);
}

/** `modules.LayerNorm`: LayerNorm over the channel axis of `[B, C, T]` (gamma/beta, eps 1e-5). */
export function channelLayerNorm(op: SovitsOps, x: Value, prefix: string): Value {
  const channelsLast = op.transpose(x, [0, 2, 1]); // [B, T, C]
  const normed = op.layerNorm(channelsLast, op.g.weight(`${prefix}.gamma`), op.g.weight(`${prefix}.beta`), 1e-5);
  return op.transpose(normed, [0, 2, 1]); // [B, C, T]
}

/** `[B, C, T]` -> `[B, heads, T, C / heads]`. */
export function splitHeads(op: SovitsOps, x: Value, heads: number, headDim: number): Value {
  const grouped = op.reshape(x, [0, heads, headDim, -1]); // [B, h, d, T]
  return op.transpose(grouped, [0, 1, 3, 2]); // [B, h, T, d]
}

/** `[B, heads, T, d]` -> `[B, heads * d, T]`. */
export function mergeHeads(op: SovitsOps, x: Value, channels: number): Value {
  const channelsFirst = op.transpose(x, [0, 1, 3, 2]); // [B, h, d, T]
  return op.reshape(channelsFirst, [0, channels, -1]); // [B, C, T]
}
