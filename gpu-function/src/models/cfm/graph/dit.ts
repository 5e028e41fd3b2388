/**
 * The CFM estimator of GPT-SoVITS v3/v4: F5-TTS's `DiT` (`f5_tts/model/backbones/dit.py`, `modules.py`) with
 * x-transformers' rotary embedding, split in the two parts the engine runs at different rates:
 * - {@link textEmbedding}: `TextEmbedding` (fea + the float32 `freqs_cis` table + ConvNeXtV2 blocks), once per chunk;
 * - {@link ditVelocity}: time and step-size embeddings, `InputEmbedding` (projection + ConvPositionEmbedding), the
 *   AdaLN-Zero transformer blocks with RoPE, `norm_out` and `proj_out`, once per Euler step.
 *
 * Surprises reproduced: RoPE rotates only the first `dim_head` channels of q and k (x-transformers' partial rotary
 * applied before the head split: head 0 only), interleaved pairs, with `inv_freq` as stored in the checkpoint (fp16
 * rounded by GPT-SoVITS's save); GRN normalises over time; `norm_out` chunks (scale, shift), the blocks (shift, scale).
 *
 * Batching (deliberately unlike GPT-SoVITS's padded DiT call, see `io.ts`): every convolution input is zeroed past the
 * row's length (ConvPositionEmbedding's two k31 convolutions, ConvNeXt's depthwise conv), GRN's L2 norm over time
 * sees only valid frames, attention keys past the length are masked and attention rows past it are zeroed (as
 * GPT-SoVITS). Each row then computes what it would alone.
 *
 * Precision: in fp16 graphs the weights and the matrix work are fp16; what rounding would spoil stays float32: the
 * sinusoid angles (time · 1000, position · frequency), the RoPE angles, and GRN's sum of squares over time (which
 * overflows fp16 for long inputs).
 * @module
 */
import type { Value } from '../../../onnx/values.ts';
import { linear } from '../../sovits/graph/layers.ts';
import type { SovitsOps } from '../../sovits/graph/sovits-ops.ts';
import { DIT_CONSTANTS, type DitDims } from '../config.ts';

/** Receives named intermediates (for conformance tests); a no-op in product graphs. */
export type Tap = (name: string, value: Value) => void;

export interface DitWeights {
  /** Checkpoint prefix of the estimator (`cfm.estimator`). */
  readonly prefix: string;
}

const silu = (op: SovitsOps, x: Value): Value => op.mul(x, op.sigmoid(x));

/** `nn.GELU(approximate="tanh")`: `0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))`. */
function geluTanh(op: SovitsOps, x: Value): Value {
  const cube = op.mul(op.mul(x, x), x);
  const inner = op.mul(op.add(x, op.mul(cube, op.float(0.044715))), op.float(Math.sqrt(2 / Math.PI)));
  return op.mul(op.mul(x, op.float(0.5)), op.add(op.tanh(inner), op.float(1)));
}

/** LayerNorm over the last axis without affine parameters (`elementwise_affine=False`). */
function plainLayerNorm(op: SovitsOps, x: Value, width: number): Value {
  return op.layerNorm(x, op.float(new Array<number>(width).fill(1)), op.float(new Array<number>(width).fill(0)), DIT_CONSTANTS.layerNormEps);
}

/**
 * `SinusPositionEmbedding(dim).forward` frequencies: `exp(k · -(ln 10000 / (half - 1)))`, float32 at each step as
 * torch computes it (up to torch's own float32 `exp` rounding).
 */
export function timestepFrequencies(freqEmbedDim: number): number[] {
  const half = freqEmbedDim / 2;
  const step = Math.fround(-(Math.log(DIT_CONSTANTS.theta) / (half - 1)));
  return Array.from({ length: half }, (_, k) => Math.fround(Math.exp(Math.fround(k * step))));
}

/** `precompute_freqs_cis(text_dim, ...)` frequencies: `1 / 10000^(2j / dim)`, float32 at each step. */
export function textFrequencies(textDim: number): number[] {
  return Array.from({ length: textDim / 2 }, (_, j) => Math.fround(1 / Math.fround(DIT_CONSTANTS.theta ** Math.fround((2 * j) / textDim))));
}

