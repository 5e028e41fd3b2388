/**
 * Builds `hubert.onnx`: raw 16 kHz audio → `last_hidden_state`. Feature extractor (7 convs, per-channel group norm
 * after the first, GELU), feature projection, weight-normed positional conv, then post-norm transformer layers.
 * Initializer names are the checkpoint's `HubertModel` names.
 * @module
 */
import { GraphBuilder, Ops, writeModel, type ExternalDataFile, type Precision, type Value, type WeightSource, type WrittenModel } from '../../onnx/index.ts';
import { namedLayerNorm, namedLinear, postNormLayer } from '../bert/post-norm-layer.ts';
import { checkHubertDims, HUBERT_GROUP_NORM_EPS, type HubertDims } from './config.ts';
import { HUBERT_DIMS, HUBERT_FILE, HUBERT_IO_NAMES, hubertIo } from './io.ts';
import { HUBERT_ENCODER_NORM, HUBERT_GROUP_NORM, HUBERT_POS_CONV, HUBERT_PROJECTION, hubertConv, hubertLayerNames } from './weight-names.ts';

/** Name of the optional debugging output holding the feature extractor's output [B, C, frames]. */
export const HUBERT_CONV_FEATURES = 'conv_features';

export interface HubertGraphOptions {
  /** Also output the feature extractor's result as float32 `conv_features` (for locating parity differences). */
  readonly convFeatures?: boolean;
}

/**
 * audio [B, N] → [B, C, frames]. The first conv and its group norm stay float32 in fp16 graphs: the norm's variance is
 * taken over raw-amplitude conv outputs whose squares can leave fp16's range; after it values are O(1).
 */
function featureExtractor(op: Ops, audio: Value, dims: HubertDims): Value {
  const g = op.g;
  const bias = (i: number): Value | null => (dims.convBias ? g.weight(`${hubertConv(i)}.bias`) : null);
  const firstBias = bias(0);
  const waveform = op.unsqueeze(audio, [1]); // [B, 1, N]
  const first = op.conv(waveform, op.toFloat32(g.weight(`${hubertConv(0)}.weight`)), firstBias === null ? null : op.toFloat32(firstBias), {
    stride: dims.convStrides[0] ?? 1,
  }); // [B, C0, L0]
  // GroupNorm with one group per channel is InstanceNormalization over time.
  const scale = op.toFloat32(g.weight(`${HUBERT_GROUP_NORM}.weight`));
  const shift = op.toFloat32(g.weight(`${HUBERT_GROUP_NORM}.bias`));
  let x = op.gelu(op.toCompute(op.instanceNorm(first, scale, shift, HUBERT_GROUP_NORM_EPS))); // [B, C0, L0]
  for (let i = 1; i < dims.convDims.length; i += 1) {
    x = op.gelu(op.conv(x, g.weight(`${hubertConv(i)}.weight`), bias(i), { stride: dims.convStrides[i] ?? 1 })); // [B, Ci, Li]
  }
  return x;
}

/** Convolutional relative position embedding of `x` [B, T, H] → [B, T, H]. */
function positionalEmbedding(op: Ops, x: Value, dims: HubertDims): Value {
  const g = op.g;
  const channelsFirst = op.transpose(x, [0, 2, 1]); // [B, H, T]
  let positions = op.conv(channelsFirst, g.weight(`${HUBERT_POS_CONV}.weight`), g.weight(`${HUBERT_POS_CONV}.bias`), {
    padding: Math.floor(dims.posConvKernel / 2),
    groups: dims.posConvGroups,
  }); // [B, H, T + 1] for an even kernel
  // SamePad: an even kernel with padding k/2 makes one frame too many; transformers drops the last.
  if (dims.posConvKernel % 2 === 0) positions = op.slice(positions, [0], [-1], [2]); // [B, H, T]
  return op.transpose(op.gelu(positions), [0, 2, 1]); // [B, T, H]
}

export function buildHubertGraph(weights: WeightSource, dims: HubertDims, precision: Precision, options: HubertGraphOptions = {}): GraphBuilder {
  checkHubertDims(dims);
  const g = new GraphBuilder({ name: 'hubert', weights, precision });
  const op = new Ops(g);
  const io = hubertIo(dims);
  const [audioSpec] = io.inputs;
  const [featuresSpec] = io.outputs;
  if (audioSpec === undefined || featuresSpec === undefined) throw new Error('hubert io specs are incomplete');
  const audio = g.input(audioSpec.name, audioSpec.dtype, audioSpec.dims);
  const convFeatures = g.scoped('feature_extractor', () => featureExtractor(op, audio, dims)); // [B, C, T]
  let x = op.transpose(convFeatures, [0, 2, 1]); // [B, T, C]
  if (dims.featureProjectionNorm) x = namedLayerNorm(op, x, HUBERT_PROJECTION.norm, dims.layerNormEps);
  x = namedLinear(op, x, HUBERT_PROJECTION.linear); // [B, T, H]
  x = op.add(x, g.scoped('pos_conv_embed', () => positionalEmbedding(op, x, dims))); // [B, T, H]
  x = namedLayerNorm(op, x, HUBERT_ENCODER_NORM, dims.layerNormEps);
  const shape = { hidden: dims.hidden, heads: dims.heads, layerNormEps: dims.layerNormEps };
  for (let i = 0; i < dims.layers; i += 1) {
    const input = x;
    x = g.scoped(`layer${i}`, () => postNormLayer(op, input, null, hubertLayerNames(i), shape)); // [B, T, H]
  }
  g.output(op.toFloat32(x), HUBERT_IO_NAMES.features, featuresSpec.dims);
  if (options.convFeatures === true) {
    g.output(op.toFloat32(convFeatures), HUBERT_CONV_FEATURES, [HUBERT_DIMS.batch, dims.convDims.at(-1) ?? 0, HUBERT_DIMS.frames]);
  }
  return g;
}

/** Writes `hubert.onnx` into `dir` (weights inline, or appended to `externalData`). */
export async function writeHubertGraph(
  dir: string,
  weights: WeightSource,
  dims: HubertDims,
  precision: Precision,
  externalData?: ExternalDataFile,
): Promise<WrittenModel> {
  const graph = buildHubertGraph(weights, dims, precision);
  return writeModel(graph, {
    dir,
    fileName: HUBERT_FILE,
    ...(externalData === undefined ? {} : { externalData }),
    metadata: { model: 'chinese-hubert-base last_hidden_state', precision, dims: JSON.stringify(dims) },
  });
}
