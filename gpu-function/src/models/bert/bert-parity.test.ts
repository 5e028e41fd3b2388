import { describe, expect, it } from 'vitest';
import { readHfBert } from '../../checkpoint/hf-bert.ts';
import { encodeModel } from '../../onnx/index.ts';
import { ModelSession } from '../../runtime/index.ts';
import { readNpy, tensor, type HostTensor } from '../../tensor/index.ts';
import { parityAvailable, parityPath, paritySkipReason } from '../../tensor/parity.ts';
import { bertDimsFromArchitecture } from './config.ts';
import { agreement } from './error-metrics.ts';
import { buildBertGraph } from './graph.ts';
import { BERT_IO_NAMES } from './io.ts';
import { bertReference } from './reference.ts';

/** README §4: abs 1e-4 on the BERT states (fp32 vs fp64 noise there is 9e-7). */
const TOLERANCE = 1e-4;

async function int64Npy(...parts: string[]): Promise<HostTensor<'int64'>> {
  const value = await readNpy(parityPath(...parts));
  if (value.dtype !== 'int64') throw new Error(`${parts.join('/')} is ${value.dtype}, expected int64`);
  return value as HostTensor<'int64'>;
}

describe.skipIf(!parityAvailable)('BERT conformance with GPT-SoVITS (hf/bert_micro)', () => {
  it('reproduces hidden_states[-3] for 你好,世界. in fp32, and so does the float64 reference', async () => {
    const bert = await readHfBert(parityPath('hf', 'bert_micro'));
    try {
      const dims = bertDimsFromArchitecture(bert.architecture);
      const ids = await int64Npy('hf', 'refs', 'bert_input_ids.npy');
      const mask = await int64Npy('hf', 'refs', 'bert_attention_mask.npy');
      const expected = await readNpy(parityPath('hf', 'refs', 'bert_hidden_states_m3.npy'));
      const tokenTypes = await int64Npy('hf', 'refs', 'bert_token_type_ids.npy');
      expect(tokenTypes.data.every((type) => type === 0n)).toBe(true); // the graph hard-wires token type 0
      const model = await ModelSession.load(await encodeModel(buildBertGraph(bert.weights, dims, 'fp32')));
      const hidden = (await model.run({ [BERT_IO_NAMES.inputIds]: ids, [BERT_IO_NAMES.attentionMask]: mask }))[BERT_IO_NAMES.hidden]!;
      expect(hidden.shape).toEqual(expected.shape);
      expect(agreement(hidden, expected).maxAbs).toBeLessThan(TOLERANCE);
      const reference = await bertReference(bert.weights, dims, ids, mask);
      expect(agreement(reference, expected).maxAbs).toBeLessThan(TOLERANCE);
      // hidden_states[-3] must not be confused with its neighbours.
      const all = await readNpy(parityPath('hf', 'refs', 'bert_hidden_states_all.npy'));
      const size = expected.data.length;
      for (const neighbour of [1, 3]) {
        const state = tensor('float32', expected.shape, (all.data as Float32Array).slice(neighbour * size, (neighbour + 1) * size));
        expect(agreement(hidden, state).maxAbs).toBeGreaterThan(1e-2);
      }
    } finally {
      await bert.weights.close();
    }
  });
});

if (!parityAvailable) it.skip(paritySkipReason, () => undefined);