/** `TimestepEmbedding`: `time [B]` float32 -> `[B, dim]` compute type. The angles `1000 · t · f` stay float32. */
export function timestepEmbedding(op: SovitsOps, time: Value, prefix: string, dims: DitDims): Value {
  const freqs = timestepFrequencies(dims.freqEmbedDim);
  const scaled = op.mul(op.unsqueeze(op.toFloat32(time), [1]), op.float32([DIT_CONSTANTS.timeScale], [])); // [B, 1]
  const angles = op.mul(scaled, op.float32(freqs, [1, freqs.length])); // [B, half]
  const features = op.toCompute(op.concat([op.sin(angles), op.cos(angles)], 1)); // [B, 256]: sin first
  const hidden = silu(op, linear(op, features, `${prefix}.time_mlp.0`));
  return linear(op, hidden, `${prefix}.time_mlp.2`);
}

/** `[B, N, 1]` float mask (compute type) of `valid [B, N]`. */
export function frameMask(op: SovitsOps, valid: Value): Value {
  return op.cast(op.unsqueeze(valid, [2]), op.g.floatType);
}

/**
 * `TextEmbedding(text_dim, conv_layers)`: `mu [B, N, C2]` (compute type) + `freqs_cis[min(p, 4095)]`, then the
 * ConvNeXtV2 blocks, each row over its valid frames `valid [B, N]` -> `[B, N, C2]`, zero past them.
 */
export function textEmbedding(op: SovitsOps, mu: Value, valid: Value, dims: DitDims, w: DitWeights): Value {
  const mask = frameMask(op, valid);
  const maxPosition = op.i64Scalar(DIT_CONSTANTS.textMaxPositions - 1);
  const positions = op.min([op.arange(op.dimScalar(mu, 1)), maxPosition]); // [N]
  const freqs = textFrequencies(dims.textDim);
  const angles = op.mul(op.unsqueeze(op.cast(positions, 'float32'), [1]), op.float32(freqs, [1, freqs.length])); // [N, C2/2]
  const table = op.toCompute(op.concat([op.cos(angles), op.sin(angles)], 1)); // [N, C2]: cos first
  let text = op.mul(op.add(mu, table), mask);
  for (let i = 0; i < dims.convLayers; i += 1) {
    const p = `${w.prefix}.text_embed.text_blocks.${i}`;
    const channelsFirst = op.transpose(text, [0, 2, 1]); // [B, C2, N]
    const depthwise = op.conv(channelsFirst, op.g.weight(`${p}.dwconv.weight`), op.g.weight(`${p}.dwconv.bias`), {
      padding: (dims.convKernel - 1) / 2,
      groups: dims.textDim,
    });
    let x = op.layerNorm(op.transpose(depthwise, [0, 2, 1]), op.g.weight(`${p}.norm.weight`), op.g.weight(`${p}.norm.bias`), DIT_CONSTANTS.layerNormEps);
    x = op.gelu(linear(op, x, `${p}.pwconv1`)); // [B, N, inner]
    x = globalResponseNorm(op, op.mul(x, mask), `${p}.grn`);
    text = op.mul(op.add(text, linear(op, x, `${p}.pwconv2`)), mask);
  }
  return text;
}

/** `GRN`: `Gx = ||x||_2 over time` (float32), `Nx = Gx / (mean_c Gx + 1e-6)`, `gamma (x Nx) + beta + x`. */
function globalResponseNorm(op: SovitsOps, x: Value, prefix: string): Value {
  const x32 = op.toFloat32(x);
  const gx = op.sqrt(op.reduceSum(op.mul(x32, x32), [1])); // [B, 1, inner]
  const nx = op.toCompute(op.div(gx, op.add(op.reduceMean(gx, [-1]), op.float32([DIT_CONSTANTS.grnEps], [])))); // [B, 1, inner]
  return op.add(op.add(op.mul(op.g.weight(`${prefix}.gamma`), op.mul(x, nx)), op.g.weight(`${prefix}.beta`)), x);
}

