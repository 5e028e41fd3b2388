/**
 * g2p_en's neural predictor for out-of-vocabulary words: a GRU encoder over letters and a greedy GRU decoder over
 * ARPAbet phones (at most 20 steps), as `G2p.predict` computes it in NumPy.
 *
 * The weights (`checkpoint20.npz`, Apache-2.0, shipped inside the Python g2p_en package) are not on npm, so they are
 * never bundled: an operator who has them points `GSV_EDGE_G2P_EN_CHECKPOINT` at the file and unknown words are
 * then read exactly as GPT-SoVITS reads them. Math runs in float64; NumPy's float32 can pick a different phone only
 * on a near-tie.
 * @module
 */
import { readNpz, type NpyArray } from './npz.ts';

const GRAPHEMES = ['<pad>', '<unk>', '</s>', ...Array.from('abcdefghijklmnopqrstuvwxyz')];
const PHONEMES = [
  '<pad>', '<unk>', '<s>', '</s>', 'AA0', 'AA1', 'AA2', 'AE0', 'AE1', 'AE2', 'AH0', 'AH1', 'AH2', 'AO0', 'AO1', 'AO2',
  'AW0', 'AW1', 'AW2', 'AY0', 'AY1', 'AY2', 'B', 'CH', 'D', 'DH', 'EH0', 'EH1', 'EH2', 'ER0', 'ER1', 'ER2', 'EY0',
  'EY1', 'EY2', 'F', 'G', 'HH', 'IH0', 'IH1', 'IH2', 'IY0', 'IY1', 'IY2', 'JH', 'K', 'L', 'M', 'N', 'NG', 'OW0', 'OW1',
  'OW2', 'OY0', 'OY1', 'OY2', 'P', 'R', 'S', 'SH', 'T', 'TH', 'UH0', 'UH1', 'UH2', 'UW', 'UW0', 'UW1', 'UW2', 'V', 'W',
  'Y', 'Z', 'ZH',
];
const START = 2;
const END = 3;
const MAX_STEPS = 20;

interface GruWeights {
  readonly wIh: NpyArray; // [3H, E]
  readonly wHh: NpyArray; // [3H, H]
  readonly bIh: NpyArray; // [3H]
  readonly bHh: NpyArray; // [3H]
}

export interface G2pEnWeights {
  readonly encoderEmbedding: NpyArray; // [29, E]
  readonly encoder: GruWeights;
  readonly decoderEmbedding: NpyArray; // [74, E]
  readonly decoder: GruWeights;
  readonly outputWeight: NpyArray; // [74, H]
  readonly outputBias: NpyArray; // [74]
}

function row(array: NpyArray, index: number): Float32Array {
  const width = array.shape[1] ?? 0;
  return array.data.subarray(index * width, (index + 1) * width);
}

/** y = W·x + b for W [rows, cols]. */
function affine(weight: NpyArray, bias: NpyArray, input: ArrayLike<number>): Float64Array {
  const rows = weight.shape[0] ?? 0;
  const cols = weight.shape[1] ?? 0;
  const out = new Float64Array(rows);
  for (let r = 0; r < rows; r += 1) {
    let sum = bias.data[r] ?? 0;
    const offset = r * cols;
    for (let c = 0; c < cols; c += 1) sum += (weight.data[offset + c] ?? 0) * (input[c] ?? 0);
    out[r] = sum;
  }
  return out;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

/** One GRU step, PyTorch gate order (reset, update, new). */
function gruCell(x: ArrayLike<number>, h: ArrayLike<number>, weights: GruWeights): Float64Array {
  const gatesIn = affine(weights.wIh, weights.bIh, x);
  const gatesHidden = affine(weights.wHh, weights.bHh, h);
  const size = h.length;
  const next = new Float64Array(size);
  for (let i = 0; i < size; i += 1) {
    const reset = sigmoid((gatesIn[i] ?? 0) + (gatesHidden[i] ?? 0));
    const update = sigmoid((gatesIn[size + i] ?? 0) + (gatesHidden[size + i] ?? 0));
    const candidate = Math.tanh((gatesIn[2 * size + i] ?? 0) + reset * (gatesHidden[2 * size + i] ?? 0));
    next[i] = (1 - update) * candidate + update * (h[i] ?? 0);
  }
  return next;
}

export function predictWithG2pEn(weights: G2pEnWeights, word: string): string[] {
  const hiddenSize = weights.encoder.wHh.shape[1] ?? 0;
  let hidden: ArrayLike<number> = new Float64Array(hiddenSize);
  const letters = [...Array.from(word), '</s>'];
  for (const letter of letters) {
    const index = GRAPHEMES.indexOf(letter);
    hidden = gruCell(row(weights.encoderEmbedding, index < 0 ? 1 : index), hidden, weights.encoder);
  }
  const phones: string[] = [];
  let input = row(weights.decoderEmbedding, START);
  for (let step = 0; step < MAX_STEPS; step += 1) {
    hidden = gruCell(input, hidden, weights.decoder);
    const logits = affine(weights.outputWeight, weights.outputBias, hidden);
    let best = 0;
    for (let i = 1; i < logits.length; i += 1) if ((logits[i] ?? 0) > (logits[best] ?? 0)) best = i;
    if (best === END) break;
    phones.push(PHONEMES[best] ?? '<unk>');
    input = row(weights.decoderEmbedding, best);
  }
  return phones;
}

function need(arrays: ReadonlyMap<string, NpyArray>, name: string, path: string): NpyArray {
  const array = arrays.get(name);
  if (array === undefined) throw new Error(`${path}: array ${name} missing (not a g2p_en checkpoint)`);
  return array;
}

/** Loads g2p_en's `checkpoint20.npz`. */
export async function loadG2pEnWeights(path: string): Promise<G2pEnWeights> {
  const arrays = await readNpz(path);
  const gru = (prefix: string): GruWeights => ({
    wIh: need(arrays, `${prefix}_w_ih`, path),
    wHh: need(arrays, `${prefix}_w_hh`, path),
    bIh: need(arrays, `${prefix}_b_ih`, path),
    bHh: need(arrays, `${prefix}_b_hh`, path),
  });
  const weights: G2pEnWeights = {
    encoderEmbedding: need(arrays, 'enc_emb', path),
    encoder: gru('enc'),
    decoderEmbedding: need(arrays, 'dec_emb', path),
    decoder: gru('dec'),
    outputWeight: need(arrays, 'fc_w', path),
    outputBias: need(arrays, 'fc_b', path),
  };
  if (weights.outputWeight.shape[0] !== PHONEMES.length || weights.encoderEmbedding.shape[0] !== GRAPHEMES.length) {
    throw new Error(`${path}: vocabulary sizes do not match g2p_en (${GRAPHEMES.length} letters, ${PHONEMES.length} phones)`);
  }
  return weights;
}
