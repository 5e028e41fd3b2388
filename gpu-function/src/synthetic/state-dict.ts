/**
 * Turns tensor specs into the tensors of a torch state dict (one storage each, keys "0", "1"... in order, as
 * torch.save numbers them) whose bytes are generated only when the zip writer reaches them.
 * @module
 */
import { TensorWrite } from '../checkpoint/torch-writer.ts';
import { numel } from '../tensor/index.ts';
import { float32ToFloat16 } from '../tensor/half.ts';
import { fillTensor, type TensorSpec } from './init.ts';

export type WeightDType = 'float16' | 'float32';

export function specBytes(spec: TensorSpec, dtype: WeightDType, seed: number): Uint8Array {
  const values = fillTensor(spec, seed);
  const data = dtype === 'float16' ? float32ToFloat16(values) : values;
  return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/** `[stored name, tensor]` pairs; `rename` maps a spec name to its key in the file (e.g. adds `model.`). */
export function specTensors(specs: readonly TensorSpec[], dtype: WeightDType, seed: number, rename: (name: string) => string = (name) => name): [string, TensorWrite][] {
  return specs.map((spec, index) => [
    rename(spec.name),
    new TensorWrite({ key: String(index), dtype, numel: numel(spec.shape), bytes: () => specBytes(spec, dtype, seed) }, spec.shape),
  ]);
}

/** Total parameter count of a spec list. */
export function countParameters(specs: readonly TensorSpec[]): number {
  return specs.reduce((sum, spec) => sum + numel(spec.shape), 0);
}
