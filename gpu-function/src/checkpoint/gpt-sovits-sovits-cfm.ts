/**
 * GPT-SoVITS v3/v4 SoVITS files (`SynthesizerTrnV3`: the v2 text encoder, `bridge`, `wns1` and a CFM whose estimator
 * is a DiT; no VITS decoder or flow): full models and the LoRA files the WebUI trains, merged into their base.
 *
 * Which version a file is, in GPT-SoVITS's order and then gsv-edge's:
 * 1. the header tag: `02` a full v3, `03`/`04` a v3/v4 LoRA;
 * 2. the MD5 of the first 8 KiB, for the pretrained `s2Gv3.pth`/`s2Gv4.pth`;
 * 3. the config's `model.version` (what a training run stores);
 * 4. the caller's `version` (`--version`), for a file that cannot say. GPT-SoVITS itself falls back to file size,
 *    which calls every large `PK` file v3; a v4 model mistaken for v3 decodes garbage, so gsv-edge asks instead.
 * A `version` that contradicts what the file says is refused.
 * @module
 */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { CheckpointError } from './errors.ts';
import { gptSovitsParts } from './gpt-sovits-file.ts';
import { readHeaderTag, type HeaderTag } from './header.ts';
import { mergeLora } from './lora-merge.ts';
import { ConfigReader, type PlainObject } from './plain.ts';
import { sha256File } from './sha256.ts';
import { deriveSovitsCfmArchitecture, sovitsCfmExpectedShapes, type SovitsCfmArchitecture } from './sovits-cfm-architecture.ts';
import { isSovitsTrainingOnly, sovitsPriorExpectedShapes } from './sovits-shapes.ts';
import { PRETRAINED_CFM_HASHES, type CfmSovitsVersion } from './sovits-version.ts';
import { requireShape, type LazyTensorStore } from './tensor-store.ts';
import { openTorchCheckpoint, type TorchCheckpoint } from './torch-archive.ts';
import { foldWeightNormStore } from './weight-norm.ts';
import { PyDict } from './pickle-values.ts';

export type CfmVersionSource = 'header' | 'pretrained-hash' | 'config' | 'option';

export interface SovitsLora {
  readonly rank: number;
  readonly alpha: number;
  /** The base model it was merged into. */
  readonly base: string;
  readonly baseSha256: string;
}

export interface SovitsCfmCheckpoint {
  readonly file: string;
  readonly version: CfmSovitsVersion;
  readonly versionSource: CfmVersionSource;
  readonly architecture: SovitsCfmArchitecture;
  /** Inference weights: weight norm folded, a LoRA merged, training-only buffers dropped. */
  readonly weights: LazyTensorStore;
  readonly hparams: PlainObject;
  readonly info: string;
  readonly header: HeaderTag;
  readonly lora: SovitsLora | null;
  readonly sha256: string;
}

export interface ReadSovitsCfmOptions {
  /** The base model a LoRA file needs (GPT-SoVITS's pretrained `s2Gv3.pth` / `gsv-v4-pretrained/s2Gv4.pth`). */
  readonly base?: string;
  /** For a file that cannot say whether it is v3 or v4. */
  readonly version?: CfmSovitsVersion;
}

/** Where GPT-SoVITS keeps each version's base model inside its installation (`TTS_infer_pack` default configs). */
export const CFM_BASE_INSTALL_PATHS: Readonly<Record<CfmSovitsVersion, string>> = {
  v3: 'GPT_SoVITS/pretrained_models/s2Gv3.pth',
  v4: 'GPT_SoVITS/pretrained_models/gsv-v4-pretrained/s2Gv4.pth',
};

const HEADER_TAGS: ReadonlyMap<HeaderTag, { readonly version: CfmSovitsVersion; readonly lora: boolean }> = new Map([
  ['02', { version: 'v3', lora: false }],
  ['03', { version: 'v3', lora: true }],
  ['04', { version: 'v4', lora: true }],
] as const);

