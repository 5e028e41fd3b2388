/**
 * The dimensions of GPT-SoVITS's speaker-verification model, ERes2NetV2 (`sv.py` builds it with baseWidth 24,
 * scale 4, expansion 4: 64 stem channels, [3, 4, 6, 3] blocks, a 20480-d `forward3` embedding), read from the tensor
 * shapes of its state dict. Nothing is assumed about widths, block counts, scale or expansion, so the parity micro
 * model and the real one take the same path. What the shapes cannot tell is ERes2NetV2's code: layer strides
 * 1, 2, 2, 2, 3x3 convs with padding 1, Hardtanh(0, 20) as the blocks' ReLU, and the 80 fbank bins.
 * @module
 */
import { CheckpointError } from '../../checkpoint/errors.ts';
import { formatShape } from '../../tensor/index.ts';
import { affNames, BN_TENSORS, blockConv1, blockConv3, blockFuse, blockShortcut, blockSplitConv, svBlock, SV_FUSE34, SV_LAYER3_DS, SV_STEM, type ConvBnNames } from './weight-names.ts';

/** Kaldi fbank bins GPT-SoVITS feeds (`num_mel_bins=80`), ERes2NetV2's `feat_dim`. */
export const SV_FEAT_DIM = 80;
/** `stride` of each layer's first block (`_make_layer` in ERes2NetV2.__init__). */
export const SV_LAYER_STRIDES: readonly number[] = [1, 2, 2, 2];
/** The blocks' `ReLU` is `nn.Hardtanh(0, 20)`. */
export const SV_HARDTANH_MAX = 20;
/** `nn.BatchNorm2d`'s default eps; the state dict does not store it. */
export const SV_BATCH_NORM_EPS = 1e-5;

export interface SvBlockDims {
  readonly inChannels: number;
  /** Channels of each Res2Net split: floor(planes * baseWidth / 64). */
  readonly width: number;
  /** Number of splits. */
  readonly scale: number;
  /** planes * expansion. */
  readonly outChannels: number;
  readonly stride: number;
  /** A BasicBlockERes2NetV2AFF: splits are merged by AFF instead of by addition. */
  readonly fused: boolean;
  /** Inner width of the block's AFFs (width // 4); 0 when not fused. */
  readonly affInner: number;
  /** Projection shortcut (1x1 conv + BatchNorm) rather than identity. */
  readonly shortcut: boolean;
}

export interface SvDims {
  readonly featDim: number;
  /** `m_channels`: the stem's output channels. */
  readonly stemChannels: number;
  /** Blocks of layer1..layer4. */
  readonly layers: readonly (readonly SvBlockDims[])[];
  /** Layer 1's output / stem channels. */
  readonly expansion: number;
  /** Inner width of `fuse34` (its channels // 4). */
  readonly fuseInner: number;
  /** Channels of `fuse34`'s output (layer 4's) and frequency rows left after the three stride-2 stages. */
  readonly fuseChannels: number;
  readonly fuseFreq: number;
  /** `forward3`'s output: fuseChannels * fuseFreq (20480 for the pretrained model). */
  readonly embeddingDim: number;
}

/** What the dims reader needs of a tensor store: shapes, and a file name for messages when there is one. */
export interface SvShapeSource {
  readonly file?: string;
  info(name: string): { readonly shape: readonly number[] } | undefined;
}

/** Frequency rows after a stride-`stride` conv with kernel 1 / pad 0 or kernel 3 / pad 1 (the same count). */
function strided(size: number, stride: number): number {
  return Math.floor((size - 1) / stride) + 1;
}

/** Names the weights in messages when the store has no file name (an in-memory store). */
export const SV_WEIGHTS_LABEL = 'speaker-verification weights';

interface ShapeReader {
  /** The shape of `name`, checked against `expected` (null = any size on that axis). */
  readonly shape: (name: string, expected?: readonly (number | null)[]) => readonly number[];
  readonly has: (name: string) => boolean;
  readonly fail: (tensor: string, message: string) => never;
}

