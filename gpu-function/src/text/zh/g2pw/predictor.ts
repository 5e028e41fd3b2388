/**
 * GPT-SoVITS's `G2PWOnnxConverter.__call__` in pinyin style: for each sentence, every character's TONE3 pinyin —
 * polyphonic characters from the model, monophonic ones from its dictionary, the rest from the pypinyin-style
 * source on the simplified sentence. Sentences are read in Taiwan traditional form (OpenCC s2tw), as the model
 * was trained on traditional Chinese; queries use a ±16-character window and identical windows share one batch row
 * for the text inputs (`g2pw_sentence_dedup`).
 *
 * The ONNX model itself runs behind {@link G2pwModelRunner}, so only the runtime module touches onnxruntime.
 * @module
 */
import { Converter } from 'opencc-js/cn2t';
import { tensor, type HostTensor } from '../../../tensor/index.ts';
import type { WordPieceTokenizer } from '../../bert/wordpiece.ts';
import { traditionalToSimplified, type ToSimplified } from '../../normalize/char-convert.ts';
import type { PinyinSource } from '../pinyin-source.ts';
import type { G2pwAssets } from './assets.ts';
import { prepareRows, type QueryRow } from './model-input.ts';

/** Runs g2pW.onnx: feeds named as GPT-SoVITS passes them → `probs` `[rows, labels]` (row-major). */
export type G2pwModelRunner = (feeds: Readonly<Record<string, HostTensor>>) => Promise<Float32Array>;

export const G2PW_CONTEXT_CHARS = 16;

/** opencc-js's declarations import './core' without an extension, which `nodenext` cannot resolve; typed here. */
type ConverterFactory = (options: { readonly from: string; readonly to: string }) => (text: string) => string;
const createConverter = Converter as unknown as ConverterFactory;

let toTaiwan: ((text: string) => string) | undefined;
/** OpenCC `s2tw` (opencc-js matched OpenCC 1.1.6 on 834/834 lines, see frontend-libs notes in the README). */
export function simplifiedToTaiwan(text: string): string {
  const convert = (toTaiwan ??= createConverter({ from: 'cn', to: 'tw' }));
  const converted = convert(text);
  // g2pW asserts the conversion keeps the length; positions below index both strings alike.
  if (converted.length !== text.length) throw new Error(`s2tw changed the length of "${text}"`);
  return converted;
}

interface Query {
  readonly sentence: number;
  readonly position: number;
  readonly text: string;
  readonly queryId: number;
}

function int64(rows: readonly (readonly number[])[], width: number): HostTensor<'int64'> {
  const data = new BigInt64Array(rows.length * width); // [rows, width], zero-padded on the right
  rows.forEach((row, r) => {
    row.forEach((value, c) => {
      data[r * width + c] = BigInt(value);
    });
  });
  return tensor('int64', [rows.length, width], data);
}

function feeds(rows: readonly QueryRow[], textRows: readonly QueryRow[], labels: number): Record<string, HostTensor> {
  const width = Math.max(...textRows.map((row) => row.inputIds.length));
  const ids = textRows.map((row) => row.inputIds);
  const ones = textRows.map((row) => row.inputIds.map(() => 1));
  const masks = new Float32Array(rows.length * labels); // [rows, labels]
  rows.forEach((row, r) => {
    masks.set(row.phonemeMask, r * labels);
  });
  return {
    input_ids: int64(ids, width),
    token_type_ids: int64(ids.map((row) => row.map(() => 0)), width),
    attention_mask: int64(ones, width),
    phoneme_mask: tensor('float32', [rows.length, labels], masks),
    char_ids: tensor('int64', [rows.length], BigInt64Array.from(rows, (row) => BigInt(row.charId))),
    position_ids: tensor('int64', [rows.length], BigInt64Array.from(rows, (row) => BigInt(row.positionId))),
  };
}

function argmaxRows(probs: Float32Array, rows: number, labels: number): number[] {
  if (probs.length !== rows * labels) throw new Error(`g2pW returned ${probs.length} probabilities, expected ${rows}×${labels}`);
  return Array.from({ length: rows }, (_, r) => {
    let best = 0;
    for (let c = 1; c < labels; c += 1) if ((probs[r * labels + c] ?? 0) > (probs[r * labels + best] ?? 0)) best = c;
    return best;
  });
}

