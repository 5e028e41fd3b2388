import { describe, expect, it } from 'vitest';
import { OrderedEmitter } from './ordered-emitter.ts';
import { normalizeSegmentPeak, silence } from './postprocess.ts';

describe('segment post-processing', () => {
  it('divides a segment by its peak only when the peak exceeds 1', () => {
    expect(Array.from(normalizeSegmentPeak(Float32Array.of(0.5, -2, 1)))).toEqual([0.25, -1, 0.5]);
    const quiet = Float32Array.of(0.5, -1, 0.25);
    expect(normalizeSegmentPeak(quiet)).toBe(quiet);
  });

  it('makes fragment_interval of silence at the output rate', () => {
    expect(silence(0.3, 32000)).toHaveLength(9600);
    expect(silence(0, 32000)).toHaveLength(0);
  });
});

describe('ordered emission', () => {
  it('releases segments in text order whatever order they finish in', () => {
    const out: number[] = [];
    const emitter = new OrderedEmitter(3, (samples) => out.push(...samples));
    emitter.push({ segmentIndex: 2, samples: Float32Array.of(30), last: true });
    emitter.push({ segmentIndex: 1, samples: Float32Array.of(20), last: false });
    expect(out).toEqual([]);
    emitter.push({ segmentIndex: 0, samples: Float32Array.of(10), last: true });
    expect(out).toEqual([10, 20]);
    emitter.push({ segmentIndex: 1, samples: Float32Array.of(21), last: true });
    expect(out).toEqual([10, 20, 21, 30]);
    expect(emitter.complete).toBe(true);
  });
});
