/**
 * An independent float64 forward of BERT up to `hidden_states[-3]`, one segment at a time, straight from the
 * transformers definition (embeddings sum + LayerNorm, post-norm layers, softmax over the unmasked keys only).
 * The graph tests compare against it.
 * @module
 */
import { tensor, type HostTensor } from '../../tensor/index.ts';
import { bertComputedLayers, type BertDims } from './config.ts';
import { at, layerNorm64, matrix64, parameter64, postNormLayer64, type Matrix64, type ParameterSource } from './reference-math.ts';
import { BERT_EMBEDDINGS, bertLayerNames } from './weight-names.ts';

/** `hidden_states[-3]` [T, H] of one segment; `attentionMask[j]` false hides token j from every query. */
export async function bertSegmentReference(
  source: ParameterSource,
  dims: BertDims,
  tokenIds: readonly number[],
  attentionMask: readonly boolean[] = tokenIds.map(() => true),
): Promise<Matrix64> {
  const { hidden } = dims;
  const words = await parameter64(source, BERT_EMBEDDINGS.words, [dims.vocabSize, hidden]);
  const positions = await parameter64(source, BERT_EMBEDDINGS.positions, [dims.maxPositions, hidden]);
  const tokenTypes = await parameter64(source, BERT_EMBEDDINGS.tokenTypes, [dims.typeVocabSize, hidden]);
  const summed = matrix64(tokenIds.length, hidden);
  tokenIds.forEach((id, t) => {
    if (!Number.isInteger(id) || id < 0 || id >= dims.vocabSize) throw new RangeError(`token id ${id} at position ${t} is outside the vocabulary`);
    for (let c = 0; c < hidden; c += 1) {
      summed.data[t * hidden + c] = at(words, id * hidden + c) + at(positions, t * hidden + c) + at(tokenTypes, c);
    }
  });
  const gamma = await parameter64(source, `${BERT_EMBEDDINGS.norm}.weight`, [hidden]);
  const beta = await parameter64(source, `${BERT_EMBEDDINGS.norm}.bias`, [hidden]);
  let x: Matrix64 = layerNorm64(summed, gamma, beta, dims.layerNormEps);
  const shape = { hidden, heads: dims.heads, intermediate: dims.intermediate, layerNormEps: dims.layerNormEps };
  for (let i = 0; i < bertComputedLayers(dims); i += 1) x = await postNormLayer64(source, bertLayerNames(i), x, shape, attentionMask);
  return x;
}

/** The reference for a padded batch, laid out like the graph's `hidden` output [B, T, H]. */
export async function bertReference(source: ParameterSource, dims: BertDims, inputIds: HostTensor<'int64'>, attentionMask: HostTensor<'int64'>): Promise<HostTensor<'float64'>> {
  const [batch = 0, tokens = 0] = inputIds.shape;
  const out = new Float64Array(batch * tokens * dims.hidden);
  for (let b = 0; b < batch; b += 1) {
    const row = (values: BigInt64Array): number[] => Array.from(values.subarray(b * tokens, (b + 1) * tokens), Number);
    const states = await bertSegmentReference(source, dims, row(inputIds.data), row(attentionMask.data).map((m) => m !== 0));
    out.set(states.data, b * tokens * dims.hidden);
  }
  return tensor('float64', [batch, tokens, dims.hidden], out);
}
