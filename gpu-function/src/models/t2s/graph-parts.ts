/**
 * The pieces of the T2S forward that prefill and decode share: graph inputs from the io specs, token embeddings with
 * sinusoidal positions, the post-attention half of a layer, and the output projection. Mirrors GPT-SoVITS's
 * `Text2SemanticDecoder` / `T2SBlock` (post-norm layers, ReLU FFN, no final norm).
 * @module
 */
import type { GraphBuilder, Ops, Value } from '../../onnx/index.ts';
import { T2S_LAYER_NORM_EPS, type T2sDims } from './config.ts';

import type { GraphIo } from './io.ts';
import { T2S_WEIGHTS, t2sLayerWeights } from './weights.ts';

/** Declares every input of `io` on the graph and returns them by name. */
export function declareInputs(g: GraphBuilder, io: GraphIo): ReadonlyMap<string, Value> {
  return new Map(io.inputs.map((spec) => [spec.name, g.input(spec.name, spec.dtype, spec.dims)]));
}

/** Declares the graph's outputs in the order and with the shapes of `io`; every one must have been computed. */
export function declareOutputs(g: GraphBuilder, io: GraphIo, values: ReadonlyMap<string, Value>): void {
  for (const spec of io.outputs) {
    const value = values.get(spec.name);
    if (value === undefined) throw new Error(`T2S graph ${g.name}: output ${spec.name} was not computed`);
    if (value.dtype !== spec.dtype) throw new Error(`T2S graph ${g.name}: output ${spec.name} is ${value.dtype}, io.ts says ${spec.dtype}`);
    g.output(value, spec.name, spec.dims);
  }
}

export function requireInput(inputs: ReadonlyMap<string, Value>, name: string): Value {
  const value = inputs.get(name);
  if (value === undefined) throw new Error(`T2S graph: input ${name} was not declared`);
  return value;
}

/**
 * GPT-SoVITS's `div_term`: `exp(2k · -(ln 10000 / D))` rounded to float32 at each step as torch computes it (up to
 * torch's own float32 `exp` rounding), so the float32 angles `position · div_term` match GPT-SoVITS's.
 */
export function inverseFrequencies(hidden: number): number[] {
  const step = Math.fround(-Math.log(10000) / hidden);
  return Array.from({ length: hidden / 2 }, (_, k) => Math.fround(Math.exp(Math.fround(Math.fround(2 * k) * step))));
}

/**
 * `alpha · pe[positions]` for int64 positions of any shape `[...N]` → `[...N, D]` in the compute dtype. Angles and
 * sin/cos stay in float32 in every precision: fp16 cannot hold position · frequency for positions in the hundreds.
 * Sine and cosine are computed separately (not as sin(x + π/2), which rounds differently) and interleaved.
 */
export function scaledPositions(op: Ops, dims: T2sDims, positions: Value, alpha: Value): Value {
  const angles = op.mul(op.unsqueeze(op.cast(positions, 'float32'), [-1]), op.float32(inverseFrequencies(dims.hidden), [dims.hidden / 2])); // [...N, D/2]
  const pairs = op.concat([op.unsqueeze(op.sin(angles), [-1]), op.unsqueeze(op.cos(angles), [-1])], -1); // [...N, D/2, 2]
  const table = op.reshape(pairs, op.concat([op.shape(positions), op.i64([dims.hidden])], 0)); // [...N, D]: sin, cos, sin...
  return op.mul(op.toCompute(table), alpha);
}

/** `E_audio[tokens] + alpha_audio · pe[positions]`: tokens `[...N]` and positions broadcastable to them → `[...N, D]`. */
export function audioEmbedding(op: Ops, dims: T2sDims, tokens: Value, positions: Value): Value {
  const g = op.g;
  const embedded = op.gather(g.weight(T2S_WEIGHTS.audioEmbedding), tokens);
  return op.add(embedded, scaledPositions(op, dims, positions, g.weight(T2S_WEIGHTS.audioAlpha)));
}

/** Packed `in_proj`: `[..., D]` → `[..., 3D]` laid out q | k | v, heads contiguous inside each. */
export function qkvProjection(op: Ops, layer: number, h: Value): Value {
  const w = t2sLayerWeights(layer);
  return op.linear(h, op.g.weight(w.inProjWeight), op.g.weight(w.inProjBias));
}

/** The rest of a post-norm layer once attention produced `context` (heads merged, before `out_proj`). */
export function finishLayer(op: Ops, layer: number, h: Value, context: Value): Value {
  const g = op.g;
  const w = t2sLayerWeights(layer);
  const attended = op.linear(context, g.weight(w.outProjWeight), g.weight(w.outProjBias));
  const h1 = op.layerNorm(op.add(h, attended), g.weight(w.norm1Weight), g.weight(w.norm1Bias), T2S_LAYER_NORM_EPS);
  const hidden = op.relu(op.linear(h1, g.weight(w.linear1Weight), g.weight(w.linear1Bias))); // [..., 4D]
  const ff = op.linear(hidden, g.weight(w.linear2Weight), g.weight(w.linear2Bias));
  return op.layerNorm(op.add(h1, ff), g.weight(w.norm2Weight), g.weight(w.norm2Bias), T2S_LAYER_NORM_EPS);
}

/** `ar_predict_layer` (no bias), always float32 at the boundary. */
export function predictLogits(op: Ops, h: Value): Value {
  return op.toFloat32(op.linear(h, op.g.weight(T2S_WEIGHTS.predict), null));
}
