/**
 * GPT-SoVITS's `logits_to_probs` (AR/models/utils.py), step by step and in its order, on float32 arrays so every
 * intermediate rounds as PyTorch's float32 tensors do (ties at the top-k pivot survive exactly as they do there).
 * @module
 */

/**
 * Divides positive and multiplies negative logits of every previously seen token by `penalty`, in place. A token
 * seen several times is penalized once (PyTorch gathers, then scatters the same value back).
 */
export function applyRepetitionPenalty(logits: Float32Array, previous: ArrayLike<number>, penalty: number): void {
  if (penalty === 1) return;
  // A byte per vocabulary entry instead of a Set: this runs for every row of every decode step.
  const seen = new Uint8Array(logits.length);
  for (let i = 0; i < previous.length; i += 1) {
    const token = previous[i] ?? -1;
    if (token < 0 || token >= logits.length || seen[token] === 1) continue;
    seen[token] = 1;
    const score = logits[token] ?? 0;
    logits[token] = score < 0 ? score * penalty : score / penalty;
  }
}

/** Nucleus filtering: keeps the smallest prefix (by descending logit) whose probability mass exceeds `topP`. */
export function applyTopP(logits: Float32Array, topP: number): void {
  if (topP >= 1) return;
  const order = Array.from(logits.keys()).sort((a, b) => (logits[b] ?? 0) - (logits[a] ?? 0));
  const probabilities = softmax(Float32Array.from(order, (index) => logits[index] ?? 0));
  let cumulative = 0;
  for (let rank = 0; rank < order.length; rank += 1) {
    cumulative = Math.fround(cumulative + (probabilities[rank] ?? 0));
    // The most likely token always stays.
    if (rank > 0 && cumulative > topP) logits[order[rank] ?? 0] = -Infinity;
  }
}

export function applyTemperature(logits: Float32Array, temperature: number): void {
  const divisor = Math.max(temperature, 1e-5);
  for (let i = 0; i < logits.length; i += 1) logits[i] = (logits[i] ?? 0) / divisor;
}

/** Keeps every logit at least as large as the k-th largest: ties with the pivot are kept, as in GPT-SoVITS. */
export function applyTopK(logits: Float32Array, topK: number): void {
  const k = Math.min(topK, logits.length);
  if (k >= logits.length) return;
  const pivot = kthLargest(logits, k);
  for (let i = 0; i < logits.length; i += 1) {
    if ((logits[i] ?? 0) < pivot) logits[i] = -Infinity;
  }
}

/**
 * The k-th largest value, duplicates counted (what sorting descending and taking index k - 1 gives), by keeping the
 * k largest seen so far in order: for GPT-SoVITS's k (15 by default) over ~1000 logits this is several times faster
 * than copying and sorting the row, and it runs for every row of every decode step.
 */
function kthLargest(values: Float32Array, k: number): number {
  const top = new Float32Array(k).fill(-Infinity);
  let filled = 0;
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i] ?? -Infinity;
    if (filled === k && !(value > (top[k - 1] ?? -Infinity))) continue;
    let at = filled < k ? filled++ : k - 1;
    while (at > 0 && value > (top[at - 1] ?? -Infinity)) {
      top[at] = top[at - 1] ?? -Infinity;
      at -= 1;
    }
    top[at] = value;
  }
  return top[k - 1] ?? -Infinity;
}

export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const value of logits) if (value > max) max = value;
  const out = new Float32Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i += 1) {
    const e = Math.exp((logits[i] ?? 0) - max);
    out[i] = e;
    sum += Math.fround(e);
  }
  for (let i = 0; i < out.length; i += 1) out[i] = (out[i] ?? 0) / sum;
  return out;
}

export function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i += 1) if ((values[i] ?? -Infinity) > (values[best] ?? -Infinity)) best = i;
  return best;
}
