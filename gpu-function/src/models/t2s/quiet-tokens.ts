/**
 * The semantic tokens GPT-SoVITS treats as "quiet" when it cuts token-chunk streams (streaming mode 2): TTS.py
 * computes `F.cosine_similarity(E[486], E)` over the T2S audio embedding `ar_audio_embedding.word_embeddings.weight`
 * (row 486 is the mute token in every version) and t2s_model.py treats a token as a cut candidate when
 * `similarity - chunk_split_thershold >= 0` (threshold 0.0). Computed once per model (the bundle stores it).
 *
 * Cosine similarity as PyTorch ≥ 2 computes it: each row divided by max(‖row‖, 1e-8), so a zero row has similarity
 * 0 (and counts as quiet at threshold 0, as in GPT-SoVITS). Computed in float64 from float32 weights; GPT-SoVITS
 * computes in float32, so a token whose similarity is within ~1e-7 of the threshold could be classed differently.
 * @module
 */
import type { WeightSource } from '../../onnx/values.ts';
import { toFloat32 } from '../../tensor/convert.ts';
import { formatShape, type HostTensor } from '../../tensor/tensor.ts';
import { T2S_WEIGHTS } from './weights.ts';

/** TTS.py `mute_tokens` (486 for v1 through v4). */
export const MUTE_TOKEN = 486;
/** TTS.py `chunk_split_thershold`. */
export const QUIET_SIMILARITY_THRESHOLD = 0;

const COSINE_EPS = 1e-8;

/** The quiet tokens of a model, with what mode-2 chunking needs to rank cut points. */
export interface QuietTokens {
  readonly muteToken: number;
  readonly threshold: number;
  /** Token ids whose similarity to the mute token is ≥ threshold, ascending. */
  readonly ids: Int32Array;
  /** Their cosine similarity to the mute token, aligned with `ids`. */
  readonly similarity: Float32Array;
}

/** Cosine similarity of every row of `embedding` `[vocab, dim]` to row `muteToken`, `[vocab]`. */
export function muteSimilarity(embedding: HostTensor, muteToken: number = MUTE_TOKEN): Float32Array {
  if (embedding.shape.length !== 2) throw new RangeError(`audio embedding must be [vocab, dim], got ${formatShape(embedding.shape)}`);
  const [vocab = 0, dim = 0] = embedding.shape;
  if (!Number.isInteger(muteToken) || muteToken < 0 || muteToken >= vocab) throw new RangeError(`mute token ${muteToken} is outside the ${vocab}-row audio embedding`);
  const rows = toFloat32(embedding).data;
  const norms = new Float64Array(vocab);
  for (let v = 0; v < vocab; v += 1) {
    let sum = 0;
    for (let d = 0; d < dim; d += 1) sum += (rows[v * dim + d] ?? 0) ** 2;
    norms[v] = Math.max(Math.sqrt(sum), COSINE_EPS);
  }
  const muteNorm = norms[muteToken] ?? 1;
  const similarity = new Float32Array(vocab);
  for (let v = 0; v < vocab; v += 1) {
    let dot = 0;
    for (let d = 0; d < dim; d += 1) dot += (rows[v * dim + d] ?? 0) * (rows[muteToken * dim + d] ?? 0);
    similarity[v] = dot / ((norms[v] ?? 1) * muteNorm);
  }
  return similarity;
}

/** The tokens whose similarity is ≥ `threshold`. */
export function quietTokensFromSimilarity(similarity: Float32Array, muteToken: number = MUTE_TOKEN, threshold: number = QUIET_SIMILARITY_THRESHOLD): QuietTokens {
  const ids: number[] = [];
  similarity.forEach((value, id) => {
    if (value >= threshold) ids.push(id);
  });
  return { muteToken, threshold, ids: Int32Array.from(ids), similarity: Float32Array.from(ids, (id) => similarity[id] ?? 0) };
}

/** Reads the T2S audio embedding from `weights` (names without the `model.` prefix) and returns its quiet tokens. */
export async function computeQuietTokens(
  weights: WeightSource,
  options: { readonly muteToken?: number; readonly threshold?: number } = {},
): Promise<QuietTokens> {
  const name = T2S_WEIGHTS.audioEmbedding;
  if (weights.info(name) === undefined) throw new Error(`T2S weights: tensor '${name}' is missing (needed to find the quiet tokens)`);
  const muteToken = options.muteToken ?? MUTE_TOKEN;
  return quietTokensFromSimilarity(muteSimilarity(await weights.read(name), muteToken), muteToken, options.threshold ?? QUIET_SIMILARITY_THRESHOLD);
}
