/**
 * GPT-SoVITS's `get_bert_feature` for Mandarin runs, batched: every run's `[CLS] chars [SEP]` goes to the BERT runner
 * in one call; each run's hidden states lose [CLS]/[SEP] and each character's row is repeated `word2ph[i]` times.
 * @module
 */
import type { BertRunner } from '../types.ts';
import type { WordPieceTokenizer } from './wordpiece.ts';

export interface BertSegment {
  /** zh normalized text: CJK ideographs and `!?…,.-`, one BERT token per character. */
  readonly normText: string;
  readonly word2ph: readonly number[];
}

/** Token ids for one run, checked to be one token per character as GPT-SoVITS assumes. */
export function segmentTokenIds(tokenizer: WordPieceTokenizer, segment: BertSegment): Int32Array {
  const ids = tokenizer.encode(segment.normText);
  const chars = Array.from(segment.normText).length;
  if (ids.length - 2 !== chars) {
    throw new Error(`BERT tokenized "${segment.normText}" into ${ids.length - 2} tokens, expected one per character (${chars})`);
  }
  if (segment.word2ph.length !== chars) {
    throw new Error(`word2ph has ${segment.word2ph.length} entries for ${chars} characters of "${segment.normText}"`);
  }
  return ids;
}

/** Repeats row i of `hidden` (`[tokens, width]`, [CLS] first) `word2ph[i]` times: phone-major `[phones, width]`. */
export function expandToPhones(hidden: Float32Array, tokens: number, word2ph: readonly number[]): Float32Array {
  if (tokens === 0 || hidden.length % tokens !== 0) {
    throw new Error(`BERT output of ${hidden.length} values does not split into ${tokens} token rows`);
  }
  const width = hidden.length / tokens;
  const phones = word2ph.reduce((sum, count) => sum + count, 0);
  const out = new Float32Array(phones * width); // [phones, width]
  let row = 0;
  word2ph.forEach((count, char) => {
    const source = hidden.subarray((char + 1) * width, (char + 2) * width); // +1 skips [CLS]
    for (let k = 0; k < count; k += 1, row += 1) out.set(source, row * width);
  });
  return out;
}

/**
 * Features for many Mandarin runs with ONE runner call (the BERT graph pads the batch). Empty runs get an empty
 * array without reaching the runner. Returns `[phones_i, width]` per run, in order.
 */
export async function bertFeatures(
  segments: readonly BertSegment[],
  runBert: BertRunner,
  tokenizer: WordPieceTokenizer,
): Promise<Float32Array[]> {
  const ids = segments.map((segment) => (segment.normText === '' ? undefined : segmentTokenIds(tokenizer, segment)));
  const batch = ids.filter((value): value is Int32Array => value !== undefined);
  const hidden = batch.length === 0 ? [] : await runBert(batch);
  if (hidden.length !== batch.length) throw new Error(`BERT runner returned ${hidden.length} results for ${batch.length} inputs`);
  let next = 0;
  return segments.map((segment, i) => {
    const tokens = ids[i];
    if (tokens === undefined) return new Float32Array(0);
    const states = hidden[next] as Float32Array;
    next += 1;
    return expandToPhones(states, tokens.length, segment.word2ph);
  });
}