function reader(store: SvShapeSource): ShapeReader {
  const file = store.file ?? SV_WEIGHTS_LABEL;
  const fail = (tensor: string, message: string): never => {
    throw new CheckpointError(file, message, { tensor });
  };
  const shape = (name: string, expected?: readonly (number | null)[]): readonly number[] => {
    const info = store.info(name);
    if (info === undefined) return fail(name, 'is missing (needed by the ERes2NetV2 speaker-verification model)');
    if (expected !== undefined && (info.shape.length !== expected.length || expected.some((size, axis) => size !== null && info.shape[axis] !== size))) {
      fail(name, `has shape ${formatShape(info.shape)}, expected [${expected.map((size) => (size === null ? '?' : String(size))).join(', ')}]`);
    }
    return info.shape;
  };
  return { shape, has: (name) => store.info(name) !== undefined, fail };
}

function readBlock(store: SvShapeSource, block: string, inChannels: number, stride: number): SvBlockDims {
  const { shape, has, fail } = reader(store);
  const at = (dims: readonly number[], axis: number): number => dims[axis] ?? 0;
  const conv1 = shape(`${blockConv1(block).conv}.weight`, [null, inChannels, 1, 1]);
  const width = at(shape(`${blockSplitConv(block, 0).conv}.weight`, [null, null, 3, 3]), 0);
  let scale = 0;
  while (has(`${blockSplitConv(block, scale).conv}.weight`)) {
    shape(`${blockSplitConv(block, scale).conv}.weight`, [width, width, 3, 3]);
    scale += 1;
  }
  if (at(conv1, 0) !== width * scale) {
    fail(`${blockConv1(block).conv}.weight`, `has ${at(conv1, 0)} output channels, but ${scale} splits of ${width} need ${width * scale}`);
  }
  const outChannels = at(shape(`${blockConv3(block).conv}.weight`, [null, width * scale, 1, 1]), 0);
  const fused = has(`${affNames(blockFuse(block, 0)).squeeze.conv}.weight`);
  let affInner = 0;
  if (fused) {
    affInner = at(shape(`${affNames(blockFuse(block, 0)).squeeze.conv}.weight`, [null, 2 * width, 1, 1]), 0);
    for (let i = 0; i < scale - 1; i += 1) {
      const { squeeze, expand } = affNames(blockFuse(block, i));
      shape(`${squeeze.conv}.weight`, [affInner, 2 * width, 1, 1]);
      shape(`${expand.conv}.weight`, [width, affInner, 1, 1]);
    }
  }
  // ERes2NetV2 builds the projection exactly when stride or width changes; anything else is another architecture.
  const shortcut = stride !== 1 || inChannels !== outChannels;
  if (shortcut) shape(`${blockShortcut(block).conv}.weight`, [outChannels, inChannels, 1, 1]);
  else if (has(`${blockShortcut(block).conv}.weight`)) {
    fail(`${blockShortcut(block).conv}.weight`, 'is a projection shortcut where ERes2NetV2 has an identity one');
  }
  return { inChannels, width, scale, outChannels, stride, fused, affInner, shortcut };
}

/**
 * Reads the model's dimensions from tensor shapes; a missing tensor or a shape ERes2NetV2 cannot have fails with a
 * CheckpointError naming the tensor.
 */
