/**
 * A model bundle opened for inference: its manifest checked, every graph loaded into an onnxruntime session at start
 * (never on a first request), in the precision that suits the execution provider.
 * @module
 */
import { parseOrThrow } from '@gsv-edge/shared';
import { readFile, stat } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { sha256File } from '../../checkpoint/sha256.ts';
import { graphPath, type GraphRole, BERT_VOCAB_PATH } from '../../models/bundle/layout.ts';
import { manifestSchema, MANIFEST_FILE, type BundleManifest, type BundlePrecision } from '../../models/bundle/manifest.ts';
import { t2sResidentPoolOutputs } from '../../models/t2s/io.ts';
import { loadT2sPoolRebuild } from '../../models/t2s/pool-graph.ts';
import { ModelSession } from '../../runtime/session.ts';
import { G2PW_MODEL_PATH } from '../../text/zh/g2pw/manifest-section.ts';
import type { RuntimeConfig } from '../../runtime/config.ts';

export interface BundleSessions {
  readonly t2sPrefill: ModelSession;
  readonly t2sDecode: ModelSession;
  /**
   * The decode graph that returns its KV pool, with the pool kept on the device: only on the webgpu provider, and
   * only when the bundle has it (older bundles do not); otherwise the engine feeds the host pool every step.
   */
  readonly t2sDecodeResident: ModelSession | undefined;
  /** With `t2sDecodeResident`: the graph that rebuilds the device pool when the batch changes (built at load time). */
  readonly t2sPoolRebuild: ModelSession | undefined;
  readonly sovitsExtract: ModelSession;
  readonly sovitsRefEncoder: ModelSession;
  /** v1/v2/v2Pro/v2ProPlus: the VITS decoder; v3/v4 bundles have `cfm` instead. */
  readonly sovitsDecoder: ModelSession | undefined;
  readonly cfm: CfmBundleSessions | undefined;
  readonly bert: ModelSession | undefined;
  readonly hubert: ModelSession | undefined;
  /** v2Pro/v2ProPlus: the speaker-verification model whose embedding the reference encoder fuses into `ge`. */
  readonly sv: ModelSession | undefined;
  /** The user's G2PW model (Mandarin polyphones), when the bundle carries it. */
  readonly g2pw: ModelSession | undefined;
}

/** The graphs of v3/v4 synthesis after T2S (see models/cfm/io.ts and models/vocoder/io.ts). */
export interface CfmBundleSessions {
  readonly mel: ModelSession;
  readonly encp: ModelSession;
  readonly text: ModelSession;
  readonly step: ModelSession;
  readonly vocoder: ModelSession;
}

export interface LoadedBundle {
  readonly dir: string;
  readonly manifest: BundleManifest;
  /** SHA-256 of manifest.json: the `model_sha256` voices and synthesis keys carry. */
  readonly sha256: string;
  readonly precision: BundlePrecision;
  readonly sessions: BundleSessions;
  /** The BERT tokenizer vocabulary, when the bundle has BERT. */
  readonly bertVocabPath: string | undefined;
  release(): Promise<void>;
}

export interface LoadBundleOptions {
  readonly runtime: RuntimeConfig;
  /** Defaults to fp32 on CPU and fp16 on GPU providers (when the bundle has it). */
  readonly precision?: BundlePrecision;
  /** Hash every file against the manifest before loading (slow for large bundles; sizes are always checked). */
  readonly verify?: boolean;
}

export class BundleLoadError extends Error {
  override readonly name = 'BundleLoadError';
}

