/**
 * G2PW in a bundle. At bundle time: the user's G2PW model folder (`--g2pw DIR`, or `GPT_SoVITS/text/G2PWModel` in
 * `--gpt-sovits-dir`) is checked completely (every file parsed, the ONNX graph opened and its inputs and output
 * checked) and copied into `<bundle>/g2pw/` with GPT-SoVITS's post-fix dictionaries (`GPT_SoVITS/text/g2pw/
 * polyphonic.rep`, `polyphonic-fix.rep`). At run time: the side files are checked against the manifest's SHA-256
 * and read; the model runs behind a {@link G2pwModelRunner} over a runtime session.
 * @module
 */
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { sha256File } from '../../../checkpoint/sha256.ts';
import type { RuntimeConfig } from '../../../runtime/config.ts';
import { ModelSession, type Feeds } from '../../../runtime/session.ts';
import type { HostTensor } from '../../../tensor/index.ts';
import { loadBertTokenizer } from '../../bert/index.ts';
import type { WordPieceTokenizer } from '../../bert/wordpiece.ts';
import { findTextFolder, isFile, relativeSource } from '../../frontend-data/locate.ts';
import { readG2pwAssets, type G2pwAssets } from './assets.ts';
import { inspectG2pwFolder } from './folder.ts';
import { G2PW_BUNDLE_FILES, G2PW_BUNDLE_REP_FILES, G2PW_MODEL_PATH, type G2pwManifest } from './manifest-section.ts';
import type { G2pwModelRunner } from './predictor.ts';

/** What the frontend needs to run G2PW: the side files, the BERT tokenizer and the model. */
export interface G2pwModel {
  readonly assets: G2pwAssets;
  readonly tokenizer: WordPieceTokenizer;
  readonly run: G2pwModelRunner;
}

/** The feeds GPT-SoVITS's `predict` passes to g2pW.onnx. */
export const G2PW_INPUTS = ['input_ids', 'token_type_ids', 'attention_mask', 'phoneme_mask', 'char_ids', 'position_ids'] as const;

export interface G2pwBundleOptions {
  /** `--g2pw`: a G2PWModel folder; wins over the one inside the GPT-SoVITS install. */
  readonly g2pwDir?: string;
  readonly gptSovitsDir?: string;
}

export type CollectedG2pw =
  | { readonly kind: 'found'; readonly manifest: G2pwManifest; write(bundleDir: string): Promise<string[]> }
  | { readonly kind: 'missing'; readonly reason: string };

/** `run` over a session: feeds as GPT-SoVITS names them, the graph's first output (`probs`, `[rows, labels]`). */
export function g2pwSessionRunner(session: Pick<ModelSession, 'run' | 'outputNames'>): G2pwModelRunner {
  return async (feeds: Feeds) => {
    const name = session.outputNames[0] ?? 'probs';
    const probs: HostTensor | undefined = (await session.run(feeds))[name];
    if (probs?.dtype !== 'float32') throw new Error(`g2pW.onnx returned no float32 output "${name}"`);
    return probs.data as Float32Array;
  };
}

