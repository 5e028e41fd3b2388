/**
 * Float64 `nn.Conv1d`, `nn.ConvTranspose1d` and `nn.Linear` over checkpoint tensors, written as the defining sums.
 * @module
 */
import { at, mat, type Mat } from './array64.ts';
import type { Tensor64, Weights64 } from './weights64.ts';

export interface Conv64Options {
  readonly padding?: number;
  readonly dilation?: number;
  readonly stride?: number;
}

/** `x [Cin, T]`, weight `[Cout, Cin, k]` -> `[Cout, T_out]`; zero padding on both sides. */
export function conv1d64(x: Mat, weight: Tensor64, bias: Float64Array | undefined, options: Conv64Options = {}): Mat {
  const [outChannels = 0, inChannels = 0, kernel = 0] = weight.shape;
  if (inChannels !== x.rows) throw new RangeError(`conv expects ${inChannels} input channels, got ${x.rows}`);
  const pad = options.padding ?? 0;
  const dilation = options.dilation ?? 1;
  const stride = options.stride ?? 1;
  const length = Math.floor((x.cols + 2 * pad - dilation * (kernel - 1) - 1) / stride) + 1;
  const out = mat(outChannels, length);
  const input = x.data;
  const w = weight.data;
  // Accumulate one (output, input, tap) row at a time: the same sum as the definition, in a cache-friendly order.
  for (let o = 0; o < outChannels; o += 1) {
    const row = out.data.subarray(o * length, (o + 1) * length);
    row.fill(bias?.[o] ?? 0);
    for (let i = 0; i < inChannels; i += 1) {
      for (let j = 0; j < kernel; j += 1) {
        const tap = w[(o * inChannels + i) * kernel + j] ?? 0;
        const shift = j * dilation - pad;
        const base = i * x.cols;
        for (let t = 0; t < length; t += 1) {
          const source = t * stride + shift;
          if (source >= 0 && source < x.cols) row[t] = (row[t] ?? 0) + tap * (input[base + source] ?? 0);
        }
      }
    }
  }
  return out;
}

/** `x [Cin, T]`, weight `[Cin, Cout, k]` -> `[Cout, (T - 1) * stride - 2 * padding + k]`. */
export function convTranspose1d64(x: Mat, weight: Tensor64, bias: Float64Array | undefined, stride: number, padding: number): Mat {
  const [inChannels = 0, outChannels = 0, kernel = 0] = weight.shape;
  const length = (x.cols - 1) * stride - 2 * padding + kernel;
  const out = mat(outChannels, length);
  for (let o = 0; o < outChannels; o += 1) out.data.fill(bias?.[o] ?? 0, o * length, (o + 1) * length);
  for (let i = 0; i < inChannels; i += 1) {
    for (let t = 0; t < x.cols; t += 1) {
      const v = at(x, i, t);
      for (let o = 0; o < outChannels; o += 1) {
        for (let j = 0; j < kernel; j += 1) {
          const target = t * stride + j - padding;
          if (target < 0 || target >= length) continue;
          out.data[o * length + target] = (out.data[o * length + target] ?? 0) + v * (weight.data[(i * outChannels + o) * kernel + j] ?? 0);
        }
      }
    }
  }
  return out;
}

/** The checkpoint conv `<prefix>.weight` / `.bias` applied to `x [Cin, T]`. */
export function conv64(w: Weights64, prefix: string, x: Mat, options: Conv64Options = {}): Mat {
  return conv1d64(x, w.get(`${prefix}.weight`), w.has(`${prefix}.bias`) ? w.vector(`${prefix}.bias`) : undefined, options);
}

/** `nn.Linear` `<prefix>` on rows: `x [T, in]` -> `[T, out]`. */
export function linear64(w: Weights64, prefix: string, x: Mat): Mat {
  const weight = w.matrix(`${prefix}.weight`); // [out, in]
  const bias = w.has(`${prefix}.bias`) ? w.vector(`${prefix}.bias`) : undefined;
  const out = mat(x.rows, weight.rows);
  for (let t = 0; t < x.rows; t += 1) {
    for (let o = 0; o < weight.rows; o += 1) {
      let sum = bias?.[o] ?? 0;
      for (let i = 0; i < weight.cols; i += 1) sum += at(x, t, i) * at(weight, o, i);
      out.data[t * weight.rows + o] = sum;
    }
  }
  return out;
}