export interface VelocityInputs {
  readonly x: Value; // [B, N, mel] compute type (time-major)
  readonly cond: Value; // [B, N, mel]
  readonly text: Value; // [B, N, C2]
  readonly valid: Value; // [B, N] bool
  readonly t: Value; // [B] float32
  readonly d: Value; // [B] float32
}

/** The DiT forward after `text_embed`: `[B, N, mel]` velocity (compute type), rows past the length not meaningful. */
export function ditVelocity(op: SovitsOps, inputs: VelocityInputs, dims: DitDims, w: DitWeights, tap: Tap = () => undefined): Value {
  const p = (name: string): string => `${w.prefix}.${name}`;
  const timeEmbed = timestepEmbedding(op, inputs.t, p('time_embed'), dims);
  const stepEmbed = timestepEmbedding(op, inputs.d, p('d_embed'), dims);
  const t = op.add(timeEmbed, stepEmbed); // [B, D]
  tap('time_embed', timeEmbed);
  tap('d_embed', stepEmbed);
  tap('t', t);
  const mask = frameMask(op, inputs.valid); // [B, N, 1]

  const projected = linear(op, op.concat([inputs.x, inputs.cond, inputs.text], 2), p('input_embed.proj')); // [B, N, D]
  tap('input_proj', projected);
  let h = op.add(convPositionEmbedding(op, projected, mask, dims, p('input_embed.conv_pos_embed.conv1d')), projected);
  tap('input_embed', h);

  const rope = rotary(op, h, dims, p('rotary_embed.inv_freq'));
  const keep = op.unsqueeze(inputs.valid, [1, 2]); // [B, 1, 1, N]: keys
  const conditioning = silu(op, t);
  for (let i = 0; i < dims.depth; i += 1) {
    h = ditBlock(op, h, conditioning, mask, keep, rope, dims, p(`transformer_blocks.${i}`), i === 0 ? (name, value) => { tap(`block0_${name}`, value); } : () => undefined);
    tap(`block${i}_out`, h);
  }
  const [scale, shift] = op.split(linear(op, conditioning, p('norm_out.linear')), [dims.dim, dims.dim], 1) as [Value, Value];
  const normed = modulate(op, plainLayerNorm(op, h, dims.dim), scale, shift);
  tap('norm_out', normed);
  return linear(op, normed, p('proj_out')); // [B, N, mel]
}

/** `x · (1 + scale) + shift` with `[B, D]` scale and shift broadcast over frames. */
function modulate(op: SovitsOps, x: Value, scale: Value, shift: Value): Value {
  return op.add(op.mul(x, op.add(op.unsqueeze(scale, [1]), op.float(1))), op.unsqueeze(shift, [1]));
}

/** `ConvPositionEmbedding`: conv k31 g16 -> Mish -> conv -> Mish over `[B, N, D]`, zero past each row's length. */
function convPositionEmbedding(op: SovitsOps, x: Value, mask: Value, dims: DitDims, prefix: string): Value {
  const options = { padding: (dims.posConvKernel - 1) / 2, groups: dims.posConvGroups };
  const channelMask = op.transpose(mask, [0, 2, 1]); // [B, 1, N]
  const conv = (input: Value, index: number): Value =>
    op.conv(op.mul(input, channelMask), op.g.weight(`${prefix}.${index}.weight`), op.g.weight(`${prefix}.${index}.bias`), options);
  const first = op.mish(conv(op.transpose(x, [0, 2, 1]), 0)); // [B, D, N]
  const second = op.mish(conv(first, 2));
  return op.mul(op.transpose(second, [0, 2, 1]), mask);
}

interface Rope {
  readonly cos: Value; // [N, dh] compute type
  readonly sin: Value;
}

