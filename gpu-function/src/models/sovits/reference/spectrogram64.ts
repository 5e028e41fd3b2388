/**
 * Float64 `spectrogram_torch` for one item: reflect padding, a radix-2 FFT per frame with the periodic Hann window,
 * magnitude with eps 1e-8. An FFT (not the DFT-as-convolution the graph uses) keeps the two sides independent.
 * @module
 */
import { SOVITS_STFT } from '../config.ts';
import { mat, type Mat } from './array64.ts';

/** In-place iterative radix-2 FFT of `re`/`im` (length a power of two). */
function fft(re: Float64Array, im: Float64Array): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i += 1) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j] ?? 0, re[i] ?? 0];
      [im[i], im[j]] = [im[j] ?? 0, im[i] ?? 0];
    }
  }
  for (let size = 2; size <= n; size <<= 1) {
    const step = (-2 * Math.PI) / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < size / 2; k += 1) {
        const wr = Math.cos(step * k);
        const wi = Math.sin(step * k);
        const a = start + k;
        const b = a + size / 2;
        const br = (re[b] ?? 0) * wr - (im[b] ?? 0) * wi;
        const bi = (re[b] ?? 0) * wi + (im[b] ?? 0) * wr;
        re[b] = (re[a] ?? 0) - br;
        im[b] = (im[a] ?? 0) - bi;
        re[a] = (re[a] ?? 0) + br;
        im[a] = (im[a] ?? 0) + bi;
      }
    }
  }
}

/** `audio` (32 kHz) -> magnitude `[bins, floor(N / hop)]`. */
export function spectrogram64(audio: Float64Array, bins: number = SOVITS_STFT.bins): Mat {
  const { nFft, hop } = SOVITS_STFT;
  const pad = (nFft - hop) / 2;
  const n = audio.length;
  const reflect = (i: number): number => audio[i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i] ?? 0;
  const frames = Math.floor((n + 2 * pad - nFft) / hop) + 1;
  const out = mat(bins, frames);
  const re = new Float64Array(nFft);
  const im = new Float64Array(nFft);
  for (let f = 0; f < frames; f += 1) {
    for (let k = 0; k < nFft; k += 1) {
      re[k] = reflect(f * hop + k - pad) * (0.5 - 0.5 * Math.cos((2 * Math.PI * k) / nFft));
      im[k] = 0;
    }
    fft(re, im);
    for (let k = 0; k < bins; k += 1) out.data[k * frames + f] = Math.sqrt((re[k] ?? 0) ** 2 + (im[k] ?? 0) ** 2 + SOVITS_STFT.eps);
  }
  return out;
}
