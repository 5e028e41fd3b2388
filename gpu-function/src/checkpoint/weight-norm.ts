/**
 * Folds PyTorch weight norm (`weight_g`, `weight_v`) into the plain weight the graphs use: w = g * v / ||v||, the norm
 * taken over every dimension except `dim` (0 for GPT-SoVITS convs, where a ConvTranspose1d's dim 0 is its input
 * channel; 2 for HuBERT's positional conv). Computed in float64, stored as float32.
 * @module
 */
import { formatShape, tensor, toFloat64, type HostTensor } from '../tensor/index.ts';
import { CheckpointError } from './errors.ts';
import { LazyTensorStore, type LazyTensor } from './tensor-store.ts';

/** Returns the folded float32 weight; throws a RangeError when g's shape does not fit v's along `dim`. */
export function foldWeightNorm(g: HostTensor, v: HostTensor, dim: number): HostTensor<'float32'> {
  const shape = v.shape;
  if (dim < 0 || dim >= shape.length) throw new RangeError(`weight norm dim ${dim} is outside weight_v's shape ${formatShape(shape)}`);
  const expectedG = shape.map((size, axis) => (axis === dim ? size : 1));
  if (g.shape.length !== shape.length || g.shape.some((size, axis) => size !== expectedG[axis])) {
    throw new RangeError(`weight_g has shape ${formatShape(g.shape)}, expected ${formatShape(expectedG)} for weight_v ${formatShape(shape)}`);
  }
  const gains = toFloat64(g).data;
  const values = toFloat64(v).data;
  const size = shape[dim] ?? 1;
  let inner = 1;
  for (let axis = dim + 1; axis < shape.length; axis += 1) inner *= shape[axis] ?? 1;
  const outer = values.length / (size * inner);
  const squares = new Float64Array(size);
  for (let o = 0; o < outer; o += 1) {
    for (let j = 0; j < size; j += 1) {
      const base = (o * size + j) * inner;
      let sum = 0;
      for (let i = 0; i < inner; i += 1) {
        const x = values[base + i] ?? 0;
        sum += x * x;
      }
      squares[j] = (squares[j] ?? 0) + sum;
    }
  }
  const scale = new Float64Array(size);
  for (let j = 0; j < size; j += 1) scale[j] = (gains[j] ?? 0) / Math.sqrt(squares[j] ?? 0);
  const out = new Float32Array(values.length);
  for (let o = 0; o < outer; o += 1) {
    for (let j = 0; j < size; j += 1) {
      const base = (o * size + j) * inner;
      const factor = scale[j] ?? 0;
      for (let i = 0; i < inner; i += 1) out[base + i] = (values[base + i] ?? 0) * factor;
    }
  }
  return tensor('float32', shape, out);
}

const G_SUFFIX = '.weight_g';
const V_SUFFIX = '.weight_v';

/**
 * A store in which every `x.weight_g` + `x.weight_v` pair of `source` appears as one float32 `x.weight` (in the
 * place of `x.weight_g`). `dimFor` gives the weight-norm dim of a layer. An unpaired g or v fails naming the tensor.
 */
export function foldWeightNormStore(source: LazyTensorStore, dimFor: (layer: string) => number): LazyTensorStore {
  const entries = new Map<string, LazyTensor>();
  const names = new Set(source.names());
  for (const name of names) {
    if (name.endsWith(V_SUFFIX)) {
      if (!names.has(name.slice(0, -V_SUFFIX.length) + G_SUFFIX)) throw new CheckpointError(source.file, 'has no matching weight_g', { tensor: name });
      continue;
    }
    const lazy = source.lazy(name);
    if (lazy === undefined) continue;
    if (!name.endsWith(G_SUFFIX)) {
      entries.set(name, lazy);
      continue;
    }
    const layer = name.slice(0, -G_SUFFIX.length);
    const vName = layer + V_SUFFIX;
    const v = source.lazy(vName);
    if (v === undefined) throw new CheckpointError(source.file, 'has no matching weight_v', { tensor: name });
    if (names.has(`${layer}.weight`)) throw new CheckpointError(source.file, 'exists next to a weight-norm pair', { tensor: `${layer}.weight` });
    const dim = dimFor(layer);
    const expectedG = v.info.shape.map((size, axis) => (axis === dim ? size : 1));
    if (lazy.info.shape.length !== expectedG.length || lazy.info.shape.some((size, axis) => size !== expectedG[axis])) {
      throw new CheckpointError(source.file, `has shape ${formatShape(lazy.info.shape)}, expected ${formatShape(expectedG)} (weight norm over dim ${dim} of ${formatShape(v.info.shape)})`, { tensor: name });
    }
    entries.set(`${layer}.weight`, {
      info: { dtype: 'float32', shape: v.info.shape },
      load: async () => {
        const [gTensor, vTensor] = await Promise.all([source.read(name), source.read(vName)]);
        try {
          return foldWeightNorm(gTensor, vTensor, dim);
        } catch (error) {
          if (!(error instanceof RangeError)) throw error;
          throw new CheckpointError(source.file, error.message, { tensor: name });
        }
      },
    });
  }
  return new LazyTensorStore(source.file, entries, () => source.close());
}
