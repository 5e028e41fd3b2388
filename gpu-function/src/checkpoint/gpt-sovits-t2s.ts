/**
 * GPT-SoVITS GPT (`.ckpt`, stage-1 T2S) reader: validates every key and shape of `Text2SemanticDecoder` and derives
 * the architecture from tensor shapes (the head count, top_k and max_sec come from the config; weights cannot tell).
 * @module
 */
import { CheckpointError } from './errors.ts';
import { gptSovitsParts } from './gpt-sovits-file.ts';
import { HEADER_VERSIONS } from './header.ts';
import { formatPickleValue } from './pickle-values.ts';
import { ConfigReader, type PlainObject } from './plain.ts';
import { sha256File } from './sha256.ts';
import { countIndexed, requireShape, shapeOf, type TensorStore } from './tensor-store.ts';
import { openTorchCheckpoint } from './torch-archive.ts';

export interface T2sArchitecture {
  /** Phone/token embedding width (= hiddenDim in every GPT-SoVITS config). */
  readonly embeddingDim: number;
  /** Transformer width. */
  readonly hiddenDim: number;
  readonly heads: number;
  readonly headDim: number;
  readonly layers: number;
  /** FFN width (4 x hidden in GPT-SoVITS; `linear_units` in the config is unused). */
  readonly ffnDim: number;
  /** Rows of the phone embedding (732 for v2 configs, 512 for v1). */
  readonly phonemeVocabSize: number;
  /** Semantic tokens + EOS (1025). */
  readonly vocabSize: number;
  /** End-of-speech token, vocabSize - 1. */
  readonly eos: number;
  /** BERT feature width `bert_proj` takes (1024). */
  readonly bertDim: number;
  /** LayerNorm epsilon, fixed in the model code. */
  readonly layerNormEps: number;
  /** `inference.top_k` of the training config. */
  readonly topK: number;
  /** `data.max_sec` of the training config. */
  readonly maxSec: number;
}

export interface T2sCheckpoint {
  readonly file: string;
  readonly architecture: T2sArchitecture;
  /** Weights named as in `Text2SemanticDecoder` (the `model.` prefix removed), fp16 as stored. */
  readonly weights: TensorStore;
  /** The s1 training config dict. */
  readonly config: PlainObject;
  /** The `info` string, e.g. `GPT-e15`. */
  readonly info: string;
  /** Keys outside the expected set (kept in `weights`). */
  readonly extraKeys: readonly string[];
  readonly sha256: string;
}

const PREFIX = 'model.';

/** The tensor names and shapes a T2S model of this architecture has. */
export function t2sExpectedShapes(a: T2sArchitecture): Map<string, readonly number[]> {
  const h = a.hiddenDim;
  const shapes = new Map<string, readonly number[]>([
    ['bert_proj.weight', [a.embeddingDim, a.bertDim]],
    ['bert_proj.bias', [a.embeddingDim]],
    ['ar_text_embedding.word_embeddings.weight', [a.phonemeVocabSize, a.embeddingDim]],
    ['ar_text_position.alpha', [1]],
    ['ar_audio_embedding.word_embeddings.weight', [a.vocabSize, a.embeddingDim]],
    ['ar_audio_position.alpha', [1]],
  ]);
  for (let i = 0; i < a.layers; i += 1) {
    const p = `h.layers.${i}.`;
    shapes.set(`${p}self_attn.in_proj_weight`, [3 * h, h]);
    shapes.set(`${p}self_attn.in_proj_bias`, [3 * h]);
    shapes.set(`${p}self_attn.out_proj.weight`, [h, h]);
    shapes.set(`${p}self_attn.out_proj.bias`, [h]);
    shapes.set(`${p}linear1.weight`, [a.ffnDim, h]);
    shapes.set(`${p}linear1.bias`, [a.ffnDim]);
    shapes.set(`${p}linear2.weight`, [h, a.ffnDim]);
    shapes.set(`${p}linear2.bias`, [h]);
    for (const norm of ['norm1', 'norm2']) {
      shapes.set(`${p}${norm}.weight`, [h]);
      shapes.set(`${p}${norm}.bias`, [h]);
    }
  }
  shapes.set('ar_predict_layer.weight', [a.vocabSize, h]);
  return shapes;
}

