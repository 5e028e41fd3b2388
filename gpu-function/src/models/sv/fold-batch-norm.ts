/**
 * Eval-mode BatchNorm folded into the conv before it at compile time: with s = gamma / sqrt(running_var + eps),
 * W' = W * s (per output channel) and b' = (b - running_mean) * s + beta. The `sv` graph then has one Conv per pair
 * and no BatchNormalization nodes. Folding runs in float64 and stores float32, one pair at a time as the writer asks.
 *
 * The folded tensors keep the conv's names (`layer1.0.conv1.weight`, `layer1.0.conv1.bias`), as weight-norm folding
 * keeps `.weight`, so graph initializers still read as the module paths of ERes2NetV2.
 * @module
 */
import { CheckpointError } from '../../checkpoint/errors.ts';
import type { WeightSource } from '../../onnx/index.ts';
import { formatShape, tensor, toFloat32, toFloat64, type HostTensor } from '../../tensor/index.ts';
import { SV_BATCH_NORM_EPS, svConvBnPairs, svDownsampleShape, SV_WEIGHTS_LABEL, type SvDims } from './config.ts';
import { SV_LAYER3_DS, type ConvBnNames } from './weight-names.ts';

export interface BatchNormParameters {
  readonly weight: HostTensor;
  readonly bias: HostTensor;
  readonly runningMean: HostTensor;
  readonly runningVar: HostTensor;
}

/** The per-channel scale s = gamma / sqrt(var + eps). */
function bnScale(bn: BatchNormParameters, eps: number): Float64Array {
  const gamma = toFloat64(bn.weight).data;
  const variance = toFloat64(bn.runningVar).data;
  return Float64Array.from(gamma, (g, c) => g / Math.sqrt((variance[c] ?? Number.NaN) + eps));
}

/** W' = W * s over dim 0 of a conv weight [out, in, kh, kw]. */
export function foldConvWeight(weight: HostTensor, bn: BatchNormParameters, eps = SV_BATCH_NORM_EPS): HostTensor<'float32'> {
  const scale = bnScale(bn, eps);
  const values = toFloat64(weight).data;
  const out = weight.shape[0] ?? 0;
  if (scale.length !== out) throw new RangeError(`BatchNorm has ${scale.length} channels but the conv weight ${formatShape(weight.shape)} has ${out} outputs`);
  const inner = values.length / out;
  const folded = new Float32Array(values.length);
  for (let o = 0; o < out; o += 1) {
    const s = scale[o] ?? 0;
    for (let i = o * inner; i < (o + 1) * inner; i += 1) folded[i] = (values[i] ?? 0) * s;
  }
  return tensor('float32', weight.shape, folded);
}

/** b' = (b - running_mean) * s + beta, with b = 0 for a bias-free conv. */
export function foldConvBias(convBias: HostTensor | null, bn: BatchNormParameters, eps = SV_BATCH_NORM_EPS): HostTensor<'float32'> {
  const scale = bnScale(bn, eps);
  const mean = toFloat64(bn.runningMean).data;
  const beta = toFloat64(bn.bias).data;
  const bias = convBias === null ? new Float64Array(scale.length) : toFloat64(convBias).data;
  return tensor('float32', [scale.length], Float32Array.from(scale, (s, c) => ((bias[c] ?? 0) - (mean[c] ?? 0)) * s + (beta[c] ?? 0)));
}

interface Entry {
  readonly shape: readonly number[];
  read(): Promise<HostTensor>;
}

/**
 * A WeightSource over `source` (the raw state dict) that offers each conv + BatchNorm pair of `dims` as a folded
 * float32 `<conv>.weight` and `<conv>.bias`, and `layer3_ds.weight` unchanged. A tensor the fold needs that the source
 * lacks fails on read with a CheckpointError naming it; `checkSvWeights` reports it before any graph is built.
 */
export function foldSvBatchNorms(source: WeightSource & { readonly file?: string }, dims: SvDims): WeightSource {
  const file = source.file ?? SV_WEIGHTS_LABEL;
  const read = async (name: string): Promise<HostTensor> => {
    if (source.info(name) === undefined) throw new CheckpointError(file, 'is missing', { tensor: name });
    return source.read(name);
  };
  const batchNorm = async (bn: string): Promise<BatchNormParameters> => {
    const [weight, bias, runningMean, runningVar] = await Promise.all(['weight', 'bias', 'running_mean', 'running_var'].map((t) => read(`${bn}.${t}`)));
    if (weight === undefined || bias === undefined || runningMean === undefined || runningVar === undefined) throw new Error(`BatchNorm ${bn} is incomplete`);
    return { weight, bias, runningMean, runningVar };
  };
  const guarded = async (pair: ConvBnNames, fold: () => Promise<HostTensor>): Promise<HostTensor> => {
    try {
      return await fold();
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      throw new CheckpointError(file, error.message, { tensor: `${pair.conv}.weight` });
    }
  };
  const entries = new Map<string, Entry>();
  for (const pair of svConvBnPairs(dims)) {
    entries.set(`${pair.conv}.weight`, {
      shape: pair.shape,
      read: () => guarded(pair, async () => foldConvWeight(await read(`${pair.conv}.weight`), await batchNorm(pair.bn))),
    });
    entries.set(`${pair.conv}.bias`, {
      shape: [pair.shape[0]],
      read: () => guarded(pair, async () => foldConvBias(pair.convBias ? await read(`${pair.conv}.bias`) : null, await batchNorm(pair.bn))),
    });
  }
  entries.set(`${SV_LAYER3_DS}.weight`, { shape: svDownsampleShape(dims), read: async () => toFloat32(await read(`${SV_LAYER3_DS}.weight`)) });
  return {
    info: (name) => {
      const entry = entries.get(name);
      return entry === undefined ? undefined : { dtype: 'float32', shape: entry.shape };
    },
    read: (name) => {
      const entry = entries.get(name);
      if (entry === undefined) return Promise.reject(new CheckpointError(file, 'is not a folded ERes2NetV2 tensor', { tensor: name }));
      return entry.read();
    },
  };
}
