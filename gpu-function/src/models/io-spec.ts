/**
 * How a graph's inputs and outputs are declared: each model's `io.ts` lists its tensors with these types, the graph
 * builders declare exactly those, and the engine feeds them. Shared so every model describes its graphs alike.
 * @module
 */
import type { DType } from '../tensor/tensor.ts';

/** A fixed size or a symbolic dimension name. */
export type IoDim = number | string;

export interface TensorSpec {
  readonly name: string;
  readonly dtype: DType;
  readonly dims: readonly IoDim[];
}

export interface GraphIo {
  readonly inputs: readonly TensorSpec[];
  readonly outputs: readonly TensorSpec[];
}
