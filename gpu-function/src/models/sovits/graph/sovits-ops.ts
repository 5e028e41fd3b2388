/**
 * Helpers the SoVITS graphs add to the shared `Ops`: float64 scalars for GPT-SoVITS's Python-float length
 * arithmetic, and the length masks every batched layer uses.
 * @module
 */
import { tensor } from '../../../tensor/tensor.ts';
import { Ops } from '../../../onnx/ops.ts';
import type { Value } from '../../../onnx/values.ts';

export class SovitsOps extends Ops {
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
