/**
 * The last resort for a word no dictionary knows and no split explains: g2p_en's GRU when its weights are available
 * (`GSV_EDGE_G2P_EN_CHECKPOINT`), otherwise the rule-based English letter-to-sound of the `phonemize` package.
 * The fallback gives plausible phones but rarely g2p_en's exact ones.
 * @module
 */
import { createRequire } from 'node:module';
import { loadG2pEnWeights, predictWithG2pEn, type G2pEnWeights } from './g2p-en-gru.ts';
import { ipaToArpabet } from './ipa-to-arpabet.ts';

/** Predicts ARPAbet phones for one lower-case word. */
export type OovPredictor = (word: string) => string[];

export const G2P_EN_CHECKPOINT_ENV = 'GSV_EDGE_G2P_EN_CHECKPOINT';

type ToIpa = (text: string, language: string) => string;

let toIpa: ToIpa | undefined;

/** phonemize's ESM build imports JSON without import attributes, which Node rejects; its CommonJS build loads. */
function loadToIpa(): ToIpa {
  const phonemize = createRequire(import.meta.url)('phonemize') as { toIPA: ToIpa };
  return phonemize.toIPA;
}

export const ruleBasedOov: OovPredictor = (word) => {
  const letters = word.replace(/[^a-z]/gu, '');
  if (letters === '') return [];
  toIpa ??= loadToIpa();
  return ipaToArpabet(toIpa(letters, 'en-US'));
};

export function g2pEnOov(weights: G2pEnWeights): OovPredictor {
  return (word) => predictWithG2pEn(weights, word);
}

/** The predictor the environment asks for: g2p_en's GRU if `GSV_EDGE_G2P_EN_CHECKPOINT` names its weights. */
export async function oovPredictorFromEnvironment(env: NodeJS.ProcessEnv = process.env): Promise<OovPredictor> {
  const path = env[G2P_EN_CHECKPOINT_ENV];
  if (path === undefined || path === '') return ruleBasedOov;
  return g2pEnOov(await loadG2pEnWeights(path));
}