export class G2pw {
  readonly #assets: G2pwAssets;
  readonly #tokenizer: WordPieceTokenizer;
  readonly #run: G2pwModelRunner;
  readonly #fallback: PinyinSource;
  readonly #toSimplified: ToSimplified;

  /**
   * `fallback` reads the characters the model is not asked about (pypinyin's `pinyin` on the simplified sentence);
   * `toSimplified` is char_convert.py's table when the bundle has it, as `_prepare_data` converts with it.
   */
  constructor(
    assets: G2pwAssets,
    tokenizer: WordPieceTokenizer,
    run: G2pwModelRunner,
    fallback: PinyinSource,
    toSimplified: ToSimplified = traditionalToSimplified,
  ) {
    this.#assets = assets;
    this.#tokenizer = tokenizer;
    this.#run = run;
    this.#fallback = fallback;
    this.#toSimplified = toSimplified;
  }

  get assets(): G2pwAssets {
    return this.#assets;
  }

  /** `_convert_bopomofo_to_pinyin`: `ㄏㄤˊ`-style label with tone digit → `hang2`; undefined if unknown. */
  bopomofoToPinyin(label: string): string | undefined {
    const bopomofo = this.#assets.useCharPhoneme ? (label.split(' ')[1] ?? '') : label;
    const pinyin = this.#assets.bopomofoToPinyin.get(bopomofo.slice(0, -1));
    return pinyin ? pinyin + bopomofo.slice(-1) : undefined;
  }

  /** Per sentence, per UTF-16 character: TONE3 pinyin, the character itself (punctuation), or undefined. */
  async predict(sentences: readonly string[]): Promise<(string | undefined)[][]> {
    const results: (string | undefined)[][] = [];
    const queries: Query[] = [];
    sentences.forEach((original, sentence) => {
      const text = simplifiedToTaiwan(original);
      const fallback = this.#fallback.read(this.#toSimplified(text));
      const result: (string | undefined)[] = [];
      const polyphonic: number[] = [];
      for (let i = 0; i < text.length; i += 1) {
        const char = text[i] as string;
        const monophonic = this.#assets.monophonic.get(char);
        if (this.#assets.polyphonicChars.has(char)) {
          polyphonic.push(i);
          result.push(undefined);
        } else if (monophonic !== undefined) result.push(this.bopomofoToPinyin(monophonic));
        else result.push(fallback[i]);
      }
      const first = polyphonic[0];
      const last = polyphonic.at(-1);
      if (first !== undefined && last !== undefined) {
        const left = Math.max(0, first - G2PW_CONTEXT_CHARS);
        const window = text.slice(left, Math.min(text.length, last + G2PW_CONTEXT_CHARS + 1));
        for (const position of polyphonic) queries.push({ sentence, position, text: window, queryId: position - left });
      }
      results.push(result);
    });
    if (queries.length === 0) return results;
    const rows = prepareRows(this.#tokenizer, this.#assets, queries.map((q) => q.text), queries.map((q) => q.queryId));
    const labels = await this.#predictLabels(queries, rows);
    queries.forEach((query, i) => {
      const sentence = results[query.sentence] as (string | undefined)[];
      sentence[query.position] = this.bopomofoToPinyin(this.#assets.labels[labels[i] ?? 0] ?? '');
    });
    return results;
  }

  /** Sentence dedup: queries on the same window run together, sending that window's text inputs once. */
  async #predictLabels(queries: readonly Query[], rows: readonly QueryRow[]): Promise<number[]> {
    const count = this.#assets.labels.length;
    const groups = new Map<string, number[]>();
    queries.forEach((query, i) => groups.set(query.text, [...(groups.get(query.text) ?? []), i]));
    if (queries.length <= 1 || [...groups.values()].every((group) => group.length === 1)) {
      return argmaxRows(await this.#run(feeds(rows, rows, count)), rows.length, count);
    }
    const labels: number[] = [];
    for (const group of groups.values()) {
      const groupRows = group.map((i) => rows[i] as QueryRow);
      const textRows = group.length > 1 ? groupRows.slice(0, 1) : groupRows;
      const best = argmaxRows(await this.#run(feeds(groupRows, textRows, count)), groupRows.length, count);
      group.forEach((i, k) => {
        labels[i] = best[k] ?? 0;
      });
    }
    return labels;
  }
}
