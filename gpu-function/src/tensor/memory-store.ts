import { formatShape, type DType, type HostTensor } from './tensor.ts';

/** Tensors held in memory under names: weights derived at build time, and test fixtures. */
export class MemoryTensorStore {
  readonly #tensors: Map<string, HostTensor>;

  constructor(entries: Iterable<readonly [string, HostTensor]> = []) {
    this.#tensors = new Map(entries);
  }

  set(name: string, value: HostTensor): this {
    this.#tensors.set(name, value);
    return this;
  }

  names(): readonly string[] {
    return [...this.#tensors.keys()];
  }

  info(name: string): { readonly dtype: DType; readonly shape: readonly number[] } | undefined {
    const value = this.#tensors.get(name);
    return value === undefined ? undefined : { dtype: value.dtype, shape: value.shape };
  }

  get(name: string): HostTensor {
    const value = this.#tensors.get(name);
    if (value === undefined) throw new Error(`no tensor named ${name}`);
    return value;
  }

  read(name: string): Promise<HostTensor> {
    return Promise.resolve(this.get(name));
  }

  describe(): string {
    return [...this.#tensors].map(([name, value]) => `${name} ${value.dtype} ${formatShape(value.shape)}`).join('\n');
  }
}