/** Whether a SoVITS state dict is a v3/v4 one (its CFM estimator is there, bare or wrapped by peft). */
export function hasCfmWeights(names: readonly string[]): boolean {
  return names.some((name) => name.startsWith('cfm.'));
}

/** What a SoVITS file says about itself before it is read in full. */
export interface SovitsCfmFileKind {
  readonly lora: boolean;
  /** From the header tag or the config; undefined when only the pretrained hash or `--version` can tell. */
  readonly version: CfmSovitsVersion | undefined;
}

/**
 * Whether a SoVITS file is a v3/v4 one (a header tag of theirs, or `cfm.*` weights), whether it is a LoRA and, when the
 * file says so, its version: what a caller needs to find the LoRA's base before reading. Undefined for anything else,
 * unreadable files included: the reader the caller then uses reports those.
 */
export async function peekSovitsCfmFile(file: string): Promise<SovitsCfmFileKind | undefined> {
  let header: HeaderTag;
  try {
    header = await readHeaderTag(file);
  } catch {
    return undefined;
  }
  const tagged = HEADER_TAGS.get(header);
  if (tagged !== undefined) return tagged;
  let checkpoint: TorchCheckpoint;
  try {
    checkpoint = await openTorchCheckpoint(file);
  } catch {
    return undefined;
  }
  try {
    const parts = gptSovitsParts(checkpoint);
    const names = [...parts.weight.keys()].filter((key): key is string => typeof key === 'string');
    if (parts.kind === 'gpt' || !hasCfmWeights(names)) return undefined;
    const config = new ConfigReader(file, parts.config, 'hparams');
    const declared = config.get('model.version') ?? config.get('version');
    const lora = checkpoint.root instanceof PyDict && checkpoint.root.get('lora_rank') !== undefined;
    return { lora, version: declared === 'v3' || declared === 'v4' ? declared : undefined };
  } catch {
    return undefined;
  } finally {
    await checkpoint.close();
  }
}

export async function readSovitsCfmCheckpoint(file: string, options: ReadSovitsCfmOptions = {}): Promise<SovitsCfmCheckpoint> {
  return readCfm(file, options, 'model');
}

async function readCfm(file: string, options: ReadSovitsCfmOptions, role: 'model' | 'base'): Promise<SovitsCfmCheckpoint> {
  const header = await readHeaderTag(file);
  const tagged = HEADER_TAGS.get(header);
  const checkpoint = await openTorchCheckpoint(file);
  try {
    const parts = gptSovitsParts(checkpoint);
    if (parts.kind === 'gpt') throw new CheckpointError(file, "holds GPT weights ('model.*' keys): this is a GPT .ckpt file, not a SoVITS .pth");
    const rank = checkpoint.root instanceof PyDict ? checkpoint.root.get('lora_rank') : undefined;
    const isLora = tagged?.lora === true || rank !== undefined;
    if (isLora && role === 'base') throw new CheckpointError(file, 'is itself a LoRA file, not a base model');
    const config = new ConfigReader(file, parts.config, 'hparams');
    const stored = checkpoint.stateDict(parts.weight, { rename: (key) => (isSovitsTrainingOnly(key) ? undefined : key) });
    if (!hasCfmWeights(stored.names())) throw new CheckpointError(file, 'has no cfm.* (DiT) weights: it is not a SoVITS v3/v4 model');
    const decided = decideCfmVersion({ file, header, tagged: tagged?.version, config, requested: options.version, headMd5: await headMd5(file) });
    const folded = foldWeightNormStore(stored, () => 0);
    const merged = isLora ? await withBase(file, folded, decided.version, rankOf(file, rank, config), options.base) : { weights: folded, lora: null };
    let architecture: SovitsCfmArchitecture;
    try {
      architecture = deriveSovitsCfmArchitecture(merged.weights, config, decided.version);
      const expected = new Map([...sovitsPriorExpectedShapes(architecture), ...sovitsCfmExpectedShapes(architecture)]);
      for (const [name, shape] of expected) requireShape(merged.weights, name, shape);
    } catch (error) {
      await merged.weights.close();
      throw error;
    }
    return { file, ...decided, architecture, ...merged, hparams: parts.config, info: parts.info, header, sha256: await sha256File(file) };
  } catch (error) {
    await checkpoint.close();
    throw error;
  }
}

