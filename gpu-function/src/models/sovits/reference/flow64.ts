/**
 * Float64 `ResidualCouplingBlock` in reverse: for couplings last to first, flip the channels, then
 * `x1 -= post(WN(pre(x0), ge))`.
 * @module
 */
import type { SovitsDims } from '../config.ts';
import { at, mat, rowSlice, sigmoid, stackRows, zip, type Mat } from './array64.ts';
import { conv64 } from './conv64.ts';
import type { Weights64 } from './weights64.ts';

function flipRows(x: Mat): Mat {
  const out = mat(x.rows, x.cols);
  for (let r = 0; r < x.rows; r += 1) out.data.set(x.data.subarray(r * x.cols, (r + 1) * x.cols), (x.rows - 1 - r) * x.cols);
  return out;
}

function waveNet64(w: Weights64, prefix: string, x: Mat, ge: Mat, dims: SovitsDims['flow']): Mat {
  const hidden = dims.hidden;
  const condition = conv64(w, `${prefix}.cond_layer`, ge); // [2 * hidden * layers, 1]
  let h = x;
  let output = mat(x.rows, x.cols);
  for (let i = 0; i < dims.layers; i += 1) {
    const dilation = dims.dilationRate ** i;
    const xIn = conv64(w, `${prefix}.in_layers.${i}`, h, { dilation, padding: (dims.kernel * dilation - dilation) / 2 });
    const acts = mat(hidden, x.cols);
    for (let c = 0; c < hidden; c += 1) {
      const ga = at(condition, i * 2 * hidden + c, 0);
      const gb = at(condition, i * 2 * hidden + hidden + c, 0);
      for (let t = 0; t < x.cols; t += 1) acts.data[c * x.cols + t] = Math.tanh(at(xIn, c, t) + ga) * sigmoid(at(xIn, hidden + c, t) + gb);
    }
    const resSkip = conv64(w, `${prefix}.res_skip_layers.${i}`, acts);
    if (i < dims.layers - 1) {
      h = zip(h, rowSlice(resSkip, 0, hidden), (a, b) => a + b);
      output = zip(output, rowSlice(resSkip, hidden, 2 * hidden), (a, b) => a + b);
    } else {
      output = zip(output, resSkip, (a, b) => a + b);
    }
  }
  return output;
}

/** `z [inter, F]`, `ge [gin, 1]` -> `flow(z, g=ge, reverse=True)`. */
export function reverseFlow64(w: Weights64, dims: SovitsDims, z: Mat, ge: Mat): Mat {
  const half = dims.inter / 2;
  let x = z;
  for (const index of [...dims.flow.couplings].reverse()) {
    x = flipRows(x);
    const x0 = rowSlice(x, 0, half);
    const h = waveNet64(w, `flow.flows.${index}.enc`, conv64(w, `flow.flows.${index}.pre`, x0), ge, dims.flow);
    const mean = conv64(w, `flow.flows.${index}.post`, h);
    x = stackRows([x0, zip(rowSlice(x, half, 2 * half), mean, (a, b) => a - b)]);
  }
  return x;
}
