/**
 * An independent float64 forward of `HubertModel` (eval mode, no mask) for one utterance, straight from the
 * transformers definition. The graph tests compare against it.
 * @module
 */
import { tensor, type HostTensor } from '../../tensor/index.ts';
import { add64, at, gelu64, layerNorm64, linear64, map64, matrix64, parameter64, postNormLayer64, type Matrix64, type ParameterSource } from '../bert/reference-math.ts';
import { HUBERT_GROUP_NORM_EPS, type HubertDims } from './config.ts';
import { HUBERT_ENCODER_NORM, HUBERT_GROUP_NORM, HUBERT_POS_CONV, HUBERT_PROJECTION, hubertConv, hubertLayerNames } from './weight-names.ts';

/** `nn.Conv1d` on `x` [C_in, L] (rows are channels) with weight [C_out, C_in / groups, K] → [C_out, L_out]. */
export function conv1d64(x: Matrix64, weight: Float64Array, outChannels: number, kernel: number, options: { stride?: number; padding?: number; groups?: number; bias?: Float64Array | null }): Matrix64 {
  const { stride = 1, padding = 0, groups = 1, bias = null } = options;
  const inPerGroup = x.rows / groups;
  const outPerGroup = outChannels / groups;
  const length = Math.floor((x.cols + 2 * padding - kernel) / stride) + 1;
  const y = matrix64(outChannels, Math.max(length, 0));
  for (let o = 0; o < outChannels; o += 1) {
    const group = Math.floor(o / outPerGroup);
    for (let t = 0; t < length; t += 1) {
      let sum = bias === null ? 0 : at(bias, o);
      for (let c = 0; c < inPerGroup; c += 1) {
        const row = (group * inPerGroup + c) * x.cols;
        const taps = (o * inPerGroup + c) * kernel;
        for (let k = 0; k < kernel; k += 1) {
          const source = t * stride + k - padding;
          if (source >= 0 && source < x.cols) sum += at(x.data, row + source) * at(weight, taps + k);
        }
      }
      y.data[o * y.cols + t] = sum;
    }
  }
  return y;
}

/** GroupNorm with one group per channel: each row normalised over time (biased variance), then scaled. */
function channelNorm64(x: Matrix64, gamma: Float64Array, beta: Float64Array, eps: number): Matrix64 {
  const y = matrix64(x.rows, x.cols);
  for (let c = 0; c < x.rows; c += 1) {
    const row = x.data.subarray(c * x.cols, (c + 1) * x.cols);
    const mean = row.reduce((a, b) => a + b, 0) / x.cols;
    const variance = row.reduce((a, b) => a + (b - mean) * (b - mean), 0) / x.cols;
    for (let t = 0; t < x.cols; t += 1) y.data[c * x.cols + t] = ((at(row, t) - mean) / Math.sqrt(variance + eps)) * at(gamma, c) + at(beta, c);
  }
  return y;
}

function transpose64(x: Matrix64): Matrix64 {
  const y = matrix64(x.cols, x.rows);
  for (let r = 0; r < x.rows; r += 1) for (let c = 0; c < x.cols; c += 1) y.data[c * x.rows + r] = at(x.data, r * x.cols + c);
  return y;
}

export interface HubertReferenceOutput {
  /** Feature extractor output [C, frames]. */
  readonly convFeatures: Matrix64;
  /** last_hidden_state [frames, hidden]. */
  readonly lastHiddenState: Matrix64;
}

export async function hubertUtteranceReference(source: ParameterSource, dims: HubertDims, audio: Float64Array | Float32Array): Promise<HubertReferenceOutput> {
  const vector = async (name: string, size: number): Promise<Float64Array> => parameter64(source, name, [size]);
  let x = matrix64(1, audio.length, Float64Array.from(audio)); // [1, N]
  for (let i = 0; i < dims.convDims.length; i += 1) {
    const out = dims.convDims[i] ?? 0;
    const kernel = dims.convKernels[i] ?? 0;
    const weight = await parameter64(source, `${hubertConv(i)}.weight`, [out, x.rows, kernel]);
    const bias = dims.convBias ? await vector(`${hubertConv(i)}.bias`, out) : null;
    x = conv1d64(x, weight, out, kernel, { stride: dims.convStrides[i] ?? 1, bias });
    if (i === 0) x = channelNorm64(x, await vector(`${HUBERT_GROUP_NORM}.weight`, out), await vector(`${HUBERT_GROUP_NORM}.bias`, out), HUBERT_GROUP_NORM_EPS);
    x = map64(x, gelu64);
  }
  const convFeatures = x;
  const channels = convFeatures.rows;
  const { hidden, layerNormEps } = dims;
  let h = transpose64(convFeatures); // [T, C]
  if (dims.featureProjectionNorm) {
    h = layerNorm64(h, await vector(`${HUBERT_PROJECTION.norm}.weight`, channels), await vector(`${HUBERT_PROJECTION.norm}.bias`, channels), layerNormEps);
  }
  h = linear64(h, await parameter64(source, `${HUBERT_PROJECTION.linear}.weight`, [hidden, channels]), await vector(`${HUBERT_PROJECTION.linear}.bias`, hidden));
  const kernel = dims.posConvKernel;
  const posWeight = await parameter64(source, `${HUBERT_POS_CONV}.weight`, [hidden, hidden / dims.posConvGroups, kernel]);
  const positions = conv1d64(transpose64(h), posWeight, hidden, kernel, {
    padding: Math.floor(kernel / 2),
    groups: dims.posConvGroups,
    bias: await vector(`${HUBERT_POS_CONV}.bias`, hidden),
  }); // [H, T + 1] for an even kernel
  const frames = h.rows;
  const trimmed = matrix64(hidden, frames);
  for (let c = 0; c < hidden; c += 1) trimmed.data.set(positions.data.subarray(c * positions.cols, c * positions.cols + frames), c * frames);
  h = add64(h, transpose64(map64(trimmed, gelu64)));
  h = layerNorm64(h, await vector(`${HUBERT_ENCODER_NORM}.weight`, hidden), await vector(`${HUBERT_ENCODER_NORM}.bias`, hidden), layerNormEps);
  const everyFrame = Array.from({ length: frames }, () => true);
  const shape = { hidden, heads: dims.heads, intermediate: dims.intermediate, layerNormEps };
  for (let i = 0; i < dims.layers; i += 1) h = await postNormLayer64(source, hubertLayerNames(i), h, shape, everyFrame);
  return { convFeatures, lastHiddenState: h };
}

/** The reference for a batch of equal-length utterances, laid out like the graph's `features` [B, frames, H]. */
export async function hubertReference(source: ParameterSource, dims: HubertDims, audio: HostTensor<'float32'>): Promise<HostTensor<'float64'>> {
  const [batch = 0, samples = 0] = audio.shape;
  const rows: Float64Array[] = [];
  let frames = 0;
  for (let b = 0; b < batch; b += 1) {
    const { lastHiddenState } = await hubertUtteranceReference(source, dims, audio.data.subarray(b * samples, (b + 1) * samples));
    frames = lastHiddenState.rows;
    rows.push(lastHiddenState.data);
  }
  const out = new Float64Array(batch * frames * dims.hidden);
  rows.forEach((row, b) => {
    out.set(row, b * row.length);
  });
  return tensor('float64', [batch, frames, dims.hidden], out);
}