async function withBase(
  file: string,
  lora: LazyTensorStore,
  version: CfmSovitsVersion,
  rank: number,
  basePath: string | undefined,
): Promise<{ readonly weights: LazyTensorStore; readonly lora: SovitsLora }> {
  if (basePath === undefined) {
    throw new CheckpointError(file, `is a SoVITS ${version} LoRA: it needs its base model (GPT-SoVITS's ${CFM_BASE_INSTALL_PATHS[version]}); pass it as the base`);
  }
  const base = await readCfm(basePath, { version }, 'base');
  if (base.version !== version) {
    await base.weights.close();
    throw new CheckpointError(file, `is a ${version} LoRA but ${basePath} is a ${base.version} model`);
  }
  // peft's default alpha for GPT-SoVITS: LoraConfig(r=rank, lora_alpha=rank).
  const weights = mergeLora(base.weights, lora, { rank, alpha: rank });
  return { weights, lora: { rank, alpha: rank, base: basePath, baseSha256: base.sha256 } };
}

function rankOf(file: string, stored: unknown, config: ConfigReader): number {
  const value = typeof stored === 'number' ? stored : typeof stored === 'bigint' ? Number(stored) : Number(config.get('train.lora_rank'));
  if (!Number.isInteger(value) || value <= 0) throw new CheckpointError(file, `is a LoRA file without a usable lora_rank (${String(stored)})`);
  return value;
}

export interface CfmVersionEvidence {
  readonly file: string;
  readonly header: HeaderTag;
  /** What the header tag says, if anything. */
  readonly tagged: CfmSovitsVersion | undefined;
  readonly config: ConfigReader;
  /** The caller's `--version`. */
  readonly requested: CfmSovitsVersion | undefined;
  /** MD5 of the file's first 8192 bytes. */
  readonly headMd5: string;
}

/** The version a v3/v4 file is, by the order in this module's comment. */
export function decideCfmVersion(evidence: CfmVersionEvidence): { readonly version: CfmSovitsVersion; readonly versionSource: CfmVersionSource } {
  const { file, header, tagged, config, requested } = evidence;
  const declared = config.get('model.version') ?? config.get('version');
  const fromConfig = declared === 'v3' || declared === 'v4' ? declared : undefined;
  const hashed = PRETRAINED_CFM_HASHES.get(evidence.headMd5);
  const found: { version: CfmSovitsVersion; versionSource: CfmVersionSource } | undefined =
    tagged !== undefined
      ? { version: tagged, versionSource: 'header' }
      : hashed !== undefined
        ? { version: hashed, versionSource: 'pretrained-hash' }
        : fromConfig !== undefined
          ? { version: fromConfig, versionSource: 'config' }
          : undefined;
  if (found !== undefined) {
    if (requested !== undefined && requested !== found.version) {
      const how = found.versionSource === 'header' ? `its header '${header}'` : found.versionSource === 'pretrained-hash' ? 'its pretrained-model hash' : `its config (version ${JSON.stringify(declared)})`;
      throw new CheckpointError(file, `is a SoVITS ${found.version} model by ${how}, but version ${requested} was asked for`);
    }
    return found;
  }
  if (requested !== undefined) return { version: requested, versionSource: 'option' };
  throw new CheckpointError(file, `is a SoVITS v3 or v4 model whose file does not say which (config version ${declared === undefined ? 'absent' : JSON.stringify(declared)}); pass the version (--version v3 or v4)`);
}

/** MD5 of the first 8192 bytes, as `process_ckpt.get_hash_from_file`. */
async function headMd5(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(8192);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    return createHash('md5').update(buffer.subarray(0, bytesRead)).digest('hex');
  } finally {
    await handle.close();
  }
}
