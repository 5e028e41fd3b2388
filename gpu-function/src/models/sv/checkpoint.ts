/**
 * Reads GPT-SoVITS's speaker-verification checkpoint (`GPT_SoVITS/pretrained_models/sv/
 * pretrained_eres2netv2w24s4ep4.ckpt`): a `torch.save` of ERes2NetV2's state dict, a plain (Ordered)dict of fp32 or
 * fp16 tensors that `sv.py` passes straight to `load_state_dict`. Loading is strict like that call, except for what
 * `forward3` never reads: `seg_1` (the 192-d head) and BatchNorm's `num_batches_tracked`.
 * @module
 */
import { CheckpointError } from '../../checkpoint/errors.ts';
import { PyDict } from '../../checkpoint/pickle-values.ts';
import type { LazyTensorStore } from '../../checkpoint/tensor-store.ts';
import { openTorchCheckpoint } from '../../checkpoint/torch-archive.ts';
import { formatShape, type DType } from '../../tensor/index.ts';
import { svDimsFromWeights, svExpectedShapes, SV_WEIGHTS_LABEL, type SvDims } from './config.ts';

export interface SvCheckpoint {
  readonly file: string;
  /** Tensors under their state-dict names; close it when done. */
  readonly weights: LazyTensorStore;
  readonly dims: SvDims;
}

/** Tensors a strict `load_state_dict` accepts that `forward3` does not read. */
const UNUSED = /^(seg_1\.(weight|bias)|seg_2\.(weight|bias)|seg_bn_1\.(running_mean|running_var|num_batches_tracked))$|\.num_batches_tracked$/;

const FLOAT_TYPES: ReadonlySet<DType> = new Set<DType>(['float32', 'float16', 'bfloat16', 'float64']);

/** What the check needs of a store. */
export interface SvWeightInfo {
  readonly file?: string;
  info(name: string): { readonly dtype: DType; readonly shape: readonly number[] } | undefined;
}

/**
 * Fails with a CheckpointError naming the first tensor `forward3` needs that is missing, misshapen or not floating
 * point, and, when `names` lists the store's contents, any tensor ERes2NetV2 does not have.
 */
export function checkSvWeights(store: SvWeightInfo, dims: SvDims, names?: readonly string[]): void {
  const file = store.file ?? SV_WEIGHTS_LABEL;
  const expected = svExpectedShapes(dims);
  const missing = [...expected.keys()].filter((name) => store.info(name) === undefined);
  if (missing.length > 0) {
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more: ${missing.slice(1, 6).join(', ')}${missing.length > 6 ? ', ...' : ''})` : '';
    throw new CheckpointError(file, `is missing; ERes2NetV2 forward3 needs it${more}`, { tensor: missing[0] ?? '' });
  }
  for (const [name, shape] of expected) {
    const info = store.info(name);
    if (info === undefined) continue;
    if (info.shape.length !== shape.length || info.shape.some((size, axis) => size !== shape[axis])) {
      throw new CheckpointError(file, `has shape ${formatShape(info.shape)}, expected ${formatShape(shape)}`, { tensor: name });
    }
    if (!FLOAT_TYPES.has(info.dtype)) throw new CheckpointError(file, `has dtype ${info.dtype}, expected a floating-point type`, { tensor: name });
  }
  if (names === undefined) return;
  const unexpected = names.filter((name) => !expected.has(name) && !UNUSED.test(name));
  if (unexpected.length > 0) {
    const info = store.info(unexpected[0] ?? '');
    throw new CheckpointError(file, `holds ${unexpected.length} tensor(s) ERes2NetV2 does not have, e.g. '${unexpected[0] ?? ''}' ${formatShape(info?.shape ?? [])}: not the speaker-verification model GPT-SoVITS loads`);
  }
}

/**
 * Opens the SV checkpoint, derives its dims from tensor shapes and checks it strictly. Tensor data stays on disk
 * until the graph writer reads it.
 */
export async function readSvCheckpoint(file: string): Promise<SvCheckpoint> {
  const checkpoint = await openTorchCheckpoint(file);
  const { root } = checkpoint;
  try {
    if (!(root instanceof PyDict)) throw new CheckpointError(file, 'does not hold a state dict (a dict of tensors)');
    if (root.has('weight') && root.has('config')) {
      throw new CheckpointError(file, 'is a GPT-SoVITS GPT/SoVITS model checkpoint, not the speaker-verification state dict (sv/pretrained_eres2netv2w24s4ep4.ckpt)');
    }
    const weights = checkpoint.stateDict(root);
    const dims = svDimsFromWeights(weights);
    checkSvWeights(weights, dims, weights.names());
    return { file, weights, dims };
  } catch (error) {
    await checkpoint.close();
    throw error;
  }
}
