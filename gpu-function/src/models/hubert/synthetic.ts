/**
 * Random HuBERT weights under the real checkpoint names and shapes (positional conv already folded), for tests and
 * tiny development bundles. Scales follow fan-in so every stage keeps O(1) activations.
 * @module
 */
import { MemoryTensorStore } from '../../tensor/index.ts';
import { seededNormal } from '../../tensor/random.ts';
import { randomParameter } from '../bert/synthetic.ts';
import type { HubertDims } from './config.ts';
import { HUBERT_ENCODER_NORM, HUBERT_GROUP_NORM, HUBERT_POS_CONV, HUBERT_PROJECTION, hubertConv, hubertLayerNames } from './weight-names.ts';

export function syntheticHubertWeights(dims: HubertDims, seed = 1): MemoryTensorStore {
  const store = new MemoryTensorStore();
  const normal = seededNormal(seed);
  const norm = (prefix: string, size: number): void => {
    randomParameter(store, normal, `${prefix}.weight`, [size], 0.2, 1);
    randomParameter(store, normal, `${prefix}.bias`, [size], 0.1);
  };
  const dense = (prefix: string, outFeatures: number, inFeatures: number): void => {
    randomParameter(store, normal, `${prefix}.weight`, [outFeatures, inFeatures], 1.5 / Math.sqrt(inFeatures));
    randomParameter(store, normal, `${prefix}.bias`, [outFeatures], 0.1);
  };
  let input = 1;
  dims.convDims.forEach((out, i) => {
    const kernel = dims.convKernels[i] ?? 1;
    randomParameter(store, normal, `${hubertConv(i)}.weight`, [out, input, kernel], 1.5 / Math.sqrt(input * kernel));
    if (dims.convBias) randomParameter(store, normal, `${hubertConv(i)}.bias`, [out], 0.1);
    input = out;
  });
  norm(HUBERT_GROUP_NORM, dims.convDims[0] ?? 0);
  const { hidden, intermediate } = dims;
  if (dims.featureProjectionNorm) norm(HUBERT_PROJECTION.norm, input);
  dense(HUBERT_PROJECTION.linear, hidden, input);
  const perGroup = hidden / dims.posConvGroups;
  randomParameter(store, normal, `${HUBERT_POS_CONV}.weight`, [hidden, perGroup, dims.posConvKernel], 1.5 / Math.sqrt(perGroup * dims.posConvKernel));
  randomParameter(store, normal, `${HUBERT_POS_CONV}.bias`, [hidden], 0.1);
  norm(HUBERT_ENCODER_NORM, hidden);
  for (let i = 0; i < dims.layers; i += 1) {
    const names = hubertLayerNames(i);
    for (const projection of [names.query, names.key, names.value, names.attentionOutput]) dense(projection, hidden, hidden);
    dense(names.intermediate, intermediate, hidden);
    dense(names.output, hidden, intermediate);
    norm(names.attentionNorm, hidden);
    norm(names.outputNorm, hidden);
  }
  return store;
}
