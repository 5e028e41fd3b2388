/**
 * The contract between the BERT graph and the engine: file name, input and output names, dtypes and shapes. The
 * builder declares its inputs and outputs from these specs; the engine imports this module, never the builder.
 *
 * Batching: B text segments, each `[CLS] tokens [SEP]` (GPT-SoVITS runs them one at a time), padded on the right to
 * the longest with any valid id (e.g. `[PAD]` = 0) and `attention_mask` 0:
 * - positions are 0..T-1 in every row and token types are all 0, as `tokenizer(text)` gives for one segment;
 * - padded keys get the additive mask `finfo.min` (as transformers does), so each valid position equals the
 *   segment's own single run (up to float rounding); rows at padded positions are finite but meaningless;
 * - every row needs at least one valid token, and T must not exceed `maxPositions` (512).
 *
 * `hidden` is `hidden_states[-3]` (the output of encoder layer L-3), float32 whatever the graph's precision. The
 * caller drops `[CLS]`/`[SEP]` and expands tokens to phones (`word2ph`).
 * @module
 */
import type { GraphIo, IoDim, TensorSpec } from '../io-spec.ts';

export type { GraphIo, IoDim, TensorSpec };
import type { BertDims } from './config.ts';

export const BERT_FILE = 'bert.onnx';

export const BERT_IO_NAMES = {
  inputIds: 'input_ids',
  attentionMask: 'attention_mask',
  hidden: 'hidden',
} as const;

export const BERT_DIMS = { batch: 'batch', tokens: 'tokens' } as const;

export function bertIo(dims: BertDims): GraphIo {
  const { batch, tokens } = BERT_DIMS;
  return {
    inputs: [
      { name: BERT_IO_NAMES.inputIds, dtype: 'int64', dims: [batch, tokens] },
      { name: BERT_IO_NAMES.attentionMask, dtype: 'int64', dims: [batch, tokens] },
    ],
    outputs: [{ name: BERT_IO_NAMES.hidden, dtype: 'float32', dims: [batch, tokens, dims.hidden] }],
  };
}
