/**
 * librosa's `filters.mel` (librosa 0.11, `htk=False`, `norm="slaney"`, `dtype=float32`), computed in TypeScript with
 * the same float64 arithmetic in the same order, so the float32 filterbank equals librosa's (up to the last-bit
 * differences between numpy's and V8's `log`/`exp`, which the float32 rounding almost always absorbs). GPT-SoVITS's
 * `mel_processing.mel_spectrogram_torch` builds its `mel_basis` with exactly this call.
 * @module
 */

/** Slaney mel scale: linear below 1 kHz (200/3 Hz per mel), logarithmic above (librosa `hz_to_mel`, htk=False). */
const F_SP = 200.0 / 3;
const MIN_LOG_HZ = 1000.0;
const MIN_LOG_MEL = MIN_LOG_HZ / F_SP;
const LOG_STEP = Math.log(6.4) / 27.0;

export function hzToMel(hz: number): number {
  return hz >= MIN_LOG_HZ ? MIN_LOG_MEL + Math.log(hz / MIN_LOG_HZ) / LOG_STEP : hz / F_SP;
}

export function melToHz(mel: number): number {
  return mel >= MIN_LOG_MEL ? MIN_LOG_HZ * Math.exp(LOG_STEP * (mel - MIN_LOG_MEL)) : F_SP * mel;
}

/** `np.linspace(start, stop, n)`: `i · step + start`, the last value exactly `stop`. */
function linspace(start: number, stop: number, n: number): Float64Array {
  const out = new Float64Array(n);
  const step = (stop - start) / (n - 1);
  for (let i = 0; i < n; i += 1) out[i] = i * step + start;
  if (n > 1) out[n - 1] = stop;
  return out;
}

export interface MelFilterOptions {
  readonly sampleRate: number;
  readonly nFft: number;
  readonly mels: number;
  readonly fmin: number;
  /** Defaults to sampleRate / 2, as librosa's `fmax=None`. */
  readonly fmax?: number;
}

/** The `[mels, 1 + nFft / 2]` float32 filterbank, row-major. */
export function slaneyMelFilters(options: MelFilterOptions): Float32Array {
  const { sampleRate, nFft, mels } = options;
  const fmax = options.fmax ?? sampleRate / 2;
  const bins = 1 + Math.floor(nFft / 2);
  // np.fft.rfftfreq(n_fft, d=1/sr): k · (1 / (n · d)).
  const binSpacing = 1.0 / (nFft * (1.0 / sampleRate));
  const fftFreqs = Float64Array.from({ length: bins }, (_, k) => k * binSpacing);
  // mel_frequencies(n_mels + 2, fmin, fmax): linspace on the mel scale, mapped back to Hz.
  const melF = linspace(hzToMel(options.fmin), hzToMel(fmax), mels + 2).map(melToHz);
  const fdiff = Float64Array.from({ length: mels + 1 }, (_, i) => (melF[i + 1] ?? 0) - (melF[i] ?? 0));
  const weights = new Float32Array(mels * bins);
  for (let i = 0; i < mels; i += 1) {
    const enorm = 2.0 / ((melF[i + 2] ?? 0) - (melF[i] ?? 0));
    for (let k = 0; k < bins; k += 1) {
      const frequency = fftFreqs[k] ?? 0;
      const lower = -((melF[i] ?? 0) - frequency) / (fdiff[i] ?? 1);
      const upper = ((melF[i + 2] ?? 0) - frequency) / (fdiff[i + 1] ?? 1);
      // weights[i] = max(0, min(lower, upper)) is stored as float32, then `weights *= enorm` computes in float64.
      const triangle = Math.fround(Math.max(0, Math.min(lower, upper)));
      weights[i * bins + k] = triangle * enorm;
    }
  }
  return weights;
}
