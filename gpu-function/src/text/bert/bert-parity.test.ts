import { describe, expect, it } from 'vitest';
import { readHfBert } from '../../checkpoint/hf-bert.ts';
import { bertDimsFromArchitecture } from '../../models/bert/config.ts';
import { buildBertGraph } from '../../models/bert/graph.ts';
import { BERT_IO_NAMES } from '../../models/bert/io.ts';
import { encodeModel } from '../../onnx/index.ts';
import { ModelSession } from '../../runtime/index.ts';
import { readNpy, tensor } from '../../tensor/index.ts';
import { parityAvailable, parityPath, paritySkipReason } from '../../tensor/parity.ts';
import type { BertRunner } from '../types.ts';
import { zhG2p } from '../zh/index.ts';
import { bertFeatures, loadBertTokenizer } from './index.ts';

describe.skipIf(!parityAvailable)('BERT features against GPT-SoVITS get_bert_feature (hf/bert_micro)', () => {
  it('tokenizes 你好,世界. to the reference input ids', async () => {
    const tokenizer = await loadBertTokenizer(parityPath('hf', 'bert_micro', 'vocab.txt'));
    const expected = await readNpy(parityPath('hf', 'refs', 'bert_input_ids.npy'));
    expect(Array.from(tokenizer.encode('你好,世界.'), BigInt)).toEqual(Array.from(expected.data as BigInt64Array));
  });

  it('reproduces the phone-level features through the BERT graph, batched with another run', async () => {
    const tokenizer = await loadBertTokenizer(parityPath('hf', 'bert_micro', 'vocab.txt'));
    const bert = await readHfBert(parityPath('hf', 'bert_micro'));
    try {
      const dims = bertDimsFromArchitecture(bert.architecture);
      const session = await ModelSession.load(await encodeModel(buildBertGraph(bert.weights, dims, 'fp32')));
      const runner: BertRunner = async (batch) => {
        const width = Math.max(...batch.map((ids) => ids.length));
        const ids = new BigInt64Array(batch.length * width); // [B, T], right-padded with [PAD] = 0
        const mask = new BigInt64Array(batch.length * width);
        batch.forEach((row, b) => {
          row.forEach((id, t) => {
            ids[b * width + t] = BigInt(id);
            mask[b * width + t] = 1n;
          });
        });
        const out = await session.run({
          [BERT_IO_NAMES.inputIds]: tensor('int64', [batch.length, width], ids),
          [BERT_IO_NAMES.attentionMask]: tensor('int64', [batch.length, width], mask),
        });
        const hidden = out[BERT_IO_NAMES.hidden]!.data as Float32Array; // [B, T, H]
        const size = hidden.length / batch.length;
        const channels = size / width;
        return batch.map((row, b) => hidden.slice(b * size, b * size + row.length * channels));
      };
      const segment = zhG2p.convert('你好，世界。', 'v2');
      expect(segment.normText).toBe('你好,世界.');
      const [features, other] = await bertFeatures([segment, { normText: '世界', word2ph: [2, 2] }], runner, tokenizer);
      const expected = await readNpy(parityPath('hf', 'refs', 'bert_phone_level.npy')); // [H, phones]
      const [channels, phones] = expected.shape as [number, number];
      expect(features).toHaveLength(phones * channels);
      expect(other).toHaveLength(4 * channels);
      let maxAbs = 0;
      for (let p = 0; p < phones; p += 1) {
        for (let c = 0; c < channels; c += 1) {
          maxAbs = Math.max(maxAbs, Math.abs(features![p * channels + c]! - (expected.data as Float32Array)[c * phones + p]!));
        }
      }
      expect(maxAbs).toBeLessThan(1e-4);
    } finally {
      await bert.weights.close();
    }
  });
});

if (!parityAvailable) it.skip(paritySkipReason, () => undefined);
