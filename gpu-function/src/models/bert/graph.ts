/**
 * Builds `bert.onnx`: token ids and attention mask → `hidden_states[-3]`. Only the layers that state depends on
 * are built (L - 2), and there is no masked-LM head. Initializer names are the checkpoint's `BertModel` names.
 * @module
 */
import { GraphBuilder, Ops, writeModel, type ExternalDataFile, type Precision, type Value, type WeightSource, type WrittenModel } from '../../onnx/index.ts';
import { bertComputedLayers, checkBertDims, type BertDims } from './config.ts';
import { BERT_FILE, BERT_IO_NAMES, bertIo } from './io.ts';
import { namedLayerNorm, postNormLayer } from './post-norm-layer.ts';
import { BERT_EMBEDDINGS, bertLayerNames } from './weight-names.ts';

/** `torch.finfo(dtype).min`, the additive mask transformers puts on padded keys. */
const MASK_VALUE = { float32: -3.4028234663852886e38, float16: -65504 } as const;

/** word + position (0..T-1) + token type 0 embeddings, then LayerNorm. */
function embeddings(op: Ops, inputIds: Value, dims: BertDims): Value {
  const g = op.g;
  const words = op.gather(g.weight(BERT_EMBEDDINGS.words), inputIds); // [B, T, H]
  const tokens = op.shape(inputIds, 1, 2); // [1] = T
  const positions = op.slice(g.weight(BERT_EMBEDDINGS.positions), [0], tokens, [0]); // [T, H]
  const tokenType = op.gather(g.weight(BERT_EMBEDDINGS.tokenTypes), op.i64Scalar(0)); // [H]
  const summed = op.add(op.add(words, positions), tokenType); // [B, T, H]
  return namedLayerNorm(op, summed, BERT_EMBEDDINGS.norm, dims.layerNormEps);
}

/** `attention_mask` [B, T] (1 valid, 0 pad) → additive mask [B, 1, 1, T] in the compute type. */
function additiveMask(op: Ops, mask: Value): Value {
  const valid = op.cast(mask, op.g.floatType); // [B, T]
  const additive = op.mul(op.sub(op.float(1), valid), op.float(MASK_VALUE[op.g.floatType])); // [B, T]
  return op.unsqueeze(additive, [1, 2]); // [B, 1, 1, T]
}

export function buildBertGraph(weights: WeightSource, dims: BertDims, precision: Precision): GraphBuilder {
  checkBertDims(dims);
  const g = new GraphBuilder({ name: 'bert', weights, precision });
  const op = new Ops(g);
  const io = bertIo(dims);
  const [idsSpec, maskSpec] = io.inputs;
  const [hiddenSpec] = io.outputs;
  if (idsSpec === undefined || maskSpec === undefined || hiddenSpec === undefined) throw new Error('bert io specs are incomplete');
  const inputIds = g.input(idsSpec.name, idsSpec.dtype, idsSpec.dims);
  const mask = additiveMask(op, g.input(maskSpec.name, maskSpec.dtype, maskSpec.dims));
  let hidden = embeddings(op, inputIds, dims); // [B, T, H]
  const shape = { hidden: dims.hidden, heads: dims.heads, layerNormEps: dims.layerNormEps };
  for (let i = 0; i < bertComputedLayers(dims); i += 1) {
    hidden = g.scoped(`layer${i}`, () => postNormLayer(op, hidden, mask, bertLayerNames(i), shape));
  }
  g.output(op.toFloat32(hidden), BERT_IO_NAMES.hidden, hiddenSpec.dims);
  return g;
}

/** Writes `bert.onnx` into `dir` (weights inline, or appended to `externalData`). */
export async function writeBertGraph(
  dir: string,
  weights: WeightSource,
  dims: BertDims,
  precision: Precision,
  externalData?: ExternalDataFile,
): Promise<WrittenModel> {
  const graph = buildBertGraph(weights, dims, precision);
  return writeModel(graph, {
    dir,
    fileName: BERT_FILE,
    ...(externalData === undefined ? {} : { externalData }),
    metadata: { model: 'chinese-roberta-wwm-ext-large hidden_states[-3]', precision, dims: JSON.stringify(dims) },
  });
}
