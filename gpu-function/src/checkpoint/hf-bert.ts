/**
 * chinese-roberta-wwm-ext-large (a BERT-large `BertForMaskedLM`) as GPT-SoVITS uses it: only the encoder's hidden
 * states matter, so the `cls.*` masked-LM head is left out. Architecture from shapes; heads, eps and activation
 * from config.json.
 * @module
 */
import { CheckpointError } from './errors.ts';
import { openHfFolder, readVocab } from './hf-folder.ts';
import { join, relative } from 'node:path';
import { ConfigReader, type PlainObject } from './plain.ts';
import { sha256File } from './sha256.ts';
import { countIndexed, renameStore, requireShape, shapeOf, type TensorStore } from './tensor-store.ts';

export interface BertArchitecture {
  readonly layers: number;
  readonly hiddenSize: number;
  readonly heads: number;
  readonly headDim: number;
  readonly intermediateSize: number;
  readonly vocabSize: number;
  readonly maxPositions: number;
  readonly typeVocabSize: number;
  readonly layerNormEps: number;
  /** `hidden_act` of config.json (`gelu`: the exact erf form). */
  readonly activation: string;
}

export interface HfBert {
  readonly dir: string;
  readonly architecture: BertArchitecture;
  /** Encoder weights named as in `BertModel` (`embeddings.*`, `encoder.layer.N.*`), as stored (fp32 or fp16). */
  readonly weights: TensorStore;
  readonly config: PlainObject;
  /** vocab.txt, index = token id. */
  readonly vocab: readonly string[];
  /** Keys left out (`cls.*`, `pooler.*`, position_ids buffers). */
  readonly ignoredKeys: readonly string[];
  /** SHA-256 of each file, by file name within the folder. */
  readonly sha256: Readonly<Record<string, string>>;
}

/** Old TF-converted checkpoints name LayerNorm parameters gamma/beta; transformers renames them on load too. */
function modernName(name: string): string {
  return name.replace(/\.gamma$/, '.weight').replace(/\.beta$/, '.bias');
}

export function bertExpectedShapes(a: BertArchitecture): Map<string, readonly number[]> {
  const h = a.hiddenSize;
  const shapes = new Map<string, readonly number[]>([
    ['embeddings.word_embeddings.weight', [a.vocabSize, h]],
    ['embeddings.position_embeddings.weight', [a.maxPositions, h]],
    ['embeddings.token_type_embeddings.weight', [a.typeVocabSize, h]],
    ['embeddings.LayerNorm.weight', [h]],
    ['embeddings.LayerNorm.bias', [h]],
  ]);
  for (let i = 0; i < a.layers; i += 1) {
    const p = `encoder.layer.${i}.`;
    for (const proj of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) {
      shapes.set(`${p}${proj}.weight`, [h, h]);
      shapes.set(`${p}${proj}.bias`, [h]);
    }
    shapes.set(`${p}intermediate.dense.weight`, [a.intermediateSize, h]);
    shapes.set(`${p}intermediate.dense.bias`, [a.intermediateSize]);
    shapes.set(`${p}output.dense.weight`, [h, a.intermediateSize]);
    shapes.set(`${p}output.dense.bias`, [h]);
    for (const norm of ['attention.output.LayerNorm', 'output.LayerNorm']) {
      shapes.set(`${p}${norm}.weight`, [h]);
      shapes.set(`${p}${norm}.bias`, [h]);
    }
  }
  return shapes;
}

/**
 * Reads a BERT folder (config.json, pytorch_model.bin or model.safetensors, vocab.txt). Keys may carry the `bert.`
 * prefix (BertForMaskedLM) or none (BertModel). Fails naming the file and tensor on any missing or misshapen weight.
 */
export async function readHfBert(dir: string): Promise<HfBert> {
  const folder = await openHfFolder(dir);
  const raw = folder.weights;
  try {
    const configFile = join(dir, 'config.json');
    const config = new ConfigReader(configFile, folder.config);
    const modelType = config.string('model_type', 'bert');
    if (modelType !== 'bert') throw new CheckpointError(configFile, `model_type is '${modelType}', expected 'bert'`);
    const prefixed = raw.names().some((name) => name.startsWith('bert.'));
    const ignoredKeys: string[] = [];
    const weights = renameStore(raw, (name) => {
      const bare = prefixed ? (name.startsWith('bert.') ? name.slice(5) : undefined) : name;
      if (bare === undefined || bare.startsWith('pooler.') || bare.startsWith('cls.') || bare.endsWith('position_ids')) {
        ignoredKeys.push(name);
        return undefined;
      }
      return modernName(bare);
    });
    const [vocabSize = 0, hiddenSize = 0] = shapeOf(weights, 'embeddings.word_embeddings.weight', 2);
    const [maxPositions = 0] = shapeOf(weights, 'embeddings.position_embeddings.weight', 2);
    const [typeVocabSize = 0] = shapeOf(weights, 'embeddings.token_type_embeddings.weight', 2);
    const [intermediateSize = 0] = shapeOf(weights, 'encoder.layer.0.intermediate.dense.weight', 2);
    const layers = countIndexed(weights, (i) => `encoder.layer.${i}.attention.self.query.weight`);
    const heads = config.int('num_attention_heads');
    if (heads <= 0 || hiddenSize % heads !== 0) throw new CheckpointError(configFile, `num_attention_heads ${heads} does not divide hidden size ${hiddenSize}`);
    config.expectMatches('hidden_size', hiddenSize, 'embeddings.word_embeddings.weight');
    config.expectMatches('vocab_size', vocabSize, 'embeddings.word_embeddings.weight');
    config.expectMatches('num_hidden_layers', layers, `encoder.layer.${layers - 1}.*`);
    config.expectMatches('intermediate_size', intermediateSize, 'encoder.layer.0.intermediate.dense.weight');
    config.expectMatches('max_position_embeddings', maxPositions, 'embeddings.position_embeddings.weight');
    const positionType = config.string('position_embedding_type', 'absolute');
    if (positionType !== 'absolute') throw new CheckpointError(configFile, `position_embedding_type '${positionType}' is not supported (only 'absolute')`);
    const architecture: BertArchitecture = {
      layers,
      hiddenSize,
      heads,
      headDim: hiddenSize / heads,
      intermediateSize,
      vocabSize,
      maxPositions,
      typeVocabSize,
      layerNormEps: config.number('layer_norm_eps', 1e-12),
      activation: config.string('hidden_act', 'gelu'),
    };
    for (const [name, shape] of bertExpectedShapes(architecture)) requireShape(weights, name, shape);
    const vocabFile = join(dir, 'vocab.txt');
    const vocab = await readVocab(vocabFile);
    if (vocab.length > vocabSize) throw new CheckpointError(vocabFile, `has ${vocab.length} tokens but the embedding has only ${vocabSize} rows`);
    const files = [...folder.files, vocabFile];
    const hashes = await Promise.all(files.map(async (file) => [relative(dir, file), await sha256File(file)] as const));
    return { dir, architecture, weights, config: folder.config, vocab, ignoredKeys, sha256: Object.fromEntries(hashes) };
  } catch (error) {
    await raw.close();
    throw error;
  }
}
