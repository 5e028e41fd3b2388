/**
 * The text frontend a loaded bundle gets: its symbol table, BERT, frontend data and G2PW model.
 * @module
 */
import { loadBertTokenizer } from '../../text/bert/index.ts';
import { createTextFrontend, type TextFrontend } from '../../text/frontend.ts';
import { describeMissing, frontendLanguages, loadFrontendData } from '../../text/frontend-data/index.ts';
import { g2pwSessionRunner, loadBundleG2pwAssets } from '../../text/zh/g2pw/bundle.ts';
import { sessionBertRunner, zhBertFeatures } from '../text/bert-runner.ts';
import type { LoadedBundle } from './loaded-bundle.ts';

/**
 * The bundle's text frontend: its symbol table, its BERT (for Mandarin), and the GPT-SoVITS frontend data the user
 * gave `gsv-edge bundle --gpt-sovits-dir` (npm data stands in for what is missing, and the engine says so), and its
 * G2PW model for Mandarin polyphones when it carries one.
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
  return createTextFrontend({
    symbols: bundle.manifest.symbols.table,
    languages: frontendLanguages(data, g2pw === undefined ? {} : { g2pw }),
    bertDim: bundle.manifest.t2s.dims.bertDim,
    ...(bert !== undefined && tokenizer !== undefined ? { bert: zhBertFeatures(sessionBertRunner(bert), tokenizer) } : {}),
  });
}