/** Opens the graph once to check it takes G2PW's inputs; the error names the file. */
async function checkG2pwModel(path: string): Promise<void> {
  let session: ModelSession;
  try {
    session = await ModelSession.load(path);
  } catch (error) {
    throw new Error(`${path}: not an ONNX model onnxruntime can open (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  try {
    const missing = G2PW_INPUTS.filter((name) => !session.inputNames.includes(name));
    if (missing.length > 0) throw new Error(`${path}: not a g2pW model: it has no input ${missing.join(', ')}`);
    if (session.outputNames.length === 0) throw new Error(`${path}: not a g2pW model: it has no output`);
  } finally {
    await session.release();
  }
}

interface Source {
  readonly origin: 'g2pw-folder' | 'gpt-sovits';
  readonly root: string;
  readonly path: string;
}

/** Finds, checks and lists what `write` copies; `undefined` when no option points at a G2PW model. */
export async function collectG2pw(options: G2pwBundleOptions): Promise<CollectedG2pw | undefined> {
  const textDir = options.gptSovitsDir === undefined ? undefined : await findTextFolder(options.gptSovitsDir);
  const installRoot = options.gptSovitsDir === undefined ? '' : resolve(options.gptSovitsDir);
  let folder: { dir: string; origin: Source['origin']; root: string };
  if (options.g2pwDir !== undefined) folder = { dir: resolve(options.g2pwDir), origin: 'g2pw-folder', root: resolve(options.g2pwDir) };
  else if (textDir !== undefined) {
    const dir = join(textDir, 'G2PWModel');
    if (!(await stat(dir).catch(() => undefined))?.isDirectory()) {
      return { kind: 'missing', reason: `no G2PWModel folder in ${relativeSource({ origin: 'gpt-sovits', dir: installRoot }, textDir) || '.'} (pass --g2pw DIR)` };
    }
    folder = { dir, origin: 'gpt-sovits', root: installRoot };
  } else return undefined;

  const inspected = await inspectG2pwFolder(folder.dir);
  const from = (name: string): Source => ({ origin: folder.origin, root: folder.root, path: join(folder.dir, name) });
  const sources: [string, Source][] = [
    [G2PW_BUNDLE_FILES.model, from(inspected.model)],
    [G2PW_BUNDLE_FILES.config, from('config.py')],
    [G2PW_BUNDLE_FILES.polyphonicChars, from('POLYPHONIC_CHARS.txt')],
    [G2PW_BUNDLE_FILES.monophonicChars, from('MONOPHONIC_CHARS.txt')],
    [G2PW_BUNDLE_FILES.bopomofoToPinyin, from('bopomofo_to_pinyin_wo_tune_dict.json')],
  ];
  for (const [index, name] of ['polyphonic.rep', 'polyphonic-fix.rep'].entries()) {
    // GPT-SoVITS reads them from its source tree (text/g2pw/), not from the model folder.
    const inInstall = textDir === undefined ? undefined : join(textDir, 'g2pw', name);
    const target = G2PW_BUNDLE_REP_FILES[index] ?? '';
    if (inInstall !== undefined && (await isFile(inInstall))) sources.push([target, { origin: 'gpt-sovits', root: installRoot, path: inInstall }]);
    else if (inspected.files.includes(name)) sources.push([target, from(name)]);
  }
  const pathOf = (bundlePath: string): string => sources.find(([target]) => target === bundlePath)?.[1].path ?? '';
  await readG2pwAssets({
    config: pathOf(G2PW_BUNDLE_FILES.config),
    polyphonicChars: pathOf(G2PW_BUNDLE_FILES.polyphonicChars),
    monophonicChars: pathOf(G2PW_BUNDLE_FILES.monophonicChars),
    bopomofoToPinyin: pathOf(G2PW_BUNDLE_FILES.bopomofoToPinyin),
    polyphonicRep: G2PW_BUNDLE_REP_FILES.map(pathOf).filter((path) => path !== ''),
  });
  await checkG2pwModel(pathOf(G2PW_BUNDLE_FILES.model));

  const manifestSources = [];
  for (const [, source] of sources) {
    manifestSources.push({ origin: source.origin, path: relativeSource({ origin: 'gpt-sovits', dir: source.root }, source.path), sha256: await sha256File(source.path) });
  }
  return {
    kind: 'found',
    manifest: { files: sources.map(([target]) => target), sources: manifestSources },
    async write(bundleDir) {
      for (const [target, source] of sources) {
        await mkdir(dirname(join(bundleDir, target)), { recursive: true });
        await copyFile(source.path, join(bundleDir, target));
      }
      return sources.map(([target]) => target);
    },
  };
}

/** The parts of a bundle manifest the G2PW loader reads. */
export interface G2pwManifestView {
  readonly files: readonly { readonly path: string; readonly role: string; readonly sha256: string }[];
  readonly g2pw: G2pwManifest | null;
}

/** The bundle's G2PW side files, each checked against its SHA-256 first; `undefined` when it has none. */
export async function loadBundleG2pwAssets(bundleDir: string, manifest: G2pwManifestView): Promise<G2pwAssets | undefined> {
  if (manifest.g2pw === null) return undefined;
  const checked = async (path: string): Promise<string> => {
    const absolute = join(bundleDir, path);
    const listed = manifest.files.find((file) => file.path === path && file.role === 'g2pw');
    if (listed === undefined) throw new Error(`${absolute}: not listed in the bundle's manifest`);
    const bytes = await readFile(absolute).catch((error: unknown) => {
      throw new Error(`${absolute}: cannot be read (${error instanceof Error ? error.message : String(error)})`);
    });
    if (createHash('sha256').update(bytes).digest('hex') !== listed.sha256) {
      throw new Error(`${absolute}: SHA-256 does not match the bundle's manifest (the file was changed or damaged)`);
    }
    return absolute;
  };
  const listed = manifest.g2pw.files;
  const reps = [];
  for (const file of G2PW_BUNDLE_REP_FILES) if (listed.includes(file)) reps.push(await checked(file));
  return readG2pwAssets({
    config: await checked(G2PW_BUNDLE_FILES.config),
    polyphonicChars: await checked(G2PW_BUNDLE_FILES.polyphonicChars),
    monophonicChars: await checked(G2PW_BUNDLE_FILES.monophonicChars),
    bopomofoToPinyin: await checked(G2PW_BUNDLE_FILES.bopomofoToPinyin),
    polyphonicRep: reps,
  });
}

/**
 * Opens a bundle's G2PW model on its own, for tools that load no other graph (`gsv-edge g2p --bundle`): its side
 * files, its session and the BERT vocabulary's tokenizer. `undefined` when the bundle carries no G2PW model.
 */
export async function openBundleG2pw(
  bundleDir: string,
  manifest: G2pwManifestView,
  vocabPath: string,
  runtime: RuntimeConfig,
): Promise<{ readonly model: G2pwModel; release(): Promise<void> } | undefined> {
  const assets = await loadBundleG2pwAssets(bundleDir, manifest);
  if (assets === undefined) return undefined;
  const tokenizer = await loadBertTokenizer(vocabPath);
  const session = await ModelSession.load(join(bundleDir, G2PW_MODEL_PATH), runtime, `${bundleDir}/${G2PW_MODEL_PATH}`);
  return { model: { assets, tokenizer, run: g2pwSessionRunner(session) }, release: () => session.release() };
}
