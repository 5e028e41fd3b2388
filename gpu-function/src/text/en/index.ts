/**
 * English for the text frontend: GPT-SoVITS's `english.text_normalize` + `english.g2p`, plus `clean_text`'s rule
 * that English runs of fewer than 4 phones get a leading `,`.
 * @module
 */
import type { G2pResult, LanguageG2p } from '../types.ts';
import { englishPhones } from './g2p.ts';
import { normalizeEnglish } from './normalize.ts';
import { ruleBasedOov, type OovPredictor } from './oov.ts';

export { normalizeEnglish } from './normalize.ts';
export { G2P_EN_CHECKPOINT_ENV, oovPredictorFromEnvironment, ruleBasedOov, type OovPredictor } from './oov.ts';

export interface EnglishG2pOptions {
  /** How words in no dictionary are read; defaults to the rule-based fallback. */
  readonly oov?: OovPredictor;
}

export function createEnglishG2p(options: EnglishG2pOptions = {}): LanguageG2p {
  const predict = options.oov ?? ruleBasedOov;
  return {
    language: 'en',
    convert(text: string): G2pResult {
      const normText = normalizeEnglish(text);
      const { phones, word2ph } = englishPhones(normText, predict);
      if (phones.length < 4) return { normText, phones: [',', ...phones], word2ph: [1, ...word2ph] };
      return { normText, phones, word2ph };
    },
  };
}

/** English with the rule-based OOV fallback. */
export const enG2p: LanguageG2p = createEnglishG2p();
