/**
 * Float64 `extract_latent`: ssl_proj (k2, s2), then per frame the codebook row with the best score
 * `-(|x|^2 - 2 x.e + |e|^2)` (first on ties), and the margin to the runner-up.
 * @module
 */
import { at, transpose, type Mat } from './array64.ts';
import { conv64 } from './conv64.ts';
import type { Weights64 } from './weights64.ts';

export interface Extracted64 {
  readonly codes: number[];
  readonly margins: number[];
}

/** `ssl [768, T50]` -> codes `[floor(T50 / 2)]`. */
export function extract64(w: Weights64, ssl: Mat): Extracted64 {
  const x = conv64(w, 'ssl_proj', ssl, { stride: 2 }); // [768, T25]
  const embed = w.matrix('quantizer.vq.layers.0._codebook.embed'); // [1024, 768]
  const codes: number[] = [];
  const margins: number[] = [];
  const norms = Array.from({ length: embed.rows }, (_, j) => {
    let ee = 0;
    for (let c = 0; c < embed.cols; c += 1) ee += at(embed, j, c) ** 2;
    return ee;
  });
  const frames = transpose(x); // [T25, 768]
  for (let t = 0; t < frames.rows; t += 1) {
    const frame = frames.data.subarray(t * frames.cols, (t + 1) * frames.cols);
    let xx = 0;
    for (const v of frame) xx += v * v;
    let best = -Infinity;
    let second = -Infinity;
    let index = 0;
    for (let j = 0; j < embed.rows; j += 1) {
      const row = embed.data.subarray(j * embed.cols, (j + 1) * embed.cols);
      let xe = 0;
      for (let c = 0; c < frame.length; c += 1) xe += (frame[c] ?? 0) * (row[c] ?? 0);
      const score = -(xx - 2 * xe + (norms[j] ?? 0));
      if (score > best) {
        second = best;
        best = score;
        index = j;
      } else if (score > second) {
        second = score;
      }
    }
    codes.push(index);
    margins.push(best - second);
  }
  return { codes, margins };
}