export async function loadBundle(dir: string, options: LoadBundleOptions): Promise<LoadedBundle> {
  const manifestPath = join(dir, MANIFEST_FILE);
  let manifestBytes: Buffer;
  try {
    manifestBytes = await readFile(manifestPath);
  } catch (error) {
    throw new BundleLoadError(`${manifestPath} cannot be read: is ${dir} a gsv-edge model bundle?`, { cause: error });
  }
  let manifest: BundleManifest;
  try {
    manifest = parseOrThrow(manifestSchema, JSON.parse(manifestBytes.toString('utf8')) as unknown);
  } catch (error) {
    throw new BundleLoadError(`${manifestPath} is not a valid bundle manifest: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  const precision = choosePrecision(manifest, options);
  for (const file of manifest.files) {
    if (file.precision !== null && file.precision !== precision) continue;
    const path = join(dir, file.path);
    const size = await stat(path).then((s) => s.size, () => -1);
    if (size !== file.bytes) throw new BundleLoadError(`${path} is missing or has the wrong size (${String(size)} bytes, manifest says ${String(file.bytes)})`);
    if (options.verify === true && (await sha256File(path)) !== file.sha256) throw new BundleLoadError(`${path} does not match its SHA-256 in the manifest`);
  }
  const has = (role: GraphRole): boolean => manifest.files.some((file) => file.role === role && file.precision === precision);
  const open = (role: GraphRole): Promise<ModelSession> => ModelSession.load(join(dir, graphPath(precision, role)), options.runtime, `${manifest.id}/${graphPath(precision, role)}`);
  const resident = options.runtime.executionProvider === 'webgpu' && has('t2s-decode-resident');
  const sessions: BundleSessions = {
    t2sPrefill: await open('t2s-prefill'),
    t2sDecode: await open('t2s-decode'),
    t2sDecodeResident:
      resident
        ? await ModelSession.load(join(dir, graphPath(precision, 't2s-decode-resident')), options.runtime, `${manifest.id}/${graphPath(precision, 't2s-decode-resident')}`, {
            deviceOutputs: t2sResidentPoolOutputs(manifest.t2s.dims),
          })
        : undefined,
    t2sPoolRebuild: resident ? await loadT2sPoolRebuild(manifest.t2s.dims, precision, options.runtime, `${manifest.id}/${precision}/t2s-pool-rebuild`) : undefined,
    sovitsExtract: await open('sovits-extract'),
    sovitsRefEncoder: await open('sovits-ref-encoder'),
    sovitsDecoder: manifest.sovits === null ? undefined : await open('sovits-decoder'),
    cfm:
      manifest.cfm === null
        ? undefined
        : { mel: await open('cfm-mel'), encp: await open('cfm-encp'), text: await open('cfm-text'), step: await open('cfm-step'), vocoder: await open('vocoder') },
    bert: has('bert') ? await open('bert') : undefined,
    hubert: has('hubert') ? await open('hubert') : undefined,
    sv: manifest.sv === null ? undefined : await open('sv'),
    g2pw: manifest.g2pw === null ? undefined : await ModelSession.load(join(dir, G2PW_MODEL_PATH), options.runtime, `${manifest.id}/${G2PW_MODEL_PATH}`),
  };
  return {
    dir,
    manifest,
    sha256: createHash('sha256').update(manifestBytes).digest('hex'),
    precision,
    sessions,
    bertVocabPath: manifest.bert === null ? undefined : join(dir, BERT_VOCAB_PATH),
    async release() {
      const { cfm, ...graphs } = sessions;
      const cfmGraphs: ModelSession[] = cfm === undefined ? [] : [cfm.mel, cfm.encp, cfm.text, cfm.step, cfm.vocoder];
      const vitsGraphs: (ModelSession | undefined)[] = Object.values(graphs);
      for (const session of [...vitsGraphs, ...cfmGraphs]) await session?.release();
    },
  };
}

function choosePrecision(manifest: BundleManifest, options: LoadBundleOptions): BundlePrecision {
  if (options.precision !== undefined) {
    if (!manifest.precisions.includes(options.precision)) {
      throw new BundleLoadError(`bundle ${manifest.id} has no ${options.precision} weights (it has ${manifest.precisions.join(', ')})`);
    }
    return options.precision;
  }
  const preferred: BundlePrecision = options.runtime.executionProvider === 'cpu' ? 'fp32' : 'fp16';
  return manifest.precisions.includes(preferred) ? preferred : (manifest.precisions[0] as BundlePrecision);
}
