/**
 * How the graph tests measure agreement with a reference: the largest absolute difference, and that difference
 * relative to the reference's largest magnitude (an elementwise ratio would blow up at values near zero).
 * @module
 */
import type { HostTensor } from '../../tensor/index.ts';
import { toFloat64 } from '../../tensor/index.ts';

export interface Agreement {
  readonly maxAbs: number;
  /** maxAbs / max |reference|. */
  readonly relative: number;
}

export function agreement(actual: HostTensor, reference: HostTensor, keep: (index: number) => boolean = () => true): Agreement {
  const a = toFloat64(actual).data;
  const r = toFloat64(reference).data;
  if (a.length !== r.length) throw new RangeError(`cannot compare ${a.length} values with ${r.length}`);
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < a.length; i += 1) {
    if (!keep(i)) continue;
    const x = a[i] ?? Number.NaN;
    const y = r[i] ?? Number.NaN;
    const diff = Math.abs(x - y);
    maxAbs = Number.isNaN(diff) ? Infinity : Math.max(maxAbs, diff);
    scale = Math.max(scale, Math.abs(y));
  }
  return { maxAbs, relative: scale === 0 ? maxAbs : maxAbs / scale };
}
