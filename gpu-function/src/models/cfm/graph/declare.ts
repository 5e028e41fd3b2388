/**
 * A graph builder with an io contract's inputs declared (named widths resolved to the model's numbers) and its
 * outputs checked against the contract, shared by the CFM and vocoder graphs.
 * @module
 */
import { GraphBuilder } from '../../../onnx/graph-builder.ts';
import type { Precision, Value, WeightSource } from '../../../onnx/values.ts';
import type { GraphIo, IoDim } from '../../io-spec.ts';
import { SovitsOps } from '../../sovits/graph/sovits-ops.ts';

export interface Declared {
  readonly g: GraphBuilder;
  readonly op: SovitsOps;
  input(name: string): Value;
  /** A contract output; its dtype must be the contract's. */
  output(name: string, value: Value): void;
  /** An output outside the contract (test intermediates). */
  extra(name: string, value: Value): void;
}

export function declareGraph(
  io: GraphIo & { readonly file: string },
  widths: Readonly<Record<string, number>>,
  options: { readonly weights?: WeightSource; readonly precision: Precision },
): Declared {
  const resolve = (list: readonly IoDim[]): IoDim[] => list.map((d) => (typeof d === 'string' ? (widths[d] ?? d) : d));
  const g = new GraphBuilder({
    name: io.file.replace(/\.onnx$/, ''),
    precision: options.precision,
    ...(options.weights === undefined ? {} : { weights: options.weights }),
  });
  const inputs = new Map<string, Value>();
  for (const spec of io.inputs) inputs.set(spec.name, g.input(spec.name, spec.dtype, resolve(spec.dims)));
  return {
    g,
    op: new SovitsOps(g),
    input(name) {
      const value = inputs.get(name);
      if (value === undefined) throw new Error(`${io.file} declares no input ${name}`);
      return value;
    },
    output(name, value) {
      const spec = io.outputs.find((o) => o.name === name);
      if (spec === undefined) throw new Error(`${io.file} declares no output ${name}`);
      if (spec.dtype !== value.dtype) throw new Error(`${io.file}: output ${name} is ${value.dtype}, io.ts says ${spec.dtype}`);
      g.output(value, name, resolve(spec.dims));
    },
    extra(name, value) {
      g.output(value, name);
    },
  };
}
