/**
 * English for the text frontend: GPT-SoVITS's `english.text_normalize` + `english.g2p`, plus `clean_text`'s rule
 * that English runs of fewer than 4 phones get a leading `,`.
 * @module
 */
import type { G2pResult, LanguageG2p } from '../types.ts';
import { englishPhones, NPM_ENGLISH_MODELS, type EnglishModels } from './g2p.ts';
import type { PosTagger } from './perceptron-tagger.ts';
import type { WordSegmenter } from './word-segment.ts';
import { resolveLexicon, type EnglishLexicon, type EnglishLexiconData } from './lexicon.ts';
import { normalizeEnglish } from './normalize.ts';
import { ruleBasedOov, type OovPredictor } from './oov.ts';

export { normalizeEnglish } from './normalize.ts';
export { G2P_EN_CHECKPOINT_ENV, g2pEnOov, oovPredictorFromEnvironment, ruleBasedOov, type OovPredictor } from './oov.ts';
export { loadG2pEnWeights, type G2pEnWeights } from './g2p-en-gru.ts';
export { parseG2pEnHomographs, withGptSovitsOverrides, type Homograph } from './homographs.ts';
export { withoutDeletedAcronyms } from './cmudict.ts';
export type { EnglishLexicon, EnglishLexiconData } from './lexicon.ts';
export { createPerceptronTagger, type PerceptronTaggerData, type PosTagger } from './perceptron-tagger.ts';
export { createWordSegmenter, parseWordsegmentCounts, WORDSEGMENT_TOTAL, type WordSegmentCounts, type WordSegmenter } from './word-segment.ts';

export interface EnglishG2pOptions {
  /** How words in no dictionary are read; defaults to the rule-based fallback. */
  readonly oov?: OovPredictor;
  /** GPT-SoVITS's dictionary, names and homographs where the bundle has them; npm data for the rest. */
  readonly lexicon?: EnglishLexiconData;
  /** NLTK's averaged perceptron with the user's weights; defaults to wink-pos-tagger (npm). */
  readonly posTagger?: PosTagger;
  /** wordsegment with the user's counts; defaults to SUBTLEXus unigrams (npm). */
  readonly wordSegmenter?: WordSegmenter;
}

export function createEnglishG2p(options: EnglishG2pOptions = {}): LanguageG2p {
  const predict = options.oov ?? ruleBasedOov;
  const models: EnglishModels = { tag: options.posTagger ?? NPM_ENGLISH_MODELS.tag, segment: options.wordSegmenter ?? NPM_ENGLISH_MODELS.segment };
  let lexicon: EnglishLexicon | undefined;
  return {
    language: 'en',
    convert(text: string): G2pResult {
      const normText = normalizeEnglish(text);
      lexicon ??= resolveLexicon(options.lexicon);
      const { phones, word2ph } = englishPhones(normText, lexicon, predict, models);
      if (phones.length < 4) return { normText, phones: [',', ...phones], word2ph: [1, ...word2ph] };
      return { normText, phones, word2ph };
    },
  };
}

/** English on npm data only, with the rule-based OOV fallback. */
export const enG2p: LanguageG2p = createEnglishG2p();
