/**
 * Typed helpers for the few operators the T2S graphs need that `onnx/ops.ts` does not offer yet (Sin, Cos, And).
 * They belong in `Ops`; kept here until the ONNX builder's owner moves them.
 * @module
 */
import type { Ops, Value } from '../../onnx/index.ts';

function single(op: Ops, opType: string, inputs: readonly Value[], dtype: Value['dtype']): Value {
  const [output] = op.g.node(opType, inputs, { outputTypes: [dtype] });
  if (output === undefined) throw new Error(`${opType} produced no output`);
  return output;
}

export function sin(op: Ops, x: Value): Value {
  return single(op, 'Sin', [x], x.dtype);
}

export function cos(op: Ops, x: Value): Value {
  return single(op, 'Cos', [x], x.dtype);
}

export function and(op: Ops, a: Value, b: Value): Value {
  return single(op, 'And', [a, b], 'bool');
}
