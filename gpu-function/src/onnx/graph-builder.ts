/**
 * Builds one ONNX graph. Weights are referenced by their checkpoint names and loaded only when the model is written
 * (see `writer.ts`), so a graph over a 1.3 GB checkpoint costs no memory to describe.
 *
 * Graph code does not call this class's `node` directly but the typed helpers in `ops.ts`.
 * @module
 */
import type { DType, HostTensor } from '../tensor/tensor.ts';
import { attributeProto, type Attributes } from './attributes.ts';
import { elementType, type GraphProto, type NodeProto, type TensorProto, type ValueInfoProto } from './proto.ts';
import { tensorProto } from './tensor-proto.ts';
import type { Dim, Precision, Value, WeightSource } from './values.ts';

/** A weight the writer must load from the source, convert to `dtype` and store. */
export interface PendingWeight {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
}

export interface GraphBuilderOptions {
  readonly name: string;
  readonly precision?: Precision;
  readonly weights?: WeightSource;
}

export interface NodeOptions {
  readonly attributes?: Attributes;
  /** Element type of each output; defaults to the first input's. */
  readonly outputTypes?: readonly DType[];
  readonly outputCount?: number;
  readonly domain?: string;
}

export const DEFAULT_OPSET = 17;
export const MICROSOFT_DOMAIN = 'com.microsoft';

export class GraphBuilder {
  readonly name: string;
  readonly precision: Precision;
  /** The floating type activations and weights use in this graph. */
  readonly floatType: 'float32' | 'float16';
  readonly #weights: WeightSource | undefined;
  readonly #nodes: NodeProto[] = [];
  readonly #inputs: ValueInfoProto[] = [];
  readonly #outputs: ValueInfoProto[] = [];
  readonly #constants: TensorProto[] = [];
  readonly #pendingWeights = new Map<string, PendingWeight>();
  readonly #usedNames = new Set<string>();
  readonly #domains = new Set<string>(['']);
  readonly #scope: string[] = [];
  #counter = 0;

  constructor(options: GraphBuilderOptions) {
    this.name = options.name;
    this.precision = options.precision ?? 'fp32';
    this.floatType = this.precision === 'fp16' ? 'float16' : 'float32';
    this.#weights = options.weights;
  }

  input(name: string, dtype: DType, dims: readonly Dim[]): Value {
    this.#claim(name);
    this.#inputs.push(valueInfo(name, dtype, dims));
    return { name, dtype };
  }

  /** Declares `value` as a graph output named `name` (adding an Identity when the name differs). */
  output(value: Value, name: string, dims?: readonly Dim[]): void {
    const named = value.name === name ? value : this.#emit('Identity', [value], { name, dtype: value.dtype });
    this.#outputs.push(valueInfo(named.name, named.dtype, dims));
  }

  hasWeight(name: string): boolean {
    return this.#weights?.info(name) !== undefined;
  }

  weightShape(name: string): readonly number[] {
    return this.#weightInfo(name).shape;
  }

  /** A checkpoint tensor, loaded when the model is written; floating weights take the graph's float type. */
  weight(name: string): Value {
    const pending = this.#pendingWeights.get(name);
    if (pending !== undefined) return { name, dtype: pending.dtype };
    const info = this.#weightInfo(name);
    const dtype = isFloat(info.dtype) ? this.floatType : info.dtype;
    this.#claim(name);
    this.#pendingWeights.set(name, { name, dtype, shape: [...info.shape] });
    return { name, dtype };
  }

  /** A small tensor stored inline in the graph (shapes, axes, scalars, tables). */
  constant(value: HostTensor, hint = 'const'): Value {
    const name = this.#fresh(hint);
    this.#constants.push(tensorProto(name, value));
    return { name, dtype: value.dtype };
  }

  node(opType: string, inputs: readonly (Value | null)[], options: NodeOptions = {}): Value[] {
    const count = options.outputCount ?? 1;
    const firstType = inputs.find((input) => input !== null)?.dtype ?? this.floatType;
    const outputs: Value[] = [];
    for (let i = 0; i < count; i += 1) {
      outputs.push({ name: this.#fresh(opType), dtype: options.outputTypes?.[i] ?? firstType });
    }
    const domain = options.domain ?? '';
    this.#domains.add(domain);
    this.#nodes.push({
      name: this.#fresh(`${opType}_node`),
      opType,
      domain,
      input: inputs.map((input) => input?.name ?? ''),
      output: outputs.map((output) => output.name),
      attribute: Object.entries(options.attributes ?? {}).map(([key, value]) => attributeProto(key, value)),
    });
    return outputs;
  }

  /** Prefixes every node and tensor made inside `build` with `name/`, so node names carry the module path. */
  scoped<T>(name: string, build: () => T): T {
    this.#scope.push(name);
    try {
      return build();
    } finally {
      this.#scope.pop();
    }
  }

  get pendingWeights(): readonly PendingWeight[] {
    return [...this.#pendingWeights.values()];
  }

  get domains(): readonly string[] {
    return [...this.#domains];
  }

  get weightSource(): WeightSource | undefined {
    return this.#weights;
  }

  /** The graph without its weights; the writer appends them as initializers. */
  toGraphProto(): GraphProto {
    return {
      name: this.name,
      node: this.#nodes,
      input: this.#inputs,
      output: this.#outputs,
      initializer: [...this.#constants],
    };
  }

  #emit(opType: string, inputs: readonly Value[], output: { name: string; dtype: DType }): Value {
    this.#claim(output.name);
    this.#nodes.push({
      name: this.#fresh(`${opType}_node`),
      opType,
      domain: '',
      input: inputs.map((input) => input.name),
      output: [output.name],
    });
    return output;
  }

  #weightInfo(name: string): { readonly dtype: DType; readonly shape: readonly number[] } {
    if (this.#weights === undefined) throw new Error(`graph ${this.name} has no weight source for tensor ${name}`);
    const info = this.#weights.info(name);
    if (info === undefined) throw new Error(`graph ${this.name} needs tensor ${name}, which the checkpoint lacks`);
    return info;
  }

  #fresh(hint: string): string {
    const prefix = this.#scope.length > 0 ? `${this.#scope.join('/')}/` : '';
    let name: string;
    do {
      this.#counter += 1;
      name = `${prefix}${hint}_${String(this.#counter)}`;
    } while (this.#usedNames.has(name));
    this.#usedNames.add(name);
    return name;
  }

  #claim(name: string): void {
    if (this.#usedNames.has(name)) throw new Error(`graph ${this.name} already has a tensor named ${name}`);
    this.#usedNames.add(name);
  }
}

function isFloat(dtype: DType): boolean {
  return dtype === 'float32' || dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';
}

function valueInfo(name: string, dtype: DType, dims: readonly Dim[] | undefined): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: elementType(dtype),
        ...(dims === undefined
          ? {}
          : { shape: { dim: dims.map((dim) => (typeof dim === 'number' ? { dimValue: dim } : { dimParam: dim })) } }),
      },
    },
  };
}
