/**
 * The prefill's attention mask, built in the graph from the per-row lengths. Row b's sequence is
 * `[text (Tx slots, first X_b valid) ; prompt audio (Tp slots, first P_b valid)]`:
 * - a valid text query sees the valid text (bidirectional);
 * - a valid audio query sees the valid text and the audio up to itself (GPT-SoVITS's prefix-LM mask);
 * - a pad query sees only itself, so its softmax stays finite; pad keys are invisible to valid queries.
 * @module
 */
import type { Ops, Value } from '../../onnx/index.ts';


export interface PrefillLayout {
  /** Text slots Tx, scalar int64. */
  readonly textSlots: Value;
  /** Total slots S = Tx + Tp, scalar int64. */
  readonly totalSlots: Value;
  /** X_b, [B] int64. */
  readonly textLengths: Value;
  /** P_b, [B] int64. */
  readonly promptLengths: Value;
}

/** `true` where query r may attend to key c: `[B, 1, S, S]` bool, broadcast over heads. */
export function prefillAllowed(op: Ops, layout: PrefillLayout): Value {
  const slots = op.range(op.i64Scalar(0), layout.totalSlots, op.i64Scalar(1)); // [S]
  const row = op.unsqueeze(slots, [1]); // [S, 1] query index
  const col = op.unsqueeze(slots, [0]); // [1, S] key index
  const textLength = op.unsqueeze(layout.textLengths, [1, 2]); // [B, 1, 1]
  const audioEnd = op.add(op.unsqueeze(layout.promptLengths, [1, 2]), layout.textSlots); // [B, 1, 1]

  const rowIsAudio = op.not(op.less(row, layout.textSlots)); // [S, 1]
  const colIsAudio = op.not(op.less(col, layout.textSlots)); // [1, S]
  const causal = op.not(op.greater(col, row)); // [S, S]
  const audioSeesAudio = op.and(op.and(rowIsAudio, colIsAudio), causal); // [S, S]
  const validTextKey = op.less(col, textLength); // [B, 1, S]
  const validQuery = op.or(op.less(row, textLength), op.and(rowIsAudio, op.less(row, audioEnd))); // [B, S, 1]

  const allowed = op.or(op.and(validQuery, op.or(validTextKey, audioSeesAudio)), op.equal(row, col)); // [B, S, S]
  return op.unsqueeze(allowed, [1]); // [B, 1, S, S]
}

/** Index of each row's last valid slot in the flattened `[B·S]` sequence: the last prompt token, else the last text. */
export function lastValidSlot(op: Ops, layout: PrefillLayout): Value {
  const one = op.i64Scalar(1);
  const lastPrompt = op.sub(op.add(layout.textSlots, layout.promptLengths), one); // [B]
  const lastText = op.sub(layout.textLengths, one); // [B]
  const last = op.where(op.greater(layout.promptLengths, op.i64Scalar(0)), lastPrompt, lastText); // [B]
  const batch = op.squeeze(op.shape(layout.textLengths), [0]);
  const rowStart = op.mul(op.range(op.i64Scalar(0), batch, one), layout.totalSlots); // [B]
  return op.add(rowStart, last); // [B]
}
