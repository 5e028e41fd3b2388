/**
 * Compiles GPT-SoVITS checkpoints into a model bundle: reads and validates every input first, writes every graph and
 * its weights into a temporary folder next to the destination, hashes the files into the manifest, and only then
 * moves the folder into place (flushed to the disk first, see placement.ts). A failure at any point removes the
 * temporary folder, so nothing half-written is ever left where the engine would load it; what a build killed
 * outright leaves is repaired when the next build of the same folder starts. What follows T2S depends on the SoVITS version (the VITS decoder, or v3/v4's
 * CFM and vocoder): see synthesis.ts.
 * @module
 */
import { idSchema } from '@gsv-edge/shared';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { readHfBert, readHfHubert, readT2sCheckpoint, sha256File, type TensorStore } from '../../checkpoint/index.ts';
import { ExternalDataFile } from '../../onnx/external-data.ts';
import { numel } from '../../tensor/tensor.ts';
import { collectFrontendData } from '../../text/frontend-data/collect.ts';
import { collectG2pw, type CollectedG2pw } from '../../text/zh/g2pw/bundle.ts';
import { symbolTable } from '../../text/symbols.ts';
import { bertDimsFromArchitecture } from '../bert/config.ts';
import { writeBertGraph } from '../bert/graph.ts';
import { hubertDimsFromArchitecture } from '../hubert/config.ts';
import { writeHubertGraph } from '../hubert/graph.ts';
import { t2sDimsFromArchitecture } from '../t2s/config.ts';
import { muteSimilarity, MUTE_TOKEN } from '../t2s/quiet-tokens.ts';
import { T2S_WEIGHTS } from '../t2s/weights.ts';
import { writeT2sGraphs } from '../t2s/write.ts';
import { BundleError } from './errors.ts';
import { BERT_VOCAB_PATH, GRAPH_FILES, WEIGHTS_FILE, type GraphRole } from './layout.ts';
import {
  BUNDLE_FORMAT,
  BUNDLE_FORMAT_VERSION,
  MANIFEST_FILE,
  type BundleFile,
  type BundleManifest,
  type BundlePrecision,
  type FileRole,
} from './manifest.ts';
import { moveIntoPlace, partialPathFor, recoverInterruptedPlacement } from './placement.ts';
import { exists, type BundleSources } from './sources.ts';
import { readSynthesis } from './synthesis.ts';

export { BundleError } from './errors.ts';
export { SV_INSTALL_PATH, VOCODER_INSTALL_PATHS, type BundleSources } from './sources.ts';

export type BundleProgress =
  | { readonly kind: 'stage'; readonly message: string }
  | { readonly kind: 'bytes'; readonly written: number; readonly expected: number };

export interface BuildBundleOptions {
  readonly sources: BundleSources;
  readonly out: string;
  readonly precisions: readonly BundlePrecision[];
  /** Replace an existing bundle at `out`. */
  readonly force?: boolean;
  readonly onProgress?: (progress: BundleProgress) => void;
}

