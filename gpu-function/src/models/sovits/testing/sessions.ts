/**
 * Builds a SoVITS graph into an in-memory onnxruntime session (CPU, full graph optimization) for tests.
 * @module
 */
import { encodeModel } from '../../../onnx/writer.ts';
import type { GraphBuilder } from '../../../onnx/graph-builder.ts';
import { ModelSession } from '../../../runtime/session.ts';
import { tensor, type HostTensor } from '../../../tensor/tensor.ts';

export async function sessionFor(graph: GraphBuilder): Promise<ModelSession> {
  return ModelSession.load(await encodeModel(graph), undefined, graph.name);
}

export const int64s = (values: readonly number[], shape: readonly number[] = [values.length]): HostTensor =>
  tensor('int64', shape, BigInt64Array.from(values.map(BigInt)));

export const float32s = (values: ArrayLike<number>, shape: readonly number[]): HostTensor => tensor('float32', shape, Float32Array.from(values));

export function floats(t: HostTensor | undefined, name = 'output'): Float32Array {
  if (t?.dtype !== 'float32') throw new Error(`${name} is not a float32 tensor`);
  return t.data as Float32Array;
}

export function ints(t: HostTensor | undefined, name = 'output'): number[] {
  if (t?.dtype !== 'int64') throw new Error(`${name} is not an int64 tensor`);
  return Array.from(t.data as BigInt64Array, Number);
}
