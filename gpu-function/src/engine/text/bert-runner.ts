/**
 * The frontend's BERT hook backed by the bundle's BERT graph: token-id rows padded into one batch, hidden states of
 * layer −3 cut back per row. A bundle built without BERT gets {@link zeroZhBertFeatures} instead.
 * @module
 */
import { BERT_IO_NAMES } from '../../models/bert/io.ts';
import type { ModelSession } from '../../runtime/session.ts';
import { tensor } from '../../tensor/tensor.ts';
import { bertFeatures } from '../../text/bert/features.ts';
import type { WordPieceTokenizer } from '../../text/bert/wordpiece.ts';
import type { ZhBertFeatures } from '../../text/frontend.ts';
import type { BertRunner } from '../../text/types.ts';

export function sessionBertRunner(session: ModelSession): BertRunner {
  return async (rows) => {
    const batch = rows.length;
    const length = Math.max(...rows.map((row) => row.length));
    const ids = new BigInt64Array(batch * length);
    const mask = new BigInt64Array(batch * length);
    rows.forEach((row, b) => {
      row.forEach((id, t) => {
        ids[b * length + t] = BigInt(id);
        mask[b * length + t] = 1n;
      });
    });
    const out = await session.run({
      [BERT_IO_NAMES.inputIds]: tensor('int64', [batch, length], ids),
      [BERT_IO_NAMES.attentionMask]: tensor('int64', [batch, length], mask),
    });
    const hidden = out[BERT_IO_NAMES.hidden];
    if (hidden?.dtype !== 'float32') throw new Error('BERT graph returned no float32 hidden states');
    const width = hidden.data.length / (batch * length);
    return rows.map((row, b) => (hidden.data as Float32Array).slice(b * length * width, (b * length + row.length) * width));
  };
}

export function zhBertFeatures(runner: BertRunner, tokenizer: WordPieceTokenizer): ZhBertFeatures {
  return async (normText, word2ph) => {
    const [features] = await bertFeatures([{ normText, word2ph }], runner, tokenizer);
    if (features === undefined) throw new Error('BERT produced no features');
    return features;
  };
}

/**
 * The BERT hook of a bundle built without BERT (`gsv-edge bundle` without `--bert`): Mandarin runs get zero
 * features, exactly what GPT-SoVITS gives every non-Mandarin run (`get_bert_inf`), so Mandarin is spoken with less
 * prosody guidance instead of being refused. `word2ph` sums to the run's phone count.
 */
export function zeroZhBertFeatures(bertDim: number): ZhBertFeatures {
  return (_normText, word2ph) => Promise.resolve(new Float32Array(word2ph.reduce((sum, count) => sum + count, 0) * bertDim));
}
