import { describe, expect, it } from 'vitest';
import { validateSovitsDims } from './config.ts';
import { sovitsDimsFromWeights } from './dims-from-weights.ts';
import { sovitsFrameCount } from './io.ts';
import { TINY_SOVITS_DIMS, syntheticSovitsWeights } from './testing/synthetic-weights.ts';

describe('SoVITS dims', () => {
  it('are read back from the tensor shapes of a state dict', () => {
    expect(sovitsDimsFromWeights(syntheticSovitsWeights(TINY_SOVITS_DIMS))).toEqual(TINY_SOVITS_DIMS);
    const v1 = { ...TINY_SOVITS_DIMS, version: 'v1' as const, symbols: 322, refEncoder: { ...TINY_SOVITS_DIMS.refEncoder, bins: 1025 } };
    expect(sovitsDimsFromWeights(syntheticSovitsWeights(v1))).toEqual(v1);
  });

  it('name the tensor a state dict lacks', () => {
    const weights = syntheticSovitsWeights(TINY_SOVITS_DIMS);
    const partial = { info: (name: string) => (name === 'dec.cond.weight' ? undefined : weights.info(name)) };
    expect(() => sovitsDimsFromWeights(partial)).toThrow(/dec\.cond\.weight/);
  });

  it('refuse widths the graphs cannot honour', () => {
    expect(() => { validateSovitsDims({ ...TINY_SOVITS_DIMS, gin: 16 }); }).toThrow(/MRTE hidden 12 must equal gin 16/);
    expect(() => { validateSovitsDims({ ...TINY_SOVITS_DIMS, inter: 7 }); }).toThrow(/inter channels 7/);
  });
});

describe('sovitsFrameCount', () => {
  it('follows GPT-SoVITS: 2T frames at speed 1, else int(2T / speed) + 1 in float64', () => {
    expect(sovitsFrameCount(16, 1)).toBe(32);
    expect(sovitsFrameCount(16, 1.25)).toBe(26);
    // 22 / 1.1 is exactly 20 in float64 (Python), 19.99999957 with a float32 speed.
    expect(sovitsFrameCount(11, 1.1)).toBe(21);
    expect(() => sovitsFrameCount(3, 0)).toThrow(/speed/);
  });
});
