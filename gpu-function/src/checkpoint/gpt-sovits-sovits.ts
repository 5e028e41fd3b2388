/**
 * GPT-SoVITS SoVITS (`.pth`, stage-2 VITS) reader: detects the version as GPT-SoVITS does, refuses the versions
 * gsv-edge cannot serve with what they need, folds weight norm, drops training-only state, and validates every
 * inference tensor against the architecture derived from the shapes.
 * @module
 */
import { CheckpointError, UnsupportedModelError } from './errors.ts';
import { gptSovitsParts } from './gpt-sovits-file.ts';
import { readHeaderTag, type HeaderTag } from './header.ts';
import { ConfigReader, type PlainObject } from './plain.ts';
import { sha256File } from './sha256.ts';
import { deriveSovitsArchitecture, type SovitsArchitecture } from './sovits-architecture.ts';
import { isSovitsTrainingOnly, sovitsExpectedShapes } from './sovits-shapes.ts';
import {
  SYMBOL_TABLE_VERSIONS,
  isVitsSovitsVersion,
  newerVersionFromWeights,
  symbolTableOf,
  unsupportedReason,
  versionFromHeader,
  type VitsSovitsVersion,
  type SovitsVersion,
} from './sovits-version.ts';
import { requireShape, shapeOf, type TensorStore } from './tensor-store.ts';
import { openTorchCheckpoint } from './torch-archive.ts';
import { foldWeightNormStore } from './weight-norm.ts';

export interface SovitsCheckpoint {
  readonly file: string;
  readonly version: VitsSovitsVersion;
  readonly architecture: SovitsArchitecture;
  /** Inference weights: weight norm folded into float32 `x.weight`, other tensors as stored (fp16); no enc_q/EMA state. */
  readonly weights: TensorStore;
  /** The pickled `utils.HParams` config as a plain object (`train`, `data`, `model`, `version`...). */
  readonly hparams: PlainObject;
  readonly info: string;
  /** The first two bytes of the file: `PK`, `00` or `01`; `05`/`06` for v2Pro/v2ProPlus. */
  readonly header: HeaderTag;
  /** Keys outside the expected inference set (kept in `weights`). */
  readonly extraKeys: readonly string[];
  readonly sha256: string;
}

function refuse(file: string, version: SovitsVersion, how: string): never {
  const reason = unsupportedReason(version) ?? 'unsupported';
  throw new UnsupportedModelError(file, version, `is a SoVITS ${version} checkpoint (${how}): ${reason}`);
}

function served(file: string, version: SovitsVersion | undefined, how: string): VitsSovitsVersion | undefined {
  if (version === undefined || isVitsSovitsVersion(version)) return version;
  return refuse(file, version, how);
}

/**
 * Reads a GPT-SoVITS SoVITS `.pth` (v1, v2, v2Pro, v2ProPlus). v3/v4 and their LoRA files fail with an
 * UnsupportedModelError saying what they need; a GPT `.ckpt`, a missing tensor, a wrong shape or an unknown version
 * fail with a CheckpointError naming the file and the tensor.
 */
export async function readSovitsCheckpoint(file: string): Promise<SovitsCheckpoint> {
  const header = await readHeaderTag(file);
  const tagged = versionFromHeader(header);
  // LoRA files are refused before parsing: without their base model nothing in them is usable.
  if (tagged === 'v3-lora' || tagged === 'v4-lora') refuse(file, tagged, `header '${header}'`);
  const checkpoint = await openTorchCheckpoint(file);
  try {
    const parts = gptSovitsParts(checkpoint);
    if (parts.kind === 'gpt') throw new CheckpointError(file, "holds GPT weights ('model.*' keys): this is a GPT .ckpt file, not a SoVITS .pth");
    const config = new ConfigReader(file, parts.config, 'hparams');
    const stored = checkpoint.stateDict(parts.weight, { rename: (key) => (isSovitsTrainingOnly(key) ? undefined : key) });
    const newer = served(file, tagged, `header '${header}'`) ?? served(file, newerVersionFromWeights(stored, config), 'detected from its weights');
    const [rows = 0] = shapeOf(stored, 'enc_p.text_embedding.weight', 2);
    const table = SYMBOL_TABLE_VERSIONS.get(rows);
    if (table === undefined) {
      throw new CheckpointError(file, `has ${rows} rows; GPT-SoVITS v1 has 322 phone symbols and v2 has 732, so the version is unknown`, { tensor: 'enc_p.text_embedding.weight' });
    }
    const version = newer ?? table;
    if (symbolTableOf(version) !== table) {
      throw new CheckpointError(file, `has ${rows} rows, the ${table} phone table, but a ${version} model reads the ${symbolTableOf(version)} table`, { tensor: 'enc_p.text_embedding.weight' });
    }
    // Every GPT-SoVITS weight-norm layer normalizes over dim 0 (for ConvTranspose1d that is the input channel).
    const weights = foldWeightNormStore(stored, () => 0);
    const architecture = deriveSovitsArchitecture(weights, config, version);
    const expected = sovitsExpectedShapes(architecture);
    for (const [name, shape] of expected) requireShape(weights, name, shape);
    return {
      file,
      version,
      architecture,
      weights,
      hparams: parts.config,
      info: parts.info,
      header,
      extraKeys: weights.names().filter((name) => !expected.has(name)),
      sha256: await sha256File(file),
    };
  } catch (error) {
    await checkpoint.close();
    throw error;
  }
}

/** The SoVITS version of a file as GPT-SoVITS would detect it, without refusing anything. */
export async function detectSovitsVersion(file: string): Promise<{ readonly version: SovitsVersion; readonly header: HeaderTag; readonly supported: boolean; readonly reason?: string }> {
  try {
    const checkpoint = await readSovitsCheckpoint(file);
    await checkpoint.weights.close();
    return { version: checkpoint.version, header: checkpoint.header, supported: true };
  } catch (error) {
    if (!(error instanceof UnsupportedModelError)) throw error;
    const version = error.version as SovitsVersion;
    return { version, header: await readHeaderTag(file), supported: false, reason: unsupportedReason(version) ?? '' };
  }
}
