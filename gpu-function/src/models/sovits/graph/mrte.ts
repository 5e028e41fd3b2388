/**
 * `mrte_model.MRTE`: the SSL frames cross-attend to the phones (plain multi-head attention, no relative positions),
 * and the timbre vector `ge` is added: `c_post(attn(c_pre(ssl), text_pre(text)) + c_pre(ssl) + ge)`.
 * @module
 */
import type { Value } from '../../../onnx/values.ts';
import { multiHeadAttention } from './attention.ts';
import { pairMask } from './encoder.ts';
import { conv1d } from './layers.ts';
import type { SovitsOps } from './sovits-ops.ts';

export interface MrteInputs {
  /** `[B, hidden, T]` SSL encoder output, its float mask `[B, 1, T]` and bool validity `[B, T]`. */
  readonly ssl: Value;
  readonly sslMask: Value;
  readonly sslValid: Value;
  /** `[B, hidden, N]` text encoder output, `[B, 1, N]`, `[B, N]`. */
  readonly text: Value;
  readonly textMask: Value;
  readonly textValid: Value;
  /** `[B, mrte_hidden, 1]`. */
  readonly ge: Value;
}

export function mrte(op: SovitsOps, inputs: MrteInputs, prefix: string, heads: number, channels: number): Value {
  const keep = pairMask(op, inputs.sslValid, inputs.textValid); // [B, 1, T, N]
  const ssl = conv1d(op, op.mul(inputs.ssl, inputs.sslMask), `${prefix}.c_pre`); // [B, Hm, T]
  const text = conv1d(op, op.mul(inputs.text, inputs.textMask), `${prefix}.text_pre`); // [B, Hm, N]
  const attended = multiHeadAttention(op, op.mul(ssl, inputs.sslMask), op.mul(text, inputs.textMask), keep, {
    prefix: `${prefix}.cross_attention`,
    channels,
    heads,
  });
  const fused = op.add(op.add(attended, ssl), inputs.ge); // [B, Hm, T]
  return conv1d(op, op.mul(fused, inputs.sslMask), `${prefix}.c_post`); // [B, hidden, T]
}
