/**
 * Builds `sv.onnx`: Kaldi fbank [B, T, 80] → ERes2NetV2 `forward3` embedding [B, C·F] (GPT-SoVITS v2Pro `sv_emb`).
 *
 * As ERes2NetV2.py: stem conv + BatchNorm + ReLU; layers 1-2 of Res2Net blocks whose splits are merged by addition,
 * layers 3-4 of blocks merged by AFF; `layer3_ds` brings layer 3 to layer 4's shape and `fuse34` (AFF) merges the
 * two; then `flatten(1, 2).mean(-1)`. BatchNorms are folded into their convs (`fold-batch-norm.ts`); the blocks'
 * `ReLU` is `Hardtanh(0, 20)`, a Clip. Initializer names are the convs' state-dict names.
 * @module
 */
import { attr, GraphBuilder, Ops, writeModel, type ExternalDataFile, type Precision, type Value, type WeightSource, type WrittenModel } from '../../onnx/index.ts';
import { checkSvWeights } from './checkpoint.ts';
import { SV_HARDTANH_MAX, svDimsFromWeights, type SvBlockDims, type SvDims } from './config.ts';
import { foldSvBatchNorms } from './fold-batch-norm.ts';
import { SV_FILE, SV_IO_NAMES, svIo } from './io.ts';
import { affNames, blockConv1, blockConv3, blockFuse, blockShortcut, blockSplitConv, svBlock, SV_FUSE34, SV_LAYER3_DS, SV_STEM, type ConvBnNames } from './weight-names.ts';

export interface SvGraphOptions {
  /** Computed from the weights' shapes when omitted. */
  readonly dims?: SvDims;
  readonly precision?: Precision;
}

/** Graph state shared by the layer helpers: the op builder and the scalar constants, made once. */
interface Ctx {
  readonly op: Ops;
  readonly zero: Value;
  readonly one: Value;
  readonly two: Value;
  readonly clipMax: Value;
}

function first(values: readonly Value[]): Value {
  const [value] = values;
  if (value === undefined) throw new Error('operator produced no output');
  return value;
}

/** A 2-D conv (square kernel, equal stride and padding on both axes) with its folded BatchNorm as bias. */
function convBn(ctx: Ctx, pair: ConvBnNames, x: Value, stride: number, padding: number): Value {
  const g = ctx.op.g;
  return conv2d(ctx, x, g.weight(`${pair.conv}.weight`), g.weight(`${pair.conv}.bias`), stride, padding);
}

function conv2d(ctx: Ctx, x: Value, weight: Value, bias: Value | null, stride: number, padding: number): Value {
  return first(
    ctx.op.g.node('Conv', [x, weight, bias], {
      attributes: {
        strides: attr.ints([stride, stride]),
        pads: attr.ints([padding, padding, padding, padding]),
        dilations: attr.ints([1, 1]),
        group: attr.int(1),
      },
    }),
  );
}

/** ERes2NetV2's `ReLU`: `nn.Hardtanh(0, 20)`. */
function hardtanh(ctx: Ctx, x: Value): Value {
  return ctx.op.clip(x, ctx.zero, ctx.clipMax);
}

/** fusion.py AFF: att = 1 + tanh(BN(conv(SiLU(BN(conv([x, y])))))); x·att + y·(2 − att). */
function aff(ctx: Ctx, name: string, x: Value, y: Value): Value {
  const { op } = ctx;
  const { squeeze, expand } = affNames(name);
  let att = convBn(ctx, squeeze, op.concat([x, y], 1), 1, 0); // [B, inner, F, T]
  att = op.mul(att, op.sigmoid(att)); // SiLU
  att = convBn(ctx, expand, att, 1, 0); // [B, C, F, T]
  const xAtt = op.add(ctx.one, op.tanh(att));
  return op.add(op.mul(x, xAtt), op.mul(y, op.sub(ctx.two, xAtt))); // [B, C, F, T]
}

