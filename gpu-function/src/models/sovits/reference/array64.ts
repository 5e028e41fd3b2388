/**
 * Float64 matrices and the plain loops the reference forward is written with. One item at a time, channels first
 * (`[C, T]`), like GPT-SoVITS's tensors without the batch axis. Deliberately shares nothing with the graph builders:
 * it is the independent side of the comparison.
 * @module
 */

export interface Mat {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;
}

export function mat(rows: number, cols: number, data?: Float64Array): Mat {
  const values = data ?? new Float64Array(rows * cols);
  if (values.length !== rows * cols) throw new RangeError(`matrix ${rows}x${cols} needs ${rows * cols} values, got ${values.length}`);
  return { rows, cols, data: values };
}

export function at(m: Mat, r: number, c: number): number {
  return m.data[r * m.cols + c] ?? 0;
}

export function map(m: Mat, f: (v: number, r: number, c: number) => number): Mat {
  const out = new Float64Array(m.data.length);
  for (let r = 0; r < m.rows; r += 1) for (let c = 0; c < m.cols; c += 1) out[r * m.cols + c] = f(at(m, r, c), r, c);
  return mat(m.rows, m.cols, out);
}

export function zip(a: Mat, b: Mat, f: (x: number, y: number) => number): Mat {
  if (a.rows !== b.rows || a.cols !== b.cols) throw new RangeError(`shapes ${a.rows}x${a.cols} and ${b.rows}x${b.cols} differ`);
  return map(a, (v, r, c) => f(v, at(b, r, c)));
}

export const add = (a: Mat, b: Mat): Mat => zip(a, b, (x, y) => x + y);

export function transpose(m: Mat): Mat {
  const out = mat(m.cols, m.rows);
  for (let r = 0; r < m.rows; r += 1) for (let c = 0; c < m.cols; c += 1) out.data[c * m.rows + r] = at(m, r, c);
  return out;
}

/** Rows `[start, end)`. */
export function rowSlice(m: Mat, start: number, end: number): Mat {
  return mat(end - start, m.cols, m.data.slice(start * m.cols, end * m.cols));
}

export function stackRows(parts: readonly Mat[]): Mat {
  const cols = parts[0]?.cols ?? 0;
  const rows = parts.reduce((n, p) => n + p.rows, 0);
  const out = mat(rows, cols);
  let offset = 0;
  for (const p of parts) {
    out.data.set(p.data, offset);
    offset += p.data.length;
  }
  return out;
}

export const leakyRelu = (m: Mat, slope: number): Mat => map(m, (v) => (v > 0 ? v : v * slope));
export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
export const mish = (v: number): number => v * Math.tanh(Math.log1p(Math.exp(v)));
