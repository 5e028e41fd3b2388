/**
 * Float64 `enc_p` for one item: codebook rows (each token twice), SSL encoder, text encoder, MRTE, encoder2, the
 * speed resize (linear, align_corners False, none at speed 1) and `proj`.
 * @module
 */
import type { SovitsDims } from '../config.ts';
import { add, at, mat, rowSlice, transpose, type Mat } from './array64.ts';
import { conv64, linear64 } from './conv64.ts';
import { attention64, encoder64 } from './encoder64.ts';
import type { Weights64 } from './weights64.ts';

export interface Prior64 {
  readonly encoded: Mat; // [hidden, 2T]
  readonly m: Mat; // [inter, F]
  readonly logs: Mat; // [inter, F]
}

/** Rows `ids` of an embedding table `[n, C]`, as `[C, ids.length]`. */
function embed(w: Weights64, name: string, ids: readonly number[]): Mat {
  const table = w.matrix(name);
  const rows = mat(ids.length, table.cols);
  ids.forEach((id, t) => {
    if (id < 0 || id >= table.rows) throw new RangeError(`${name}: id ${id} out of range`);
    rows.data.set(table.data.subarray(id * table.cols, (id + 1) * table.cols), t * table.cols);
  });
  return transpose(rows);
}

/** `F.interpolate(x, size, mode="linear", align_corners=False)` over the columns of `x`. */
export function interpolateLinear64(x: Mat, size: number): Mat {
  const scale = x.cols / size;
  const out = mat(x.rows, size);
  for (let f = 0; f < size; f += 1) {
    const source = Math.max(scale * (f + 0.5) - 0.5, 0);
    const i0 = Math.floor(source);
    const i1 = Math.min(i0 + 1, x.cols - 1);
    const lambda = Math.min(Math.max(source - i0, 0), 1);
    for (let c = 0; c < x.rows; c += 1) out.data[c * size + f] = (1 - lambda) * at(x, c, i0) + lambda * at(x, c, i1);
  }
  return out;
}

export function textEncoder64(w: Weights64, dims: SovitsDims, codes: readonly number[], phones: readonly number[], ge: Float64Array, speed: number): Prior64 {
  const e = dims.encoder;
  const doubled = codes.flatMap((code) => [code, code]);
  let ssl = conv64(w, 'enc_p.ssl_proj', embed(w, 'quantizer.vq.layers.0._codebook.embed', doubled));
  ssl = encoder64(w, 'enc_p.encoder_ssl', ssl, e.sslLayers, e.heads, e.window);
  const text = encoder64(w, 'enc_p.encoder_text', embed(w, 'enc_p.text_embedding.weight', phones), e.textLayers, e.heads, e.window);

  const content = conv64(w, 'enc_p.mrte.c_pre', ssl);
  const attended = attention64(w, 'enc_p.mrte.cross_attention', content, conv64(w, 'enc_p.mrte.text_pre', text), dims.mrte.heads);
  const mrteGe = dims.speakerFusion === null ? ge : linear64(w, 'ge_to512', mat(1, ge.length, ge)).data;
  const withGe = add(add(attended, content), withRows(content, mrteGe));
  const encoded = encoder64(w, 'enc_p.encoder2', conv64(w, 'enc_p.mrte.c_post', withGe), e.encoder2Layers, e.heads, e.window);

  const resized = speed === 1 ? encoded : interpolateLinear64(encoded, Math.trunc(encoded.cols / speed) + 1);
  const stats = conv64(w, 'enc_p.proj', resized);
  return { encoded, m: rowSlice(stats, 0, dims.inter), logs: rowSlice(stats, dims.inter, 2 * dims.inter) };
}

/** A `[C, T]` matrix whose column is `column` at every time step. */
function withRows(like: Mat, column: Float64Array): Mat {
  const out = mat(like.rows, like.cols);
  for (let c = 0; c < like.rows; c += 1) out.data.fill(column[c] ?? 0, c * like.cols, (c + 1) * like.cols);
  return out;
}
