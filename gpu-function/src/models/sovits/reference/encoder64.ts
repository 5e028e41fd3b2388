/**
 * Float64 VITS transformer pieces for one unpadded item: multi-head attention (with relative positions inside a
 * window, written as the defining sum over |j - i| <= window), the conv FFN, channel LayerNorm and the encoder.
 * @module
 */
import { add, at, map, mat, type Mat } from './array64.ts';
import { conv1d64, conv64 } from './conv64.ts';
import type { Weights64 } from './weights64.ts';

/** `x [C, Tq]` attends over `c [C, Tk]` with the checkpoint's conv_q/k/v/o; `window` adds relative positions. */
export function attention64(w: Weights64, prefix: string, x: Mat, c: Mat, heads: number, window?: number): Mat {
  const q = conv64(w, `${prefix}.conv_q`, x);
  const k = conv64(w, `${prefix}.conv_k`, c);
  const v = conv64(w, `${prefix}.conv_v`, c);
  const channels = q.rows;
  const d = channels / heads;
  const relK = window === undefined ? undefined : w.get(`${prefix}.emb_rel_k`).data; // [1, 2w+1, d]
  const relV = window === undefined ? undefined : w.get(`${prefix}.emb_rel_v`).data;
  const out = mat(channels, q.cols);
  const scale = Math.sqrt(d);
  for (let h = 0; h < heads; h += 1) {
    for (let i = 0; i < q.cols; i += 1) {
      const scores = new Float64Array(k.cols);
      for (let j = 0; j < k.cols; j += 1) {
        let s = 0;
        for (let e = 0; e < d; e += 1) s += (at(q, h * d + e, i) / scale) * at(k, h * d + e, j);
        if (relK !== undefined && window !== undefined && Math.abs(j - i) <= window) {
          for (let e = 0; e < d; e += 1) s += (at(q, h * d + e, i) / scale) * (relK[(j - i + window) * d + e] ?? 0);
        }
        scores[j] = s;
      }
      const max = Math.max(...scores);
      const weights = scores.map((s) => Math.exp(s - max));
      const total = weights.reduce((a, b) => a + b, 0);
      for (let j = 0; j < k.cols; j += 1) {
        const p = (weights[j] ?? 0) / total;
        for (let e = 0; e < d; e += 1) {
          let contribution = p * at(v, h * d + e, j);
          if (relV !== undefined && window !== undefined && Math.abs(j - i) <= window) contribution += p * (relV[(j - i + window) * d + e] ?? 0);
          out.data[(h * d + e) * q.cols + i] = (out.data[(h * d + e) * q.cols + i] ?? 0) + contribution;
        }
      }
    }
  }
  return conv64(w, `${prefix}.conv_o`, out);
}

/** Channel LayerNorm (`modules.LayerNorm`, eps 1e-5) of `x [C, T]`. */
export function layerNorm64(w: Weights64, prefix: string, x: Mat): Mat {
  const gamma = w.vector(`${prefix}.gamma`);
  const beta = w.vector(`${prefix}.beta`);
  const out = mat(x.rows, x.cols);
  for (let t = 0; t < x.cols; t += 1) {
    let mean = 0;
    for (let c = 0; c < x.rows; c += 1) mean += at(x, c, t);
    mean /= x.rows;
    let variance = 0;
    for (let c = 0; c < x.rows; c += 1) variance += (at(x, c, t) - mean) ** 2;
    variance /= x.rows;
    for (let c = 0; c < x.rows; c += 1) {
      out.data[c * x.cols + t] = ((at(x, c, t) - mean) / Math.sqrt(variance + 1e-5)) * (gamma[c] ?? 0) + (beta[c] ?? 0);
    }
  }
  return out;
}

/** Zero-pads `left` and `right` columns. */
export function padColumns(x: Mat, left: number, right: number): Mat {
  const out = mat(x.rows, x.cols + left + right);
  for (let r = 0; r < x.rows; r += 1) out.data.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), r * out.cols + left);
  return out;
}

function ffn64(w: Weights64, prefix: string, x: Mat): Mat {
  const sameConv = (input: Mat, name: string): Mat => {
    const weight = w.get(`${prefix}.${name}.weight`);
    const kernel = weight.shape[2] ?? 1;
    return conv1d64(padColumns(input, (kernel - 1) >> 1, kernel >> 1), weight, w.vector(`${prefix}.${name}.bias`));
  };
  const hidden = map(sameConv(x, 'conv_1'), (v) => Math.max(v, 0));
  return sameConv(hidden, 'conv_2');
}

/** `attentions.Encoder` on an unpadded `x [C, T]`. */
export function encoder64(w: Weights64, prefix: string, x: Mat, layers: number, heads: number, window: number): Mat {
  let h = x;
  for (let i = 0; i < layers; i += 1) {
    h = layerNorm64(w, `${prefix}.norm_layers_1.${i}`, add(h, attention64(w, `${prefix}.attn_layers.${i}`, h, h, heads, window)));
    h = layerNorm64(w, `${prefix}.norm_layers_2.${i}`, add(h, ffn64(w, `${prefix}.ffn_layers.${i}`, h)));
  }
  return h;
}