export function svDimsFromWeights(store: SvShapeSource): SvDims {
  const { shape, has, fail } = reader(store);
  const stemChannels = shape(`${SV_STEM.conv}.weight`, [null, 1, 3, 3])[0] ?? 0;
  const layers: SvBlockDims[][] = [];
  let channels = stemChannels;
  let freq = SV_FEAT_DIM;
  const outputs: number[] = [];
  SV_LAYER_STRIDES.forEach((stride, layer) => {
    const blocks: SvBlockDims[] = [];
    for (let i = 0; i === 0 || has(`${blockConv1(svBlock(layer, i)).conv}.weight`); i += 1) {
      const block = readBlock(store, svBlock(layer, i), channels, i === 0 ? stride : 1);
      blocks.push(block);
      channels = block.outChannels;
    }
    freq = strided(freq, stride);
    layers.push(blocks);
    outputs.push(channels);
  });
  const extraLayer = `${blockConv1(svBlock(SV_LAYER_STRIDES.length, 0)).conv}.weight`;
  if (has(extraLayer)) fail(extraLayer, `belongs to a layer${SV_LAYER_STRIDES.length + 1}; ERes2NetV2 has ${SV_LAYER_STRIDES.length} layers`);
  const [, , out3 = 0, out4 = 0] = outputs;
  // layer3_ds (3x3, stride 2, pad 1) brings layer 3 to layer 4's shape for the bottom-up fusion.
  shape(`${SV_LAYER3_DS}.weight`, [out4, out3, 3, 3]);
  const fuse = affNames(SV_FUSE34);
  const fuseInner = shape(`${fuse.squeeze.conv}.weight`, [null, 2 * out4, 1, 1])[0] ?? 0;
  shape(`${fuse.expand.conv}.weight`, [out4, fuseInner, 1, 1]);
  const dims: SvDims = {
    featDim: SV_FEAT_DIM,
    stemChannels,
    layers,
    expansion: (outputs[0] ?? 0) / stemChannels,
    fuseInner,
    fuseChannels: out4,
    fuseFreq: freq,
    embeddingDim: out4 * freq,
  };
  // seg_1 (unused by forward3) reveals the feat_dim the model was trained on: in = 2 * stats_dim * expansion.
  const seg = store.info('seg_1.weight')?.shape;
  if (seg !== undefined && seg[1] !== 2 * dims.embeddingDim) {
    fail('seg_1.weight', `has ${seg[1] ?? '?'} inputs, which implies features other than ${SV_FEAT_DIM} fbank bins (expected ${2 * dims.embeddingDim})`);
  }
  return dims;
}

/** A conv + BatchNorm pair with the conv weight's shape [out, in, k, k]. */
export interface SvConvBn extends ConvBnNames {
  readonly shape: readonly [number, number, number, number];
}

/**
 * Every conv + BatchNorm pair `forward3` uses, in execution order, with its conv's shape (layer3_ds, the one conv
 * without a BatchNorm, is not listed).
 */
export function svConvBnPairs(dims: SvDims): SvConvBn[] {
  const pairs: SvConvBn[] = [{ ...SV_STEM, shape: [dims.stemChannels, 1, 3, 3] }];
  dims.layers.forEach((blocks, layer) => {
    blocks.forEach((block, index) => {
      const name = svBlock(layer, index);
      const { width, scale, affInner, inChannels, outChannels } = block;
      pairs.push({ ...blockConv1(name), shape: [width * scale, inChannels, 1, 1] });
      for (let i = 0; i < scale; i += 1) {
        if (block.fused && i > 0) {
          const { squeeze, expand } = affNames(blockFuse(name, i - 1));
          pairs.push({ ...squeeze, shape: [affInner, 2 * width, 1, 1] }, { ...expand, shape: [width, affInner, 1, 1] });
        }
        pairs.push({ ...blockSplitConv(name, i), shape: [width, width, 3, 3] });
      }
      pairs.push({ ...blockConv3(name), shape: [outChannels, width * scale, 1, 1] });
      if (block.shortcut) pairs.push({ ...blockShortcut(name), shape: [outChannels, inChannels, 1, 1] });
    });
  });
  const fuse = affNames(SV_FUSE34);
  const channels = dims.fuseChannels;
  pairs.push({ ...fuse.squeeze, shape: [dims.fuseInner, 2 * channels, 1, 1] }, { ...fuse.expand, shape: [channels, dims.fuseInner, 1, 1] });
  return pairs;
}

/** Shape of `layer3_ds.weight`: layer 3's output to layer 4's channels. */
export function svDownsampleShape(dims: SvDims): readonly [number, number, number, number] {
  return [dims.fuseChannels, dims.layers[2]?.at(-1)?.outChannels ?? 0, 3, 3];
}

/** Every tensor `forward3` reads, with its shape; what a checkpoint must hold. */
export function svExpectedShapes(dims: SvDims): Map<string, readonly number[]> {
  const shapes = new Map<string, readonly number[]>();
  for (const pair of svConvBnPairs(dims)) {
    const out = pair.shape[0];
    shapes.set(`${pair.conv}.weight`, pair.shape);
    if (pair.convBias) shapes.set(`${pair.conv}.bias`, [out]);
    for (const tensor of BN_TENSORS) shapes.set(`${pair.bn}.${tensor}`, [out]);
  }
  shapes.set(`${SV_LAYER3_DS}.weight`, svDownsampleShape(dims));
  return shapes;
}
