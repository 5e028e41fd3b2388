/**
 * Typed helpers for the ONNX operators gsv-edge's graphs use (opset 17 semantics), so graph code reads like the
 * PyTorch forward it mirrors: `op.matMul(x, op.transpose(w, [1, 0]))`.
 *
 * Every operator here is implemented by onnxruntime's CPU, CUDA and WebGPU execution providers.
 * @module
 */
import { float32ToFloat16 } from '../tensor/half.ts';
import { tensor, type DType } from '../tensor/tensor.ts';
import { attr, type Attributes } from './attributes.ts';
import { MICROSOFT_DOMAIN, type GraphBuilder } from './graph-builder.ts';
import { elementType } from './proto.ts';
import type { Value } from './values.ts';

export class Ops {
  readonly g: GraphBuilder;

  constructor(graph: GraphBuilder) {
    this.g = graph;
  }

  // ---- constants -------------------------------------------------------------------------------------------

  /** int64 vector (shapes, axes, indices). */
  i64(values: readonly number[]): Value {
    return this.g.constant(tensor('int64', [values.length], BigInt64Array.from(values.map(BigInt))), 'i64');
  }

  /** int64 scalar. */
  i64Scalar(value: number): Value {
    return this.g.constant(tensor('int64', [], BigInt64Array.of(BigInt(value))), 'i64');
  }

  /** A float scalar (or a shaped tensor of `values`) in the graph's float type. */
  float(values: number | readonly number[], shape?: readonly number[]): Value {
    const list = typeof values === 'number' ? [values] : values;
    const dims = shape ?? (typeof values === 'number' ? [] : [list.length]);
    const data = Float32Array.from(list);
    return this.g.floatType === 'float16'
      ? this.g.constant(tensor('float16', dims, float32ToFloat16(data)), 'f16')
      : this.g.constant(tensor('float32', dims, data), 'f32');
  }

  /** A float32 constant regardless of the graph's float type (for parts kept in fp32). */
  float32(values: readonly number[], shape: readonly number[]): Value {
    return this.g.constant(tensor('float32', shape, Float32Array.from(values)), 'f32');
  }

  // ---- elementwise -----------------------------------------------------------------------------------------

  add(a: Value, b: Value): Value {
    return this.#unary('Add', [a, b]);
  }
  sub(a: Value, b: Value): Value {
    return this.#unary('Sub', [a, b]);
  }
  mul(a: Value, b: Value): Value {
    return this.#unary('Mul', [a, b]);
  }
  div(a: Value, b: Value): Value {
    return this.#unary('Div', [a, b]);
  }
  pow(a: Value, b: Value): Value {
    return this.#unary('Pow', [a, b]);
  }
  max(values: readonly Value[]): Value {
    return this.#unary('Max', values);
  }
  min(values: readonly Value[]): Value {
    return this.#unary('Min', values);
  }
  neg(x: Value): Value {
    return this.#unary('Neg', [x]);
  }
  abs(x: Value): Value {
    return this.#unary('Abs', [x]);
  }
  sqrt(x: Value): Value {
    return this.#unary('Sqrt', [x]);
  }
  exp(x: Value): Value {
    return this.#unary('Exp', [x]);
  }
  log(x: Value): Value {
    return this.#unary('Log', [x]);
  }
  erf(x: Value): Value {
    return this.#unary('Erf', [x]);
  }
  sin(x: Value): Value {
    return this.#unary('Sin', [x]);
  }
  cos(x: Value): Value {
    return this.#unary('Cos', [x]);
  }
  floor(x: Value): Value {
    return this.#unary('Floor', [x]);
  }
  mod(a: Value, b: Value, fmod = false): Value {
    return this.#unary('Mod', [a, b], { fmod: attr.int(fmod ? 1 : 0) });
  }
  tanh(x: Value): Value {
    return this.#unary('Tanh', [x]);
  }
  sigmoid(x: Value): Value {
    return this.#unary('Sigmoid', [x]);
  }
  relu(x: Value): Value {
    return this.#unary('Relu', [x]);
  }
  softplus(x: Value): Value {
    return this.#unary('Softplus', [x]);
  }
  leakyRelu(x: Value, alpha: number): Value {
    return this.#unary('LeakyRelu', [x], { alpha: attr.float(alpha) });
  }
  prelu(x: Value, slope: Value): Value {
    return this.#unary('PRelu', [x, slope]);
  }
  /** Exact (erf) GELU, as PyTorch's default; onnxruntime fuses the pattern into its Gelu kernel. */
  gelu(x: Value): Value {
    const inner = this.erf(this.div(x, this.float(Math.SQRT2)));
    return this.mul(this.mul(x, this.float(0.5)), this.add(inner, this.float(1)));
  }
  /** x · tanh(softplus(x)). */
  mish(x: Value): Value {
    return this.mul(x, this.tanh(this.softplus(x)));
  }
  clip(x: Value, min: Value | null, max: Value | null): Value {
    return this.#unary('Clip', [x, min, max]);
  }
  where(condition: Value, ifTrue: Value, ifFalse: Value): Value {
    return this.g.node('Where', [condition, ifTrue, ifFalse], { outputTypes: [ifTrue.dtype] })[0] as Value;
  }
  equal(a: Value, b: Value): Value {
    return this.#typed('Equal', [a, b], 'bool');
  }
  less(a: Value, b: Value): Value {
    return this.#typed('Less', [a, b], 'bool');
  }
  greater(a: Value, b: Value): Value {
    return this.#typed('Greater', [a, b], 'bool');
  }
  and(a: Value, b: Value): Value {
    return this.#typed('And', [a, b], 'bool');
  }
  not(x: Value): Value {
    return this.#typed('Not', [x], 'bool');
  }
  or(a: Value, b: Value): Value {
    return this.#typed('Or', [a, b], 'bool');
  }
  cast(x: Value, to: DType): Value {
    return this.#typed('Cast', [x], to, { to: attr.int(elementType(to)) });
  }
  /** Casts a float value to the graph's float type (a no-op in fp32 graphs). */
  toCompute(x: Value): Value {
    return x.dtype === this.g.floatType ? x : this.cast(x, this.g.floatType);
  }
  /** Casts a float value to float32 (for outputs and the parts kept in fp32 in fp16 graphs). */
  toFloat32(x: Value): Value {
    return x.dtype === 'float32' ? x : this.cast(x, 'float32');
  }

