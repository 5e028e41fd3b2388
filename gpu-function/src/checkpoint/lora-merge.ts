/**
 * Merges a GPT-SoVITS v3/v4 LoRA file into its base model, as TTS.py does with peft: the base weights are loaded, the
 * LoRA file's own tensors replace the base's (LoRA training also trains `ref_enc`, `bridge`, `wns1`, `linear_mel`
 * outright), and every `lora_A`/`lora_B` pair is folded into its target: `W + (alpha / r) · B · A`
 * (`merge_and_unload`). peft names the CFM `cfm.base_model.model.<...>` and a pair
 * `<layer>.lora_A.default.weight` / `<layer>.lora_B.default.weight`.
 * @module
 */
import { CheckpointError } from './errors.ts';
import { LazyTensorStore, type LazyTensor } from './tensor-store.ts';
import { formatShape, tensor, toFloat32 } from '../tensor/index.ts';

const PEFT_PREFIX = 'cfm.base_model.model.';
const PAIR = /^(.*)\.lora_([AB])\.default\.weight$/;

export interface LoraOptions {
  readonly rank: number;
  /** peft's `lora_alpha`; GPT-SoVITS sets it equal to the rank (scaling 1). */
  readonly alpha: number;
}

/** The LoRA file's names as the model's: peft's wrapper prefix removed. */
export function unwrapPeftName(name: string): string {
  return name.startsWith(PEFT_PREFIX) ? `cfm.${name.slice(PEFT_PREFIX.length)}` : name;
}

/**
 * `base` with `lora`'s tensors laid over it and its pairs merged. Both stores must already have weight norm folded;
 * closing the result closes both. A pair without its other half, a target the base lacks or a shape that does not
 * fit fails naming the LoRA tensor.
 */
export function mergeLora(base: LazyTensorStore, lora: LazyTensorStore, options: LoraOptions): LazyTensorStore {
  const entries = new Map<string, LazyTensor>();
  for (const name of base.names()) {
    const lazy = base.lazy(name);
    if (lazy !== undefined) entries.set(name, lazy);
  }
  const pairs = new Map<string, { a?: string; b?: string }>();
  for (const stored of lora.names()) {
    const name = unwrapPeftName(stored);
    const pair = PAIR.exec(name);
    if (pair !== null) {
      const target = `${pair[1] ?? ''}.weight`;
      const halves = pairs.get(target) ?? {};
      pairs.set(target, pair[2] === 'A' ? { ...halves, a: stored } : { ...halves, b: stored });
      continue;
    }
    const lazy = lora.lazy(stored);
    if (lazy !== undefined) entries.set(name, lazy);
  }
  const scaling = options.alpha / options.rank;
  for (const [target, { a, b }] of pairs) {
    if (a === undefined || b === undefined) throw new CheckpointError(lora.file, `has no matching lora_${a === undefined ? 'A' : 'B'}`, { tensor: a ?? b ?? target });
    const weight = entries.get(target);
    if (weight === undefined) throw new CheckpointError(lora.file, `adapts ${target}, which the base model ${base.file} does not have`, { tensor: a });
    const aInfo = lora.info(a);
    const bInfo = lora.info(b);
    const [out = 0, input = 0] = weight.info.shape;
    const fits = weight.info.shape.length === 2 && aInfo?.shape.length === 2 && bInfo?.shape.length === 2 && aInfo.shape[0] === options.rank && bInfo.shape[1] === options.rank && aInfo.shape[1] === input && bInfo.shape[0] === out;
    if (!fits) {
      throw new CheckpointError(lora.file, `lora_A ${formatShape(aInfo?.shape ?? [])} and lora_B ${formatShape(bInfo?.shape ?? [])} at rank ${String(options.rank)} do not fit ${target} ${formatShape(weight.info.shape)}`, { tensor: a });
    }
    entries.set(target, {
      info: { dtype: 'float32', shape: weight.info.shape },
      load: async () => {
        const [w, down, up] = await Promise.all([weight.load(), lora.read(a), lora.read(b)]);
        return tensor('float32', weight.info.shape, mergedWeight(toFloat32(w).data, toFloat32(down).data, toFloat32(up).data, out, input, options.rank, scaling));
      },
    });
  }
  return new LazyTensorStore(base.file, entries, async () => {
    await Promise.all([base.close(), lora.close()]);
  });
}

/** `W + s · B · A` for `W [out, in]`, `A [r, in]`, `B [out, r]`, accumulated in float64. */
function mergedWeight(w: Float32Array, a: Float32Array, b: Float32Array, out: number, input: number, rank: number, scaling: number): Float32Array {
  const merged = new Float32Array(out * input);
  for (let o = 0; o < out; o += 1) {
    for (let i = 0; i < input; i += 1) {
      let sum = 0;
      for (let k = 0; k < rank; k += 1) sum += (b[o * rank + k] ?? 0) * (a[k * input + i] ?? 0);
      merged[o * input + i] = (w[o * input + i] ?? 0) + scaling * sum;
    }
  }
  return merged;
}
