import { describe, expect, it } from 'vitest';
import { encodeModel } from '../../../onnx/index.ts';
import { DEFAULT_RUNTIME_CONFIG, ModelSession } from '../../../runtime/index.ts';
import { tensor, type HostTensor } from '../../../tensor/index.ts';
import type { T2sDims } from '../config.ts';
import { T2sReferenceSequence, loadReferenceWeights } from '../reference.ts';
import { relativeError } from '../../sovits/testing/compare.ts';
import { syntheticInputs, syntheticT2sWeights } from '../synthetic-weights.ts';
import { T2S_WEIGHTS } from '../weights.ts';
import { OFFICIAL_STAGE, buildOfficialStageDecoder } from './stage-decoder.ts';

const DIMS: T2sDims = { layers: 2, hidden: 32, heads: 2, ffn: 128, phonemeVocab: 40, vocab: 65, eos: 64, bertDim: 1024 };
const [TEXT, PROMPT] = [7, 5];

function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}

const i64 = (values: readonly number[]): HostTensor => tensor('int64', [1, values.length], BigInt64Array.from(values, BigInt));

/** The official loop's state after its first stage: stacked caches from the reference prefill, prompt embeddings. */
async function setUp(positionOrigin: 0 | 1) {
  const weights = syntheticT2sWeights(DIMS, 17);
  const draw = syntheticInputs(4);
  const phones = draw.ints(TEXT, DIMS.phonemeVocab);
  const prompt = draw.ints(PROMPT, DIMS.eos);
  const reference = new T2sReferenceSequence(await loadReferenceWeights(weights, DIMS), DIMS, phones, draw.floats(TEXT * DIMS.bertDim), prompt);
  const session = await ModelSession.load(await encodeModel(buildOfficialStageDecoder(weights, DIMS, { topK: 5, positionOrigin })), DEFAULT_RUNTIME_CONFIG, 'official-stage');
  const stacked = (cache: Float64Array[][]): HostTensor => tensor('float32', [DIMS.layers, cache[0]!.length, 1, DIMS.hidden], Float32Array.from(cache.flatMap((rows) => rows.flatMap((row) => Array.from(row)))));
  const table = weights.get(T2S_WEIGHTS.audioEmbedding).data as Float32Array;
  const embeddings = Float32Array.from(prompt.flatMap((token) => Array.from(table.subarray(token * DIMS.hidden, (token + 1) * DIMS.hidden))));
  const feeds: Record<string, HostTensor> = {
    [OFFICIAL_STAGE.keys]: stacked(reference.keys),
    [OFFICIAL_STAGE.values]: stacked(reference.values),
    [OFFICIAL_STAGE.audioEmbeddings]: tensor('float32', [1, PROMPT, DIMS.hidden], embeddings),
    [OFFICIAL_STAGE.textExample]: tensor('float32', [1, TEXT], new Float32Array(TEXT)),
  };
  return { session, reference, prompt, feeds };
}

describe('GPT-SoVITS ONNX stage decoder (benchmark baseline)', () => {
  it('computes the same decode steps as the float64 reference, growing both stacked caches by one entry per step', async () => {
    const { session, reference, prompt, feeds } = await setUp(0);
    const tokens = [...prompt, argmax(reference.logits)];
    try {
      for (let step = 0; step < 4; step += 1) {
        const out = await session.run({ ...feeds, [OFFICIAL_STAGE.tokens]: i64(tokens) });
        const expected = reference.decode(tokens.at(-1)!);
        expect(relativeError(out[OFFICIAL_STAGE.logits]!.data as Float32Array, expected)).toBeLessThanOrEqual(1e-5);
        const cache = TEXT + PROMPT + step + 1;
        expect(out[OFFICIAL_STAGE.keysOut]!.shape).toEqual([DIMS.layers, cache, 1, DIMS.hidden]);
        const keys = out[OFFICIAL_STAGE.keysOut]!.data as Float32Array;
        for (let layer = 0; layer < DIMS.layers; layer += 1) {
          const newest = keys.subarray(((layer + 1) * cache - 1) * DIMS.hidden, (layer + 1) * cache * DIMS.hidden);
          expect(relativeError(newest, reference.keys[layer]![cache - 1]!)).toBeLessThanOrEqual(1e-5);
        }
        expect(out[OFFICIAL_STAGE.audioEmbeddingsOut]!.shape).toEqual([1, PROMPT + step + 1, DIMS.hidden]);
        feeds[OFFICIAL_STAGE.keys] = out[OFFICIAL_STAGE.keysOut]!;
        feeds[OFFICIAL_STAGE.values] = out[OFFICIAL_STAGE.valuesOut]!;
        feeds[OFFICIAL_STAGE.audioEmbeddings] = out[OFFICIAL_STAGE.audioEmbeddingsOut]!;
        tokens.push(argmax(expected));
      }
    } finally {
      await session.release();
    }
  });

  it('samples in the graph and appends the sample to y, as exported; its positions start at 1, not 0', async () => {
    const { session, reference, prompt, feeds } = await setUp(1);
    const tokens = [...prompt, argmax(reference.logits)];
    try {
      const out = await session.run({ ...feeds, [OFFICIAL_STAGE.tokens]: i64(tokens) });
      const sample = Number((out[OFFICIAL_STAGE.samples]!.data as BigInt64Array)[0]);
      expect(sample).toBeGreaterThanOrEqual(0);
      expect(sample).toBeLessThan(DIMS.vocab);
      expect(Array.from(out[OFFICIAL_STAGE.tokensOut]!.data as BigInt64Array, Number)).toEqual([...tokens, sample]);
      // The export's 1-based positions move the logits away from GPT-SoVITS's PyTorch model.
      expect(relativeError(out[OFFICIAL_STAGE.logits]!.data as Float32Array, reference.decode(tokens.at(-1)!))).toBeGreaterThan(1e-3);
    } finally {
      await session.release();
    }
  });
});
