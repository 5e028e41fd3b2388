/**
 * The text frontend as the engine uses it: GPT-SoVITS's `TextPreprocessor` for target text (segmentation, then
 * phones and BERT features per segment) and `TTS.run`'s prompt-text preparation.
 *
 * Language modules with a model-backed path (G2PW for Mandarin, when the bundle carries it) are used by the
 * asynchronous methods, batched over every segment of a text (batched-modules.ts); the synchronous phone-only methods
 * read without models.
 *
 * BERT features are computed only for Mandarin runs, by the `bert` function the caller supplies (the bundle's BERT
 * behind a {@link BertRunner}); every other run gets zeros, as in GPT-SoVITS. Without `bert`, Mandarin is refused
 * by `prepare*` rather than given zero features; the phone-only methods work without it.
 * @module
 */
import type { TextLanguage, TextSplitMethod } from '@gsv-edge/shared';
import { withBatchedModules } from './batched-modules.ts';
import type { LanguageModules } from './cleaner.ts';
import { enG2p } from './en/index.ts';
import { segmentPhones, type PhoneSegment } from './frontend-phones.ts';
import { splitText } from './segment.ts';
import { SPLIT_MARKS } from './segment-methods.ts';
import type { FrontendSegment, SymbolTableVersion } from './types.ts';
import { zhG2p } from './zh/index.ts';

export type { PhoneRun, PhoneSegment } from './frontend-phones.ts';

/** BERT width of GPT-SoVITS models (chinese-roberta-wwm-ext-large hidden size); bundles may declare another. */
export const BERT_DIM = 1024;

/**
 * BERT features of one Mandarin run: layer −3 of the bundle's BERT for `normText` (one token per character),
 * each character's vector repeated `word2ph[i]` times; phone-major `[sum(word2ph), 1024]`.
 */
export type ZhBertFeatures = (normText: string, word2ph: readonly number[]) => Promise<Float32Array>;

export interface TextFrontendOptions {
  readonly symbols: SymbolTableVersion;
  /**
   * Language modules by run language; defaults to English and Mandarin on npm data only. A bundle's GPT-SoVITS data:
   * `frontendLanguages(await loadFrontendData(bundleDir))` (frontend-data/).
   */
  readonly languages?: LanguageModules;
  readonly bert?: ZhBertFeatures;
  /** Width of the BERT features the bundle's T2S takes (`bert_proj` input); defaults to {@link BERT_DIM}. */
  readonly bertDim?: number;
}

export interface TextFrontend {
  readonly symbols: SymbolTableVersion;
  /** Phones of one segment (`get_phones_and_bert` without BERT), without models: Mandarin pypinyin-style. */
  segmentPhones(text: string, lang: TextLanguage): PhoneSegment;
  /** Segments and their phones for a target text (`TextPreprocessor.preprocess` without BERT), without models. */
  targetPhones(text: string, lang: TextLanguage, method: TextSplitMethod): PhoneSegment[];
  /**
   * `targetPhones` with every model-backed language module (G2PW for Mandarin when the bundle has it), one batched
   * model call for all the segments: the phones synthesis uses.
   */
  targetPhonesWithModels(text: string, lang: TextLanguage, method: TextSplitMethod): Promise<PhoneSegment[]>;
  /** `TextPreprocessor.preprocess`: segments with phones (models included) and BERT features. */
  prepareTarget(text: string, lang: TextLanguage, method: TextSplitMethod): Promise<FrontendSegment[]>;
  /** The reference transcript, as `TTS.run` prepares it (models included). */
  preparePrompt(text: string, lang: TextLanguage): Promise<FrontendSegment>;
}

export const DEFAULT_LANGUAGES: LanguageModules = { en: enG2p, zh: zhG2p };

/** `TTS.run`: strip line breaks at the ends and end the transcript with 。 (. for en) unless it ends in a split mark. */
export function promptText(text: string, lang: TextLanguage): string {
  const stripped = text.replace(/^\n+|\n+$/gu, '');
  if (stripped === '') return stripped;
  return SPLIT_MARKS.has(Array.from(stripped).at(-1) ?? '') ? stripped : stripped + (lang === 'en' ? '.' : '。');
}

async function withBert(segment: PhoneSegment, bert: ZhBertFeatures | undefined, bertDim: number): Promise<FrontendSegment> {
  const features = new Float32Array(segment.phones.length * bertDim); // [phones, bertDim]
  let offset = 0;
  for (const run of segment.runs) {
    if (run.lang === 'zh' && run.phones.length > 0) {
      if (bert === undefined) throw new Error('Mandarin text needs BERT features, but the frontend has no BERT');
      const runFeatures = await bert(run.normText, run.word2ph);
      if (runFeatures.length !== run.phones.length * bertDim) {
        throw new Error(`BERT features for "${run.normText}" have ${runFeatures.length} values, expected ${run.phones.length}×${bertDim}`);
      }
      features.set(runFeatures, offset * bertDim);
    }
    offset += run.phones.length;
  }
  return {
    text: segment.text,
    normText: segment.normText,
    phones: segment.phones,
    phoneIds: segment.phoneIds,
    word2ph: segment.word2ph,
    bert: features,
  };
}

export function createTextFrontend(options: TextFrontendOptions): TextFrontend {
  const { symbols, bert } = options;
  const bertDim = options.bertDim ?? BERT_DIM;
  const modules = options.languages ?? DEFAULT_LANGUAGES;
  const targetPhonesWith = (languages: LanguageModules, text: string, lang: TextLanguage, method: TextSplitMethod): PhoneSegment[] =>
    splitText(text, method, lang)
      .map((segment) => segmentPhones(segment, lang, symbols, languages))
      .filter((segment) => segment.normText !== '');
  const targetPhonesWithModels = (text: string, lang: TextLanguage, method: TextSplitMethod): Promise<PhoneSegment[]> =>
    withBatchedModules(modules, symbols, (languages) => targetPhonesWith(languages, text, lang, method));
  return {
    symbols,
    segmentPhones: (text, lang) => segmentPhones(text, lang, symbols, modules),
    targetPhones: (text, lang, method) => targetPhonesWith(modules, text, lang, method),
    targetPhonesWithModels,
    async prepareTarget(text, lang, method) {
      const segments: FrontendSegment[] = [];
      for (const segment of await targetPhonesWithModels(text, lang, method)) segments.push(await withBert(segment, bert, bertDim));
      return segments;
    },
    async preparePrompt(text, lang) {
      const segment = await withBatchedModules(modules, symbols, (languages) => segmentPhones(promptText(text, lang), lang, symbols, languages));
      return withBert(segment, bert, bertDim);
    },
  };
}
