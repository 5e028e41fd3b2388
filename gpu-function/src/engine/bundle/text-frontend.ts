/**
 * The text frontend a loaded bundle gets: its symbol table, BERT, frontend data and G2PW model.
 * @module
 */
import { loadBertTokenizer } from '../../text/bert/index.ts';
import { createTextFrontend, type TextFrontend } from '../../text/frontend.ts';
import { describeMissing, frontendLanguages, loadFrontendData } from '../../text/frontend-data/index.ts';
import { g2pwSessionRunner, loadBundleG2pwAssets } from '../../text/zh/g2pw/bundle.ts';
import { sessionBertRunner, zeroZhBertFeatures, zhBertFeatures } from '../text/bert-runner.ts';
import type { LoadedBundle } from './loaded-bundle.ts';

/**
 * The bundle's text frontend: its symbol table, its BERT (for Mandarin), and the GPT-SoVITS frontend data the user
 * gave `gsv-edge bundle --gpt-sovits-dir` (npm data stands in for what is missing, and the engine says so), and its
 * G2PW model for Mandarin polyphones when it carries one. A bundle without BERT gives Mandarin zero BERT features, as
 * `gsv-edge bundle --help` promises (and as GPT-SoVITS does for every other language); the engine says so at start.
 */
export async function bundleTextFrontend(bundle: LoadedBundle, log: (message: string) => void): Promise<TextFrontend> {
  const bert = bundle.sessions.bert;
  const vocab = bundle.bertVocabPath;
  const data = await loadFrontendData(bundle.dir, bundle.manifest);
  if (data.missing.length > 0) log(`bundle ${bundle.manifest.id}: ${describeMissing(data.missing)}`);
  const tokenizer = vocab === undefined ? undefined : await loadBertTokenizer(vocab);
  const g2pwSession = bundle.sessions.g2pw;
  const g2pwAssets = await loadBundleG2pwAssets(bundle.dir, bundle.manifest);
  const g2pw = g2pwSession !== undefined && g2pwAssets !== undefined && tokenizer !== undefined
    ? { assets: g2pwAssets, tokenizer, run: g2pwSessionRunner(g2pwSession) }
    : undefined;
  const bertDim = bundle.manifest.t2s.dims.bertDim;
  if (bert === undefined || tokenizer === undefined) log(`bundle ${bundle.manifest.id}: no BERT, so Mandarin text gets zero BERT features (less natural prosody)`);
  return createTextFrontend({
    symbols: bundle.manifest.symbols.table,
    languages: frontendLanguages(data, g2pw === undefined ? {} : { g2pw }),
    bertDim,
    bert: bert !== undefined && tokenizer !== undefined ? zhBertFeatures(sessionBertRunner(bert), tokenizer) : zeroZhBertFeatures(bertDim),
  });
}
