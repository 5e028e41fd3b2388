/**
 * The checkpoint tensors the T2S graphs read: `Text2SemanticDecoder` state_dict keys without the `model.` prefix,
 * so ONNX initializer names equal GPT-SoVITS names. Checked strictly before a graph is built.
 * @module
 */
import type { WeightSource } from '../../onnx/index.ts';
import { formatShape } from '../../tensor/index.ts';
import type { T2sDims } from './config.ts';

export const T2S_WEIGHTS = {
  bertProjWeight: 'bert_proj.weight',
  bertProjBias: 'bert_proj.bias',
  textEmbedding: 'ar_text_embedding.word_embeddings.weight',
  textAlpha: 'ar_text_position.alpha',
  audioEmbedding: 'ar_audio_embedding.word_embeddings.weight',
  audioAlpha: 'ar_audio_position.alpha',
  predict: 'ar_predict_layer.weight',
} as const;

/** The names of layer `i`'s tensors. */
export function t2sLayerWeights(i: number) {
  const p = `h.layers.${i}.`;
  return {
    inProjWeight: `${p}self_attn.in_proj_weight`,
    inProjBias: `${p}self_attn.in_proj_bias`,
    outProjWeight: `${p}self_attn.out_proj.weight`,
    outProjBias: `${p}self_attn.out_proj.bias`,
    linear1Weight: `${p}linear1.weight`,
    linear1Bias: `${p}linear1.bias`,
    linear2Weight: `${p}linear2.weight`,
    linear2Bias: `${p}linear2.bias`,
    norm1Weight: `${p}norm1.weight`,
    norm1Bias: `${p}norm1.bias`,
    norm2Weight: `${p}norm2.weight`,
    norm2Bias: `${p}norm2.bias`,
  };
}

/** Every tensor the graphs need, with its shape, in checkpoint order. */
export function t2sWeightShapes(dims: T2sDims): Map<string, readonly number[]> {
  const d = dims.hidden;
  const shapes = new Map<string, readonly number[]>([
    [T2S_WEIGHTS.bertProjWeight, [d, dims.bertDim]],
    [T2S_WEIGHTS.bertProjBias, [d]],
    [T2S_WEIGHTS.textEmbedding, [dims.phonemeVocab, d]],
    [T2S_WEIGHTS.textAlpha, [1]],
    [T2S_WEIGHTS.audioEmbedding, [dims.vocab, d]],
    [T2S_WEIGHTS.audioAlpha, [1]],
  ]);
  for (let i = 0; i < dims.layers; i += 1) {
    const w = t2sLayerWeights(i);
    shapes.set(w.inProjWeight, [3 * d, d]);
    shapes.set(w.inProjBias, [3 * d]);
    shapes.set(w.outProjWeight, [d, d]);
    shapes.set(w.outProjBias, [d]);
    shapes.set(w.linear1Weight, [dims.ffn, d]);
    shapes.set(w.linear1Bias, [dims.ffn]);
    shapes.set(w.linear2Weight, [d, dims.ffn]);
    shapes.set(w.linear2Bias, [d]);
    for (const name of [w.norm1Weight, w.norm1Bias, w.norm2Weight, w.norm2Bias]) shapes.set(name, [d]);
  }
  shapes.set(T2S_WEIGHTS.predict, [dims.vocab, d]);
  return shapes;
}

/** Fails, naming the tensor, unless `weights` holds every tensor the graphs need with the shape `dims` implies. */
export function checkT2sWeights(weights: WeightSource, dims: T2sDims): void {
  for (const [name, shape] of t2sWeightShapes(dims)) {
    const info = weights.info(name);
    if (info === undefined) throw new Error(`T2S weights: tensor '${name}' is missing`);
    if (formatShape(info.shape) !== formatShape(shape)) {
      throw new Error(`T2S weights: tensor '${name}' has shape ${formatShape(info.shape)}, expected ${formatShape(shape)}`);
    }
  }
}
