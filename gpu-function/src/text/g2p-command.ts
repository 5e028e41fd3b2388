/**
 * `gsv-edge g2p`: shows what the text frontend makes of a text, as JSON.
 *
 *   gsv-edge g2p --lang zh --symbols v2 "text"   one JSON document with the segments
 *   gsv-edge g2p --lang en < lines.txt           one JSON line per input line (batch)
 *   gsv-edge g2p --bundle models/NAME "text"     with the GPT-SoVITS data the bundle carries, in its symbol table,
 *                                                 and its G2PW model for Mandarin when it has one
 *
 * Japanese (`--lang ja`, `all_ja`, or Japanese inside `auto`) needs `--bundle` with a bundle that carries
 * pyopenjtalk's dictionary (built with `--gpt-sovits-dir`/`--python-site-packages` from an install that has it):
 * there is no npm stand-in for it, so without one Japanese is reported as `language_not_supported`.
 *
 * Each segment carries `text`, `norm_text`, `phones` (symbols), `phone_ids` and `word2ph`. Every frontend data set
 * that is not in use is named in a warning on stderr (npm data stands in for it). `GSV_EDGE_PYPINYIN_DIR` and
 * `GSV_EDGE_G2P_EN_CHECKPOINT` still replace pypinyin's and g2p_en's data, for development.
 * @module
 */
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import {
  ApiError,
  TEXT_LANGUAGES,
  TEXT_SPLIT_METHODS,
  type TextLanguage,
  type TextSplitMethod,
} from '@gsv-edge/shared';
import type { Subcommand } from '../cli/main.ts';
import { BERT_VOCAB_PATH } from '../models/bundle/layout.ts';
import { readBundleManifest, type BundleManifest } from '../models/bundle/manifest.ts';
import { describeMissing } from './frontend-data/describe.ts';
import { withEnvironmentOverrides } from './frontend-data/environment.ts';
import { frontendLanguages } from './frontend-data/languages.ts';
import { loadFrontendData, NPM_ONLY_FRONTEND_DATA } from './frontend-data/load.ts';
import { createTextFrontend, type TextFrontend } from './frontend.ts';
import type { SymbolTableVersion } from './types.ts';
import type { G2pwModel } from './zh/g2pw/bundle.ts';

const USAGE = `usage: gsv-edge g2p [--bundle models/NAME] [--lang LANG] [--symbols v1|v2] [--split cut0..cut5] [TEXT]
  --bundle   use the GPT-SoVITS frontend data this bundle carries (gsv-edge bundle --gpt-sovits-dir) and its
             symbol table; without it the frontend runs on npm data only
  --lang     ${TEXT_LANGUAGES.join(', ')} (default auto); Japanese needs a --bundle with pyopenjtalk's dictionary
  --symbols  symbol table: v1 (322 symbols) or v2 (732); default the bundle's, else v2
  --split    GPT-SoVITS text split method (default cut5, as api_v2)
  TEXT       the text; without it, one text per line is read from standard input
`;

function isOneOf<T extends string>(values: readonly T[], value: string): value is T {
  return (values as readonly string[]).includes(value);
}

/** The phones synthesis would use: with the bundle's G2PW model, when it has one. */
async function describe(frontend: TextFrontend, text: string, lang: TextLanguage, method: TextSplitMethod): Promise<object> {
  const segments = (await frontend.targetPhonesWithModels(text, lang, method)).map((segment) => ({
    text: segment.text,
    norm_text: segment.normText,
    phones: segment.phones,
    phone_ids: Array.from(segment.phoneIds),
    word2ph: segment.word2ph,
  }));
  return { text, lang, symbols: frontend.symbols, segments };
}

function errorOf(error: unknown): { code: string; message: string } {
  if (error instanceof ApiError) return { code: error.code, message: error.message };
  return { code: 'internal_error', message: error instanceof Error ? error.message : String(error) };
}

async function runBatch(frontend: TextFrontend, lang: TextLanguage, method: TextSplitMethod): Promise<number> {
  let failed = false;
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    try {
      process.stdout.write(`${JSON.stringify(await describe(frontend, line, lang, method))}\n`);
    } catch (error) {
      failed = true;
      process.stdout.write(`${JSON.stringify({ text: line, lang, error: errorOf(error) })}\n`);
    }
  }
  return failed ? 1 : 0;
}

async function run(argv: readonly string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      options: {
        bundle: { type: 'string' },
        lang: { type: 'string', default: 'auto' },
        symbols: { type: 'string' },
        split: { type: 'string', default: 'cut5' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const { lang, split, bundle } = values;
  const symbolsOption = values.symbols;
  const symbolsValid = symbolsOption === undefined || isOneOf<SymbolTableVersion>(['v1', 'v2'], symbolsOption);
  if (!isOneOf(TEXT_LANGUAGES, lang) || !symbolsValid || !isOneOf(TEXT_SPLIT_METHODS, split) || positionals.length > 1) {
    process.stderr.write(`invalid arguments\n${USAGE}`);
    return 2;
  }
  let frontend: TextFrontend;
  let g2pw: Awaited<ReturnType<typeof openG2pw>>;
  try {
    const manifest = bundle === undefined ? undefined : await readBundleManifest(bundle);
    const data = await withEnvironmentOverrides(
      bundle === undefined || manifest === undefined ? NPM_ONLY_FRONTEND_DATA : await loadFrontendData(bundle, manifest),
    );
    process.stderr.write(describeMissing(data.missing));
    const symbols = symbolsOption ?? manifest?.symbols.table ?? 'v2';
    g2pw = bundle === undefined || manifest === undefined ? undefined : await openG2pw(bundle, manifest);
    frontend = createTextFrontend({ symbols, languages: frontendLanguages(data, g2pw === undefined ? {} : { g2pw: g2pw.model }) });
  } catch (error) {
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  try {
    const text = positionals[0];
    if (text === undefined) return await runBatch(frontend, lang, split);
    try {
      process.stdout.write(`${JSON.stringify(await describe(frontend, text, lang, split), null, 2)}\n`);
      return 0;
    } catch (error) {
      const { code, message } = errorOf(error);
      process.stderr.write(`error (${code}): ${message}\n`);
      return 1;
    }
  } finally {
    await g2pw?.release();
  }
}

/** The bundle's G2PW model, when it carries one: the only case in which this command loads onnxruntime. */
async function openG2pw(bundle: string, manifest: BundleManifest): Promise<{ readonly model: G2pwModel; release(): Promise<void> } | undefined> {
  if (manifest.g2pw === null || manifest.bert === null) return undefined;
  const [{ openBundleG2pw }, { DEFAULT_RUNTIME_CONFIG }] = await Promise.all([import('./zh/g2pw/bundle.ts'), import('../runtime/config.ts')]);
  return openBundleG2pw(bundle, manifest, join(bundle, BERT_VOCAB_PATH), DEFAULT_RUNTIME_CONFIG);
}

export const g2pCommand: Subcommand = {
  summary: 'print the phones the text frontend makes of a text (JSON)',
  run,
};