/** Each graph's two files per precision go into one weights file; `weights.bin` is listed once per precision. */
export async function buildBundle(options: BuildBundleOptions): Promise<BundleManifest> {
  const out = resolve(options.out);
  const id = basename(out);
  if (!idSchema.safeParse(id).success) {
    throw new BundleError(`the bundle folder name "${id}" must be a model id: 1-64 characters of a-z, 0-9, ".", "_" or "-"`);
  }
  if (options.precisions.length === 0) throw new BundleError('choose at least one precision');
  const report = (message: string): void => options.onProgress?.({ kind: 'stage', message });
  for (const repaired of await recoverInterruptedPlacement(out)) report(repaired);
  if ((await exists(out)) && options.force !== true) {
    throw new BundleError(`${out} already exists; pass --force to replace it`);
  }
  const stores: TensorStore[] = [];
  const temporary = partialPathFor(out);
  try {
    report('reading checkpoints');
    const t2s = await readT2sCheckpoint(options.sources.gpt);
    stores.push(t2s.weights);
    const synthesis = await readSynthesis(options.sources);
    stores.push(...synthesis.stores);
    const bert = options.sources.bert === undefined ? undefined : await readHfBert(options.sources.bert);
    if (bert !== undefined) stores.push(bert.weights);
    const hubert = options.sources.hubert === undefined ? undefined : await readHfHubert(options.sources.hubert);
    if (hubert !== undefined) stores.push(hubert.weights);
    checkDisjoint(stores);

    const hasFrontendSources = options.sources.gptSovitsDir !== undefined || (options.sources.pythonSitePackages ?? []).length > 0;
    if (hasFrontendSources) report('reading text-frontend data');
    const frontend = await collectFrontendData({
      ...(options.sources.gptSovitsDir === undefined ? {} : { gptSovitsDir: options.sources.gptSovitsDir }),
      ...(options.sources.pythonSitePackages === undefined ? {} : { sitePackages: options.sources.pythonSitePackages }),
      ...(options.sources.nltkData === undefined ? {} : { nltkData: options.sources.nltkData }),
    });
    const g2pw = await collectBundleG2pw(options.sources, bert !== undefined, report);
    const t2sDims = t2sDimsFromArchitecture(t2s.architecture);
    const bertDims = bert === undefined ? undefined : bertDimsFromArchitecture(bert.architecture);
    const hubertDims = hubert === undefined ? undefined : hubertDimsFromArchitecture(hubert.architecture);
    checkCompatible({
      t2sPhonemes: t2sDims.phonemeVocab,
      symbolCount: synthesis.symbols.count,
      t2sBert: t2sDims.bertDim,
      bertHidden: bertDims?.hidden,
      ssl: synthesis.sslDim,
      hubertHidden: hubertDims?.hidden,
      files: options.sources,
    });

    await mkdir(dirname(out), { recursive: true });
    await mkdir(temporary);
    const expected = options.precisions.reduce((sum, precision) => sum + storeBytes(stores, precision), 0);
    let written = 0;
    const onWrite = (bytes: number): void => {
      written += bytes;
      options.onProgress?.({ kind: 'bytes', written, expected });
    };
    const files: { path: string; role: FileRole; precision: BundlePrecision | null }[] = [];
    for (const precision of options.precisions) {
      const dir = join(temporary, precision);
      await mkdir(dir);
      const weights = new ExternalDataFile(dir, WEIGHTS_FILE, onWrite);
      const graph = (role: GraphRole): void => {
        files.push({ path: `${precision}/${GRAPH_FILES[role]}`, role, precision });
      };
      try {
        report(`writing ${precision} T2S graphs`);
        await writeT2sGraphs(dir, t2s.weights, t2sDims, precision, weights);
        graph('t2s-prefill');
        graph('t2s-decode');
        graph('t2s-decode-resident');
        for (const role of await synthesis.writeGraphs({ dir, precision, externalData: weights, report })) graph(role);
        if (bert !== undefined && bertDims !== undefined) {
          report(`writing ${precision} BERT graph`);
          await writeBertGraph(dir, bert.weights, bertDims, precision, weights);
          graph('bert');
        }
        if (hubert !== undefined && hubertDims !== undefined) {
          report(`writing ${precision} HuBERT graph`);
          await writeHubertGraph(dir, hubert.weights, hubertDims, precision, weights);
          graph('hubert');
        }
      } finally {
        await weights.close();
      }
      files.push({ path: `${precision}/${WEIGHTS_FILE}`, role: 'weights', precision });
    }
    if (bert !== undefined) {
      await mkdir(join(temporary, dirname(BERT_VOCAB_PATH)));
      await copyFile(join(bert.dir, 'vocab.txt'), join(temporary, BERT_VOCAB_PATH));
      files.push({ path: BERT_VOCAB_PATH, role: 'bert-vocab', precision: null });
    }
    if (frontend !== undefined) {
      report('writing text-frontend data');
      for (const path of await frontend.write(temporary)) files.push({ path, role: 'frontend-data', precision: null });
    }
    if (g2pw !== undefined) {
      report('writing G2PW model');
      for (const path of await g2pw.write(temporary)) files.push({ path, role: 'g2pw', precision: null });
    }

    report('hashing files');
    const listed: BundleFile[] = [];
    for (const file of files) {
      const path = join(temporary, file.path);
      listed.push({ ...file, bytes: (await stat(path)).size, sha256: await sha256File(path) });
    }
    const { table } = synthesis.symbols;
    const manifest: BundleManifest = {
      format: BUNDLE_FORMAT,
      format_version: BUNDLE_FORMAT_VERSION,
      id,
      created_at: new Date().toISOString(),
      producer: 'gsv-edge bundle',
      gpt_sovits_version: synthesis.version,
      symbols: { table, count: synthesis.symbols.count, sha256: symbolTableDigest(table) },
      sample_rate: synthesis.sampleRate,
      samples_per_token: synthesis.samplesPerToken,
      t2s: {
        dims: t2sDims,
        top_k: t2s.architecture.topK,
        max_sec: t2s.architecture.maxSec,
        mute_similarity: { mute_token: MUTE_TOKEN, values: Array.from(muteSimilarity(await t2s.weights.read(T2S_WEIGHTS.audioEmbedding))) },
      },
      sovits: synthesis.sections.sovits,
      cfm: synthesis.sections.cfm,
      bert: bertDims === undefined ? null : { dims: bertDims },
      hubert: hubertDims === undefined ? null : { dims: hubertDims },
      sv: synthesis.sections.sv,
      precisions: [...options.precisions],
      files: listed,
      sources: {
        gpt: { name: basename(t2s.file), sha256: t2s.sha256 },
        sovits: synthesis.sources.sovits,
        bert: bert === undefined ? null : Object.entries(bert.sha256).map(([name, sha256]) => ({ name, sha256 })),
        hubert: hubert === undefined ? null : Object.entries(hubert.sha256).map(([name, sha256]) => ({ name, sha256 })),
        sv: synthesis.sources.sv,
        sovits_base: synthesis.sources.sovits_base,
        vocoder: synthesis.sources.vocoder,
      },
      frontend: frontend?.manifest ?? null,
      g2pw: g2pw?.manifest ?? null,
    };
    await writeFile(join(temporary, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    await moveIntoPlace(temporary, out);
    report(`bundle ${id} written to ${out}`);
    return manifest;
  } catch (error) {
    await rm(temporary, { recursive: true, force: true });
    throw error;
  } finally {
    for (const store of stores) await store.close();
  }
}

/**
 * Graphs share weights.bin by tensor name, so two models with a tensor of the same name would silently share its
 * bytes; every model is read under its own names, and this keeps it so.
 */
function checkDisjoint(stores: readonly TensorStore[]): void {
  const owner = new Map<string, string>();
  for (const store of stores) {
    for (const name of store.names()) {
      const other = owner.get(name);
      if (other !== undefined && other !== store.file) throw new BundleError(`tensor '${name}' is in both ${other} and ${store.file}; they cannot share one weights file`);
      owner.set(name, store.file);
    }
  }
}

/**
 * The G2PW model to copy, if any. An explicit `--g2pw` folder must be complete and needs BERT; a GPT-SoVITS install
 * without a G2PWModel folder only gets a progress note, since G2PW is optional there.
 */
async function collectBundleG2pw(
  sources: BundleSources,
  hasBert: boolean,
  report: (message: string) => void,
): Promise<Extract<CollectedG2pw, { kind: 'found' }> | undefined> {
  if (sources.g2pwDir === undefined && sources.gptSovitsDir === undefined) return undefined;
  if (sources.g2pwDir !== undefined && !hasBert) {
    throw new BundleError(`--g2pw ${sources.g2pwDir} needs --bert: G2PW tokenizes with BERT's vocab.txt`);
  }
  if (!hasBert) {
    // Checking a G2PW folder means reading it in full and opening its graph: not worth it for a model left out.
    report('G2PW not looked for: it needs --bert (G2PW tokenizes with its vocab.txt); Mandarin polyphones are read pypinyin-style');
    return undefined;
  }
  report('reading G2PW model');
  const collected = await collectG2pw({
    ...(sources.g2pwDir === undefined ? {} : { g2pwDir: sources.g2pwDir }),
    ...(sources.gptSovitsDir === undefined ? {} : { gptSovitsDir: sources.gptSovitsDir }),
  });
  if (collected === undefined) return undefined;
  if (collected.kind === 'missing') {
    report(`no G2PW model: ${collected.reason}; Mandarin polyphones are read pypinyin-style`);
    return undefined;
  }
  return collected;
}

/** SHA-256 of the table joined by newlines, the form gpt-sovits.md publishes for v1 and v2. */
function symbolTableDigest(version: 'v1' | 'v2'): string {
  return createHash('sha256').update(symbolTable(version).join('\n')).digest('hex');
}

function checkCompatible(check: {
  t2sPhonemes: number;
  symbolCount: number;
  t2sBert: number;
  bertHidden: number | undefined;
  ssl: number;
  hubertHidden: number | undefined;
  files: BundleSources;
}): void {
  if (check.t2sPhonemes < check.symbolCount) {
    throw new BundleError(
      `${check.files.gpt} embeds ${String(check.t2sPhonemes)} phones but ${check.files.sovits} uses a ${String(check.symbolCount)}-symbol table: they are not a GPT-SoVITS pair of the same version`,
    );
  }
  if (check.bertHidden !== undefined && check.bertHidden !== check.t2sBert) {
    throw new BundleError(`${check.files.bert ?? 'BERT'} has width ${String(check.bertHidden)} but ${check.files.gpt} expects ${String(check.t2sBert)}-wide BERT features`);
  }
  if (check.hubertHidden !== undefined && check.hubertHidden !== check.ssl) {
    throw new BundleError(`${check.files.hubert ?? 'HuBERT'} has width ${String(check.hubertHidden)} but ${check.files.sovits} expects ${String(check.ssl)}-wide SSL features`);
  }
}

/** Approximate bytes of weights a precision writes, for progress. */
function storeBytes(stores: readonly TensorStore[], precision: BundlePrecision): number {
  const bytesPerValue = precision === 'fp16' ? 2 : 4;
  let total = 0;
  for (const store of stores) {
    for (const name of store.names()) {
      const info = store.info(name);
      if (info !== undefined) total += numel(info.shape) * (info.dtype === 'int64' ? 8 : bytesPerValue);
    }
  }
  return total;
}
