/**
 * The contract inside the text frontend, and between the frontend and the engine.
 *
 * GPT-SoVITS's flow (TextPreprocessor.get_phones_and_bert → cleaner.clean_text → <lang>.text_normalize / g2p →
 * cleaned_text_to_sequence) maps onto: a language splitter yields runs of one language; each run goes through that
 * language's {@link LanguageG2p}; runs are concatenated; phone symbols become ids in the bundle's symbol table; only
 * Mandarin runs get BERT features (zeros elsewhere).
 * @module
 */

/** GPT-SoVITS symbol tables: v1 has 322 symbols, v2 (used by v2, v2Pro, v2ProPlus, v3, v4) has 732. */
export type SymbolTableVersion = 'v1' | 'v2';

/** Languages a run of text can be in after splitting (GPT-SoVITS's LangSegmenter output). */
export type RunLanguage = 'zh' | 'en' | 'ja' | 'ko' | 'yue';

/** One language's normalize + grapheme-to-phoneme step for one run of text. */
export interface G2pResult {
  /** The normalized text GPT-SoVITS feeds to BERT (for zh: one character per BERT token). */
  readonly normText: string;
  /** Phone symbols, as in GPT-SoVITS's symbol tables (`n`, `i3`, `AH0`, `,` ...). */
  readonly phones: readonly string[];
  /** Phones per character of `normText` (zh) or per word (en); sums to `phones.length`. */
  readonly word2ph: readonly number[];
}

export interface LanguageG2p {
  readonly language: RunLanguage;
  /** Normalizes and converts one run of text in this language. Pure and synchronous. */
  convert(text: string, symbols: SymbolTableVersion): G2pResult;
  /**
   * The model-backed path, when the module has one (G2PW for Mandarin): converts many runs with one batched model
   * call. The frontend's asynchronous methods use it; `convert` stays the synchronous path without the model.
   */
  convertBatch?(texts: readonly string[], symbols: SymbolTableVersion): Promise<G2pResult[]>;
}

/** What the engine receives for one text segment (after cut0-cut5 splitting), ready for T2S. */
export interface FrontendSegment {
  /** The segment's text as split, before normalization. */
  readonly text: string;
  readonly normText: string;
  readonly phones: readonly string[];
  /** Ids in the bundle's symbol table; unknown symbols become `UNK`'s id. */
  readonly phoneIds: Int32Array;
  readonly word2ph: readonly number[];
  /** BERT features per phone, phone-major `[phones, 1024]`; zeros for every language but zh. */
  readonly bert: Float32Array;
}

/** Runs the bundle's BERT graph: token ids (with [CLS]/[SEP]) → hidden state of layer −3, `[tokens, 1024]`. */
export type BertRunner = (tokenIds: readonly Int32Array[]) => Promise<Float32Array[]>;
