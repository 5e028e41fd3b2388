import type { DType, HostTensor } from '../tensor/tensor.ts';

/** A named tensor in a graph under construction. Shapes are not tracked: onnxruntime infers them. */
export interface Value {
  readonly name: string;
  readonly dtype: DType;
}

/** A graph input/output dimension: a fixed size or a symbolic name (`batch`, `tokens`). */
export type Dim = number | string;

/** Where a graph's lazily loaded weights come from (a checkpoint's tensor store). */
export interface WeightSource {
  info(name: string): { readonly dtype: DType; readonly shape: readonly number[] } | undefined;
  read(name: string): Promise<HostTensor>;
}

/** Storage and compute precision of a graph's floating-point weights and activations. */
export type Precision = 'fp32' | 'fp16';
