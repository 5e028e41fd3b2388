/**
 * Float64 `MelStyleEncoder` for one unpadded reference spectrogram.
 * @module
 */
import type { SovitsDims } from '../config.ts';
import { add, at, map, mat, mish, rowSlice, sigmoid, transpose, zip, type Mat } from './array64.ts';
import { conv64, linear64 } from './conv64.ts';
import type { Weights64 } from './weights64.ts';

/** `spec [>= bins, F]` -> `ge [gin]`. */
export function refEncoder64(w: Weights64, dims: SovitsDims, spec: Mat): Float64Array {
  const r = dims.refEncoder;
  let x = transpose(rowSlice(spec, 0, r.bins)); // [F, bins]
  x = map(linear64(w, 'ref_enc.spectral.0.fc', x), mish);
  x = map(linear64(w, 'ref_enc.spectral.3.fc', x), mish);
  let channels = transpose(x); // [hidden, F]
  for (let i = 0; i < r.temporalLayers; i += 1) {
    const gated = conv64(w, `ref_enc.temporal.${i}.conv1.conv`, channels, { padding: (r.kernel - 1) / 2 });
    channels = add(channels, zip(rowSlice(gated, 0, r.hidden), rowSlice(gated, r.hidden, 2 * r.hidden), (a, b) => a * sigmoid(b)));
  }
  x = transpose(channels); // [F, hidden]
  const q = linear64(w, 'ref_enc.slf_attn.w_qs', x);
  const k = linear64(w, 'ref_enc.slf_attn.w_ks', x);
  const v = linear64(w, 'ref_enc.slf_attn.w_vs', x);
  const d = r.hidden / r.heads;
  const attended = mat(x.rows, r.hidden);
  for (let h = 0; h < r.heads; h += 1) {
    for (let i = 0; i < x.rows; i += 1) {
      const scores = Array.from({ length: x.rows }, (_, j) => {
        let s = 0;
        for (let e = 0; e < d; e += 1) s += at(q, i, h * d + e) * at(k, j, h * d + e);
        return s / Math.sqrt(r.hidden);
      });
      const max = Math.max(...scores);
      const weights = scores.map((s) => Math.exp(s - max));
      const total = weights.reduce((a, b) => a + b, 0);
      for (let e = 0; e < d; e += 1) {
        let sum = 0;
        weights.forEach((p, j) => (sum += (p / total) * at(v, j, h * d + e)));
        attended.data[i * r.hidden + h * d + e] = sum;
      }
    }
  }
  const styled = linear64(w, 'ref_enc.fc.fc', add(linear64(w, 'ref_enc.slf_attn.fc', attended), x)); // [F, gin]
  const ge = new Float64Array(styled.cols);
  for (let c = 0; c < styled.cols; c += 1) for (let t = 0; t < styled.rows; t += 1) ge[c] = (ge[c] ?? 0) + at(styled, t, c) / styled.rows;
  return ge;
}
