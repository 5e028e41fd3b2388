/**
 * The few ONNX operators the SoVITS graphs need beyond the shared `Ops` helpers (per-row gathers for batched
 * interpolation and reflect padding, the in-graph DFT basis), plus the length masks every batched layer uses.
 * All are implemented by onnxruntime's CPU and CUDA execution providers.
 * @module
 */
import { tensor } from '../../../tensor/tensor.ts';
import { Ops } from '../../../onnx/ops.ts';
import { attr } from '../../../onnx/attributes.ts';
import type { Value } from '../../../onnx/values.ts';

export class SovitsOps extends Ops {
  /** `out[b][c][t] = data[b][c][index[b][c][t]]` along `axis` (index has data's rank). */
  gatherElements(data: Value, index: Value, axis: number): Value {
    return this.g.node('GatherElements', [data, index], { attributes: { axis: attr.int(axis) } })[0] as Value;
  }
  floor(x: Value): Value {
    return this.g.node('Floor', [x])[0] as Value;
  }
  /** Integer remainder (`fmod` 0: the sign follows the divisor, as Python's `%`). */
  mod(a: Value, b: Value): Value {
    return this.g.node('Mod', [a, b], { attributes: { fmod: attr.int(0) } })[0] as Value;
  }
  cos(x: Value): Value {
    return this.g.node('Cos', [x])[0] as Value;
  }
  sin(x: Value): Value {
    return this.g.node('Sin', [x])[0] as Value;
  }
  and(a: Value, b: Value): Value {
    return this.g.node('And', [a, b], { outputTypes: ['bool'] })[0] as Value;
  }
  /** A float64 scalar. */
  f64(value: number): Value {
    return this.g.constant(tensor('float64', [], Float64Array.of(value)), 'f64');
  }

  /** Size of axis `axis` of `x` as an int64 scalar. */
  dimScalar(x: Value, axis: number): Value {
    return this.squeeze(this.shape(x, axis, axis + 1), [0]);
  }

  /** `[0, 1, ..., n-1]` int64 for an int64 scalar `n`. */
  arange(n: Value): Value {
    return this.range(this.i64Scalar(0), n, this.i64Scalar(1));
  }

  /** `mask[b][t] = t < lengths[b]` as bool `[B, T]`, for `T` the int64 scalar `length`. */
  lengthMask(lengths: Value, length: Value): Value {
    return this.less(this.unsqueeze(this.arange(length), [0]), this.unsqueeze(lengths, [1]));
  }

  /** The `[B, 1, T]` float mask (graph float type) of `lengths` over axis 2 of `like`. */
  channelMask(lengths: Value, like: Value): Value {
    return this.cast(this.unsqueeze(this.lengthMask(lengths, this.dimScalar(like, 2)), [1]), this.g.floatType);
  }
}