function deriveArchitecture(weights: TensorStore, config: ConfigReader): T2sArchitecture {
  const [phonemeVocabSize = 0, embeddingDim = 0] = shapeOf(weights, 'ar_text_embedding.word_embeddings.weight', 2);
  const [vocabSize = 0] = shapeOf(weights, 'ar_audio_embedding.word_embeddings.weight', 2);
  const [, bertDim = 0] = shapeOf(weights, 'bert_proj.weight', 2);
  const [qkv = 0, hiddenDim = 0] = shapeOf(weights, 'h.layers.0.self_attn.in_proj_weight', 2);
  const [ffnDim = 0] = shapeOf(weights, 'h.layers.0.linear1.weight', 2);
  const layers = countIndexed(weights, (i) => `h.layers.${i}.self_attn.in_proj_weight`);
  const file = weights.file;
  if (qkv !== 3 * hiddenDim) throw new CheckpointError(file, `has ${qkv} rows, expected 3 x ${hiddenDim} (packed q, k, v)`, { tensor: 'h.layers.0.self_attn.in_proj_weight' });
  if (embeddingDim !== hiddenDim) {
    throw new CheckpointError(file, `embedding width ${embeddingDim} differs from the transformer width ${hiddenDim}`, { tensor: 'ar_text_embedding.word_embeddings.weight' });
  }
  const heads = config.int('model.head');
  if (heads <= 0 || hiddenDim % heads !== 0) throw new CheckpointError(file, `config field 'model.head' is ${heads}, which does not divide the width ${hiddenDim}`);
  config.expectMatches('model.hidden_dim', hiddenDim, 'h.layers.0.self_attn.in_proj_weight');
  config.expectMatches('model.embedding_dim', embeddingDim, 'ar_text_embedding.word_embeddings.weight');
  config.expectMatches('model.n_layer', layers, `h.layers.${layers - 1}.*`);
  config.expectMatches('model.phoneme_vocab_size', phonemeVocabSize, 'ar_text_embedding.word_embeddings.weight');
  config.expectMatches('model.vocab_size', vocabSize, 'ar_audio_embedding.word_embeddings.weight');
  const eos = config.int('model.EOS', vocabSize - 1);
  if (eos !== vocabSize - 1) throw new CheckpointError(file, `config field 'model.EOS' is ${eos}, but GPT-SoVITS requires vocab_size - 1 = ${vocabSize - 1}`);
  return {
    embeddingDim,
    hiddenDim,
    heads,
    headDim: hiddenDim / heads,
    layers,
    ffnDim,
    phonemeVocabSize,
    vocabSize,
    eos,
    bertDim,
    layerNormEps: 1e-5,
    topK: config.int('inference.top_k'),
    maxSec: config.number('data.max_sec'),
  };
}

/**
 * Reads a GPT-SoVITS GPT `.ckpt`. Returns its architecture (from shapes), lazily read weights without the `model.`
 * prefix, config, info, extra keys and SHA-256. Fails naming the file (and tensor) for a SoVITS file, a missing
 * tensor, a wrong shape or a config that contradicts the weights.
 */
export async function readT2sCheckpoint(file: string): Promise<T2sCheckpoint> {
  const checkpoint = await openTorchCheckpoint(file);
  try {
    if (checkpoint.header !== 'PK') {
      throw new CheckpointError(file, `starts with the SoVITS version tag '${checkpoint.header}' (${HEADER_VERSIONS.get(checkpoint.header) ?? '?'}): this is a SoVITS .pth file, not a GPT .ckpt`);
    }
    const parts = gptSovitsParts(checkpoint);
    if (parts.kind === 'sovits') throw new CheckpointError(file, 'holds SoVITS weights (enc_p, dec, flow...): this is a SoVITS .pth file, not a GPT .ckpt');
    const stray = [...parts.weight.keys()].find((key) => typeof key !== 'string' || !key.startsWith(PREFIX));
    if (stray !== undefined) throw new CheckpointError(file, `does not start with '${PREFIX}' as GPT-SoVITS GPT weights do`, { tensor: typeof stray === 'string' ? stray : formatPickleValue(stray) });
    const weights = checkpoint.stateDict(parts.weight, { rename: (key) => key.slice(PREFIX.length) });
    const architecture = deriveArchitecture(weights, new ConfigReader(file, parts.config));
    const expected = t2sExpectedShapes(architecture);
    for (const [name, shape] of expected) requireShape(weights, name, shape);
    return {
      file,
      architecture,
      weights,
      config: parts.config,
      info: parts.info,
      extraKeys: weights.names().filter((name) => !expected.has(name)),
      sha256: await sha256File(file),
    };
  } catch (error) {
    await checkpoint.close();
    throw error;
  }
}
