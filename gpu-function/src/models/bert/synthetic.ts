/**
 * Random BERT weights under the real checkpoint names and shapes, for tests and tiny development bundles. Values are
 * scaled so activations stay O(1) and attention is far from uniform, which makes the graph-vs-reference checks bite.
 * @module
 */
import { MemoryTensorStore, tensor } from '../../tensor/index.ts';
import { seededNormal } from '../../tensor/random.ts';
import type { BertDims } from './config.ts';
import { BERT_EMBEDDINGS, bertLayerNames } from './weight-names.ts';

/** Adds float32 tensors of `shape` drawn as `mean + std · N(0, 1)` to `store`. */
export function randomParameter(store: MemoryTensorStore, normal: () => number, name: string, shape: readonly number[], std: number, mean = 0): void {
  const size = shape.reduce((a, b) => a * b, 1);
  store.set(name, tensor('float32', shape, Float32Array.from({ length: size }, () => mean + std * normal())));
}

export function syntheticBertWeights(dims: BertDims, seed = 1): MemoryTensorStore {
  const store = new MemoryTensorStore();
  const normal = seededNormal(seed);
  const { hidden, intermediate } = dims;
  randomParameter(store, normal, BERT_EMBEDDINGS.words, [dims.vocabSize, hidden], 1);
  randomParameter(store, normal, BERT_EMBEDDINGS.positions, [dims.maxPositions, hidden], 0.5);
  randomParameter(store, normal, BERT_EMBEDDINGS.tokenTypes, [dims.typeVocabSize, hidden], 0.5);
  const norm = (prefix: string): void => {
    randomParameter(store, normal, `${prefix}.weight`, [hidden], 0.2, 1);
    randomParameter(store, normal, `${prefix}.bias`, [hidden], 0.1);
  };
  const dense = (prefix: string, outFeatures: number, inFeatures: number): void => {
    randomParameter(store, normal, `${prefix}.weight`, [outFeatures, inFeatures], 1.5 / Math.sqrt(inFeatures));
    randomParameter(store, normal, `${prefix}.bias`, [outFeatures], 0.1);
  };
  norm(BERT_EMBEDDINGS.norm);
  for (let i = 0; i < dims.layers; i += 1) {
    const names = bertLayerNames(i);
    for (const projection of [names.query, names.key, names.value, names.attentionOutput]) dense(projection, hidden, hidden);
    dense(names.intermediate, intermediate, hidden);
    dense(names.output, hidden, intermediate);
    norm(names.attentionNorm);
    norm(names.outputNorm);
  }
  return store;
}
