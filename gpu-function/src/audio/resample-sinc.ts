/**
 * torchaudio's `sinc_interp_hann` resampler (torchaudio.functional.resample with its defaults: lowpass filter width
 * 6, rolloff 0.99), which GPT-SoVITS uses for the 32 kHz spectrogram path. Ported by hand because no npm resampler
 * reproduces it: its output depends on the exact polyphase kernel, and matching it keeps reference spectrograms, and
 * therefore voices, identical to GPT-SoVITS's.
 * @module
 */

const LOWPASS_FILTER_WIDTH = 6;
const ROLLOFF = 0.99;

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

interface SincKernel {
  /** `[phases][taps]`, one filter per output phase. */
  readonly filters: Float64Array[];
  readonly width: number;
  readonly origStep: number;
  readonly newStep: number;
}

function sincKernel(origFreq: number, newFreq: number): SincKernel {
  const divisor = gcd(origFreq, newFreq);
  const orig = origFreq / divisor;
  const next = newFreq / divisor;
  const baseFreq = Math.min(orig, next) * ROLLOFF;
  const width = Math.ceil((LOWPASS_FILTER_WIDTH * orig) / baseFreq);
  const taps = 2 * width + orig;
  const scale = baseFreq / orig;
  const filters: Float64Array[] = [];
  for (let phase = 0; phase < next; phase += 1) {
    const filter = new Float64Array(taps);
    for (let k = 0; k < taps; k += 1) {
      // t = (-phase / new + (k - width) / orig) * base_freq, clamped to the filter width.
      let t = (-phase / next + (k - width) / orig) * baseFreq;
      t = Math.min(LOWPASS_FILTER_WIDTH, Math.max(-LOWPASS_FILTER_WIDTH, t));
      const window = Math.cos((t * Math.PI) / LOWPASS_FILTER_WIDTH / 2) ** 2;
      const x = t * Math.PI;
      filter[k] = (x === 0 ? 1 : Math.sin(x) / x) * window * scale;
    }
    filters.push(filter);
  }
  return { filters, width, origStep: orig, newStep: next };
}

/** Resamples mono audio exactly as `torchaudio.functional.resample(x, origFreq, newFreq)`, in float64. */
export function resampleSinc(input: Float32Array, origFreq: number, newFreq: number): Float32Array {
  if (origFreq === newFreq) return Float32Array.from(input);
  const { filters, width, origStep, newStep } = sincKernel(origFreq, newFreq);
  const length = input.length;
  const targetLength = Math.ceil((newStep * length) / origStep);
  const output = new Float32Array(targetLength);
  const taps = 2 * width + origStep;
  // The input is zero-padded by `width` on the left and `width + orig` on the right, then strided by `orig`.
  for (let frame = 0, out = 0; out < targetLength; frame += 1) {
    const start = frame * origStep - width;
    for (let phase = 0; phase < newStep && out < targetLength; phase += 1, out += 1) {
      const filter = filters[phase] as Float64Array;
      let sum = 0;
      const firstTap = Math.max(0, -start);
      const lastTap = Math.min(taps, length - start);
      for (let k = firstTap; k < lastTap; k += 1) sum += (filter[k] ?? 0) * (input[start + k] ?? 0);
      output[out] = sum;
    }
  }
  return output;
}
