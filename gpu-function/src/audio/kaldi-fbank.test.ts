import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { readNpy } from '../tensor/npy.ts';
import { KALDI_FBANK, kaldiFbank, kaldiFbankFrames } from './kaldi-fbank.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '../../test/fixtures/sv');

interface Manifest {
  readonly noise: { readonly fbank: Readonly<Record<string, { readonly fp32_vs_fp64_maxabs: number }>> };
}
const manifest = JSON.parse(readFileSync(join(fixtures, 'manifest.json'), 'utf8')) as Manifest;

/** The bound: max abs difference ≤ 1e-5 of the fbank's largest magnitude. */
const RELATIVE_TOLERANCE = 1e-5;

describe('Kaldi fbank (GPT-SoVITS eres2net/kaldi.py, 80 bins, dither 0)', () => {
  it.each(['a', 'b'])('matches GPT-SoVITS on test signal %s', async (name) => {
    const wave = (await readNpy(join(fixtures, `wave_${name}.npy`))).data as Float32Array;
    const expected = await readNpy(join(fixtures, `fbank_${name}.npy`));
    const fbank = kaldiFbank(wave);
    expect([fbank.frames, fbank.melBins]).toEqual(expected.shape);
    expect(fbank.frames).toBe(Math.floor((wave.length - 400) / 160) + 1);
    const reference = expected.data as Float32Array;
    let maxAbs = 0;
    let scale = 0;
    reference.forEach((value, i) => {
      maxAbs = Math.max(maxAbs, Math.abs((fbank.data[i] ?? Number.NaN) - value));
      scale = Math.max(scale, Math.abs(value));
    });
    expect(maxAbs / scale).toBeLessThan(RELATIVE_TOLERANCE);
    // A float64 port can only be as close as torchaudio's own float32 rounding allows; far above it means a bug.
    expect(maxAbs).toBeLessThan(3 * (manifest.noise.fbank[name]?.fp32_vs_fp64_maxabs ?? 0));
  });

  it('floors silent frames at log(float32 epsilon), as kaldi does', async () => {
    // Signal b starts with 800 exact zeros: frames 0-2 lie entirely inside them.
    const wave = (await readNpy(join(fixtures, 'wave_b.npy'))).data as Float32Array;
    const fbank = kaldiFbank(wave.subarray(0, 720));
    expect(fbank.frames).toBe(3);
    expect(new Set(fbank.data)).toEqual(new Set([Math.fround(Math.log(KALDI_FBANK.epsilon))]));
  });

  it('counts frames with snip_edges and refuses input shorter than one frame, as kaldi.py asserts', () => {
    expect([0, 399, 400, 559, 560, 51200, 27200].map(kaldiFbankFrames)).toEqual([0, 0, 1, 1, 2, 318, 168]);
    expect(() => kaldiFbank(new Float32Array(399))).toThrow(/at least 400 samples.*got 399/);
    expect(kaldiFbank(new Float32Array(400).fill(0.1)).frames).toBe(1);
  });
});