  // ---- linear algebra and normalization --------------------------------------------------------------------

  matMul(a: Value, b: Value): Value {
    return this.#unary('MatMul', [a, b]);
  }
  /** `y = x · Wᵀ + b` for a PyTorch Linear weight `[out, in]` and a 2-D `x`. */
  gemm(x: Value, weight: Value, bias: Value | null, options: { transB?: boolean } = {}): Value {
    return this.#unary('Gemm', [x, weight, bias], { transB: attr.int(options.transB === false ? 0 : 1) });
  }
  /** PyTorch `nn.Linear` on an input of any rank: `x · Wᵀ (+ b)`; onnxruntime folds the transpose at load time. */
  linear(x: Value, weight: Value, bias: Value | null): Value {
    const product = this.matMul(x, this.transpose(weight, [1, 0]));
    return bias === null ? product : this.add(product, bias);
  }
  layerNorm(x: Value, scale: Value, bias: Value, epsilon: number, axis = -1): Value {
    return this.#unary('LayerNormalization', [x, scale, bias], { axis: attr.int(axis), epsilon: attr.float(epsilon) });
  }
  instanceNorm(x: Value, scale: Value, bias: Value, epsilon: number): Value {
    return this.#unary('InstanceNormalization', [x, scale, bias], { epsilon: attr.float(epsilon) });
  }
  softmax(x: Value, axis = -1): Value {
    return this.#unary('Softmax', [x], { axis: attr.int(axis) });
  }
  conv(
    x: Value,
    weight: Value,
    bias: Value | null,
    options: { stride?: number; padding?: number; dilation?: number; groups?: number } = {},
  ): Value {
    const pad = options.padding ?? 0;
    return this.#unary('Conv', [x, weight, bias], {
      strides: attr.ints([options.stride ?? 1]),
      pads: attr.ints([pad, pad]),
      dilations: attr.ints([options.dilation ?? 1]),
      group: attr.int(options.groups ?? 1),
    });
  }
  /** `groups` (default 1): a depthwise transposed convolution with weight `[C, 1, k]` when it equals the channels. */
  convTranspose(x: Value, weight: Value, bias: Value | null, options: { stride: number; padding: number; groups?: number }): Value {
    return this.#unary('ConvTranspose', [x, weight, bias], {
      strides: attr.ints([options.stride]),
      pads: attr.ints([options.padding, options.padding]),
      ...(options.groups === undefined ? {} : { group: attr.int(options.groups) }),
    });
  }

  // ---- shape ----------------------------------------------------------------------------------------------

  shape(x: Value, start?: number, end?: number): Value {
    const attributes: Record<string, ReturnType<typeof attr.int>> = {};
    if (start !== undefined) attributes['start'] = attr.int(start);
    if (end !== undefined) attributes['end'] = attr.int(end);
    return this.#typed('Shape', [x], 'int64', attributes);
  }
  reshape(x: Value, shape: readonly number[] | Value): Value {
    return this.#unary('Reshape', [x, Array.isArray(shape) ? this.i64(shape) : (shape as Value)]);
  }
  transpose(x: Value, perm: readonly number[]): Value {
    return this.#unary('Transpose', [x], { perm: attr.ints(perm) });
  }
  concat(values: readonly Value[], axis: number): Value {
    return this.#unary('Concat', values, { axis: attr.int(axis) });
  }
  split(x: Value, sizes: readonly number[], axis: number): Value[] {
    return this.g.node('Split', [x, this.i64(sizes)], { attributes: { axis: attr.int(axis) }, outputCount: sizes.length });
  }
  slice(x: Value, starts: readonly number[] | Value, ends: readonly number[] | Value, axes: readonly number[], steps?: readonly number[]): Value {
    const asValue = (v: readonly number[] | Value): Value => (Array.isArray(v) ? this.i64(v) : (v as Value));
    return this.#unary('Slice', [x, asValue(starts), asValue(ends), this.i64(axes), steps === undefined ? null : this.i64(steps)]);
  }
  unsqueeze(x: Value, axes: readonly number[]): Value {
    return this.#unary('Unsqueeze', [x, this.i64(axes)]);
  }
  squeeze(x: Value, axes: readonly number[]): Value {
    return this.#unary('Squeeze', [x, this.i64(axes)]);
  }
  expand(x: Value, shape: Value): Value {
    return this.#unary('Expand', [x, shape]);
  }
  gather(data: Value, indices: Value, axis = 0): Value {
    return this.#unary('Gather', [data, indices], { axis: attr.int(axis) });
  }
  gatherElements(data: Value, indices: Value, axis: number): Value {
    return this.#unary('GatherElements', [data, indices], { axis: attr.int(axis) });
  }
  range(start: Value, limit: Value, delta: Value): Value {
    return this.#unary('Range', [start, limit, delta]);
  }
  constantOfShape(shape: Value, value: number, dtype: DType): Value {
    const fill =
      dtype === 'float16'
        ? tensor('float16', [1], float32ToFloat16(Float32Array.of(value)))
        : dtype === 'int64'
          ? tensor('int64', [1], BigInt64Array.of(BigInt(value)))
          : dtype === 'bool'
            ? tensor('bool', [1], Uint8Array.of(value === 0 ? 0 : 1))
            : tensor('float32', [1], Float32Array.of(value));
    return this.#typed('ConstantOfShape', [shape], dtype, { value: attr.tensor(fill) });
  }
  pad(x: Value, pads: readonly number[] | Value, mode: 'constant' | 'reflect' | 'edge' = 'constant', value?: Value): Value {
    return this.#unary('Pad', [x, Array.isArray(pads) ? this.i64(pads) : (pads as Value), value ?? null], {
      mode: attr.string(mode),
    });
  }
  cumSum(x: Value, axis: Value): Value {
    return this.#unary('CumSum', [x, axis]);
  }

  // ---- reductions and selection ----------------------------------------------------------------------------

  reduceSum(x: Value, axes: readonly number[], keepDims = true): Value {
    return this.#unary('ReduceSum', [x, this.i64(axes)], { keepdims: attr.int(keepDims ? 1 : 0) });
  }
  reduceMean(x: Value, axes: readonly number[], keepDims = true): Value {
    return this.#unary('ReduceMean', [x], { axes: attr.ints(axes), keepdims: attr.int(keepDims ? 1 : 0) });
  }
  reduceMax(x: Value, axes: readonly number[], keepDims = true): Value {
    return this.#unary('ReduceMax', [x], { axes: attr.ints(axes), keepdims: attr.int(keepDims ? 1 : 0) });
  }
  argMax(x: Value, axis: number, keepDims = false): Value {
    return this.#typed('ArgMax', [x], 'int64', { axis: attr.int(axis), keepdims: attr.int(keepDims ? 1 : 0) });
  }
  argMin(x: Value, axis: number, keepDims = false): Value {
    return this.#typed('ArgMin', [x], 'int64', { axis: attr.int(axis), keepdims: attr.int(keepDims ? 1 : 0) });
  }

  // ---- onnxruntime contrib ops -----------------------------------------------------------------------------

  /** `com.microsoft` operator (onnxruntime contrib op); outputs default to the first input's type. */
  contrib(opType: string, inputs: readonly (Value | null)[], attributes: Attributes, outputCount = 1, outputTypes?: readonly DType[]): Value[] {
    return this.g.node(opType, inputs, {
      attributes,
      outputCount,
      domain: MICROSOFT_DOMAIN,
      ...(outputTypes === undefined ? {} : { outputTypes }),
    });
  }

  #unary(opType: string, inputs: readonly (Value | null)[], attributes?: Attributes): Value {
    return this.g.node(opType, inputs, attributes === undefined ? {} : { attributes })[0] as Value;
  }

  #typed(opType: string, inputs: readonly (Value | null)[], dtype: DType, attributes?: Attributes): Value {
    return this.g.node(opType, inputs, { outputTypes: [dtype], ...(attributes === undefined ? {} : { attributes }) })[0] as Value;
  }
}