/** x-transformers `RotaryEmbedding.forward_from_seq_len`: angles `p · inv_freq[i]` (float32), each pair twice. */
function rotary(op: SovitsOps, like: Value, dims: DitDims, invFreqName: string): Rope {
  const invFreq = op.toFloat32(op.g.weight(invFreqName)); // [dh / 2], fp16-rounded by GPT-SoVITS's save
  const interleaved = op.gather(invFreq, op.i64(Array.from({ length: dims.dimHead }, (_, j) => j >> 1)), 0); // [dh]
  const positions = op.cast(op.arange(op.dimScalar(like, 1)), 'float32'); // [N]
  const angles = op.mul(op.unsqueeze(positions, [1]), op.unsqueeze(interleaved, [0])); // [N, dh]
  return { cos: op.toCompute(op.cos(angles)), sin: op.toCompute(op.sin(angles)) };
}

/**
 * `apply_rotary_pos_emb` on `[B, N, D]` before the head split: the first `dh` channels are rotated
 * (`x[2i] cos - x[2i+1] sin`, `x[2i+1] cos + x[2i] sin`), the rest pass through.
 */
function applyRotary(op: SovitsOps, x: Value, rope: Rope, dims: DitDims): Value {
  const dh = dims.dimHead;
  const [head, rest] = dims.dim === dh ? [x, undefined] : (op.split(x, [dh, dims.dim - dh], 2) as [Value, Value]);
  const pairs = op.reshape(head, [0, 0, dh / 2, 2]);
  const [even, odd] = op.split(pairs, [1, 1], 3) as [Value, Value];
  const rotated = op.reshape(op.concat([op.neg(odd), even], 3), [0, 0, dh]); // rotate_half
  const out = op.add(op.mul(head, rope.cos), op.mul(rotated, rope.sin));
  return rest === undefined ? out : op.concat([out, rest], 2);
}

/** `DiTBlock` with AdaLayerNormZero; `conditioning` = SiLU(t) `[B, D]`. */
function ditBlock(op: SovitsOps, x: Value, conditioning: Value, mask: Value, keep: Value, rope: Rope, dims: DitDims, prefix: string, tap: Tap): Value {
  const D = dims.dim;
  const emb = linear(op, conditioning, `${prefix}.attn_norm.linear`); // [B, 6D]
  tap('adaln_emb', emb);
  const [shiftMsa, scaleMsa, gateMsa, shiftMlp, scaleMlp, gateMlp] = op.split(emb, [D, D, D, D, D, D], 1) as [Value, Value, Value, Value, Value, Value];
  const norm = modulate(op, plainLayerNorm(op, x, D), scaleMsa, shiftMsa);
  tap('attn_norm', norm);
  const attended = op.mul(attention(op, norm, keep, rope, dims, `${prefix}.attn`), mask);
  tap('attn', attended);
  let h = op.add(x, op.mul(op.unsqueeze(gateMsa, [1]), attended));
  const norm2 = modulate(op, plainLayerNorm(op, h, D), scaleMlp, shiftMlp);
  const ff = linear(op, geluTanh(op, linear(op, norm2, `${prefix}.ff.ff.0.0`)), `${prefix}.ff.ff.2`);
  tap('ff', ff);
  h = op.add(h, op.mul(op.unsqueeze(gateMlp, [1]), ff));
  return h;
}

/** `Attention` + `AttnProcessor`: projections, RoPE on q and k, softmax over valid keys, `to_out.0`. */
function attention(op: SovitsOps, x: Value, keep: Value, rope: Rope, dims: DitDims, prefix: string): Value {
  const heads = (value: Value): Value => op.transpose(op.reshape(value, [0, 0, dims.heads, dims.dimHead]), [0, 2, 1, 3]); // [B, H, N, dh]
  const q = heads(applyRotary(op, linear(op, x, `${prefix}.to_q`), rope, dims));
  const k = heads(applyRotary(op, linear(op, x, `${prefix}.to_k`), rope, dims));
  const v = heads(linear(op, x, `${prefix}.to_v`));
  const scores = op.mul(op.matMul(q, op.transpose(k, [0, 1, 3, 2])), op.float(1 / Math.sqrt(dims.dimHead))); // [B, H, N, N]
  const weights = op.softmax(op.where(keep, scores, op.float(-1e4)), -1);
  const merged = op.reshape(op.transpose(op.matMul(weights, v), [0, 2, 1, 3]), [0, 0, dims.dim]); // [B, N, D]
  return linear(op, merged, `${prefix}.to_out.0`);
}