/** BasicBlockERes2NetV2 (`fused` false) or BasicBlockERes2NetV2AFF: x [B, in, F, T] → [B, out, F/stride, T/stride]. */
function block(ctx: Ctx, name: string, dims: SvBlockDims, x: Value): Value {
  const { op } = ctx;
  const expanded = hardtanh(ctx, convBn(ctx, blockConv1(name), x, dims.stride, 0)); // [B, width·scale, F', T']
  const splits = op.split(expanded, Array.from({ length: dims.scale }, () => dims.width), 1); // scale × [B, width, F', T']
  const outputs: Value[] = [];
  let sp: Value | undefined;
  splits.forEach((split, i) => {
    // Res2Net hierarchy: each split also sees the previous split's output, added or AFF-fused.
    if (sp === undefined) sp = split;
    else sp = dims.fused ? aff(ctx, blockFuse(name, i - 1), sp, split) : op.add(sp, split);
    sp = hardtanh(ctx, convBn(ctx, blockSplitConv(name, i), sp, 1, 1)); // [B, width, F', T']
    outputs.push(sp);
  });
  const out = convBn(ctx, blockConv3(name), op.concat(outputs, 1), 1, 0); // [B, out, F', T']
  const residual = dims.shortcut ? convBn(ctx, blockShortcut(name), x, dims.stride, 0) : x;
  return hardtanh(ctx, op.add(out, residual));
}

/**
 * The `sv` graph over `weights` (an SV state dict: raw conv and BatchNorm tensors; the folding happens here). A
 * missing or misshapen tensor fails now, with a CheckpointError naming it.
 */
export function buildSvGraph(weights: WeightSource & { readonly file?: string }, options: SvGraphOptions = {}): GraphBuilder {
  const dims = options.dims ?? svDimsFromWeights(weights);
  checkSvWeights(weights, dims);
  const g = new GraphBuilder({ name: 'sv', weights: foldSvBatchNorms(weights, dims), precision: options.precision ?? 'fp32' });
  const op = new Ops(g);
  const ctx: Ctx = { op, zero: op.float(0), one: op.float(1), two: op.float(2), clipMax: op.float(SV_HARDTANH_MAX) };
  const io = svIo(dims);
  const [fbankSpec] = io.inputs;
  const [embeddingSpec] = io.outputs;
  if (fbankSpec === undefined || embeddingSpec === undefined) throw new Error('sv io specs are incomplete');
  const fbank = g.input(fbankSpec.name, fbankSpec.dtype, fbankSpec.dims); // [B, T, 80]
  const image = op.unsqueeze(op.transpose(op.toCompute(fbank), [0, 2, 1]), [1]); // [B, 1, 80, T]
  // forward3's stem uses F.relu, not the blocks' Hardtanh.
  let x = op.relu(g.scoped('stem', () => convBn(ctx, SV_STEM, image, 1, 1))); // [B, m, 80, T]
  const outputs: Value[] = [];
  dims.layers.forEach((blocks, layer) => {
    blocks.forEach((blockDims, index) => {
      const name = svBlock(layer, index);
      const input = x;
      x = g.scoped(name, () => block(ctx, name, blockDims, input)); // [B, out, F_l, T_l]
    });
    outputs.push(x);
  });
  const [, , out3, out4] = outputs;
  if (out3 === undefined || out4 === undefined) throw new Error(`ERes2NetV2 needs 4 layers, dims have ${outputs.length}`);
  const fused = g.scoped(SV_FUSE34, () => {
    const out3Ds = conv2d(ctx, out3, g.weight(`${SV_LAYER3_DS}.weight`), null, 2, 1); // [B, C4, F4, T4]
    return aff(ctx, SV_FUSE34, out4, out3Ds); // [B, C4, F4, T4]
  });
  // flatten(1, 2).mean(-1) = mean over time, then channels-major flatten; the mean runs in float32 in fp16 graphs.
  const pooled = op.reduceMean(op.toFloat32(fused), [3], false); // [B, C4, F4]
  const embedding = op.reshape(pooled, [0, dims.embeddingDim]); // [B, C4·F4]
  g.output(embedding, SV_IO_NAMES.embedding, embeddingSpec.dims);
  return g;
}

/** Writes `sv.onnx` into `dir` (weights inline, or appended to `externalData`). */
export async function writeSvGraph(
  dir: string,
  weights: WeightSource & { readonly file?: string },
  options: SvGraphOptions & { readonly externalData?: ExternalDataFile } = {},
): Promise<WrittenModel> {
  const dims = options.dims ?? svDimsFromWeights(weights);
  const precision = options.precision ?? 'fp32';
  const graph = buildSvGraph(weights, { dims, precision });
  return writeModel(graph, {
    dir,
    fileName: SV_FILE,
    ...(options.externalData === undefined ? {} : { externalData: options.externalData }),
    metadata: { model: 'ERes2NetV2 forward3 (GPT-SoVITS sv_emb)', precision, dims: JSON.stringify(dims) },
  });
}
