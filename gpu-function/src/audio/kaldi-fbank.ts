/**
 * Kaldi-compatible log mel filterbank features, as `torchaudio.compliance.kaldi.fbank` (GPT-SoVITS's copy,
 * `GPT_SoVITS/eres2net/kaldi.py`) computes them for the v2Pro speaker-verification model:
 * `fbank(wav.unsqueeze(0), num_mel_bins=80, sample_frequency=16000, dither=0)` with every other option at its default.
 *
 * Fixed to those options: 25 ms frames every 10 ms at 16 kHz (400 / 160 samples), `snip_edges` (only whole frames),
 * per-frame DC removal, pre-emphasis 0.97 with the first sample repeated, the Povey window (Hann^0.85), a 512-point
 * FFT (400 rounded up to a power of two), power spectrum, 80 triangular mel bins between 20 Hz and Nyquist, then
 * `log(max(energy, float32 epsilon))`. No dither, energy column or mean subtraction.
 *
 * Computed in float64: torchaudio works in float32, and a float64 port differs from it by its float32 rounding alone
 * (about 5e-6 of the features' range), less than a second float32 implementation with another FFT would.
 * @module
 */

export const KALDI_FBANK = {
  sampleRate: 16000,
  /** 25 ms. */
  frameLength: 400,
  /** 10 ms. */
  frameShift: 160,
  /** `round_to_power_of_two`: the frame is zero-padded to the next power of two. */
  fftSize: 512,
  melBins: 80,
  lowFreq: 20,
  /** `high_freq` 0 means Nyquist. */
  highFreq: 8000,
  preemphasis: 0.97,
  /** Povey window exponent applied to a symmetric Hann window. */
  poveyPower: 0.85,
  /** `torch.finfo(torch.float).eps`, kaldi's floor before the log (what fully silent frames come out as: log(eps)). */
  epsilon: 2 ** -23,
} as const;

export interface Fbank {
  /** Row-major [frames, melBins]. */
  readonly data: Float32Array;
  readonly frames: number;
  readonly melBins: number;
}

/**
 * Frames kaldi makes from `samples` with `snip_edges`: floor((N - 400) / 160) + 1, or 0 when N < 400 (the count
 * `_get_strided` would give; `fbank` itself refuses such input, see {@link kaldiFbank}).
 */
export function kaldiFbankFrames(samples: number): number {
  const { frameLength, frameShift } = KALDI_FBANK;
  return samples < frameLength ? 0 : Math.floor((samples - frameLength) / frameShift) + 1;
}

interface MelBank {
  /** First FFT bin with a non-zero weight. */
  readonly start: number;
  readonly weights: Float64Array;
}

let melBanks: readonly MelBank[] | undefined;
let povey: Float64Array | undefined;
let twiddles: { readonly cos: Float64Array; readonly sin: Float64Array; readonly reverse: Uint16Array } | undefined;

function melScale(freq: number): number {
  return 1127 * Math.log(1 + freq / 700);
}

/**
 * kaldi.py's `get_mel_banks` without VTLN. It builds the banks in float32 (torch's default dtype) even for a float64
 * waveform, so each step is rounded to float32 here too. That lands within 7e-6 of torch's weights (41 of 20480
 * differ, where torch's vectorised float32 log is not correctly rounded); float64 banks would differ by up to 1.4e-5
 * in 493 places. A weight near a triangle's foot that carries a strong harmonic moves that bin's log energy by about
 * Δw/w, so the bank rounding matters as much as the float32 FFT noise.
 */
function buildMelBanks(): readonly MelBank[] {
  const f = Math.fround;
  const { melBins, fftSize, sampleRate, lowFreq, highFreq } = KALDI_FBANK;
  const fftBins = fftSize / 2;
  const binWidth = sampleRate / fftSize;
  const melLow = melScale(lowFreq);
  const melDelta = (melScale(highFreq) - melLow) / (melBins + 1);
  const mel = Float64Array.from({ length: fftBins }, (_, k) => f(1127 * f(Math.log(f(1 + f(f(binWidth * k) / 700))))));
  const banks: MelBank[] = [];
  for (let m = 0; m < melBins; m += 1) {
    const left = f(f(melLow) + f(m * f(melDelta)));
    const center = f(f(melLow) + f((m + 1) * f(melDelta)));
    const right = f(f(melLow) + f((m + 2) * f(melDelta)));
    const row = new Float64Array(fftBins);
    let start = -1;
    let end = -1;
    for (let k = 0; k < fftBins; k += 1) {
      const up = f(f((mel[k] ?? 0) - left) / f(center - left));
      const down = f(f(right - (mel[k] ?? 0)) / f(right - center));
      const weight = Math.max(0, Math.min(up, down));
      row[k] = weight;
      if (weight > 0) {
        if (start < 0) start = k;
        end = k;
      }
    }
    banks.push({ start: Math.max(start, 0), weights: row.slice(Math.max(start, 0), end + 1) });
  }
  return banks;
}

/** `torch.hann_window(400, periodic=False).pow(0.85)`. */
function buildPovey(): Float64Array {
  const { frameLength, poveyPower } = KALDI_FBANK;
  return Float64Array.from({ length: frameLength }, (_, n) => (0.5 - 0.5 * Math.cos((2 * Math.PI * n) / (frameLength - 1))) ** poveyPower);
}

function buildTwiddles(): NonNullable<typeof twiddles> {
  const n = KALDI_FBANK.fftSize;
  const bits = Math.log2(n);
  // Each twiddle straight from cos/sin rather than by recurrence, so no rounding accumulates across the table.
  const cos = Float64Array.from({ length: n / 2 }, (_, k) => Math.cos((2 * Math.PI * k) / n));
  const sin = Float64Array.from({ length: n / 2 }, (_, k) => -Math.sin((2 * Math.PI * k) / n));
  const reverse = Uint16Array.from({ length: n }, (_, i) => {
    let r = 0;
    for (let b = 0; b < bits; b += 1) r |= ((i >> b) & 1) << (bits - 1 - b);
    return r;
  });
  return { cos, sin, reverse };
}

/** In-place iterative radix-2 FFT of `re`/`im` (length fftSize), forward sign as numpy/torch. */
function fft(re: Float64Array, im: Float64Array): void {
  twiddles ??= buildTwiddles();
  const { cos, sin, reverse } = twiddles;
  const n = re.length;
  for (let i = 0; i < n; i += 1) {
    const j = reverse[i] ?? 0;
    if (j > i) {
      const tr = re[i] ?? 0;
      re[i] = re[j] ?? 0;
      re[j] = tr;
      const ti = im[i] ?? 0;
      im[i] = im[j] ?? 0;
      im[j] = ti;
    }
  }
  for (let size = 2; size <= n; size *= 2) {
    const half = size / 2;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k += 1) {
        const wr = cos[k * step] ?? 0;
        const wi = sin[k * step] ?? 0;
        const a = start + k;
        const b = a + half;
        const br = re[b] ?? 0;
        const bi = im[b] ?? 0;
        const xr = br * wr - bi * wi;
        const xi = br * wi + bi * wr;
        re[b] = (re[a] ?? 0) - xr;
        im[b] = (im[a] ?? 0) - xi;
        re[a] = (re[a] ?? 0) + xr;
        im[a] = (im[a] ?? 0) + xi;
      }
    }
  }
}

/**
 * Log mel filterbank of one mono 16 kHz waveform → [frames, 80]. Throws a RangeError for fewer than 400 samples,
 * where kaldi.py's `fbank` fails its `window_size <= len(waveform)` assertion rather than returning 0 frames.
 */
export function kaldiFbank(wave: Float32Array | Float64Array): Fbank {
  const { frameLength, frameShift, fftSize, melBins, preemphasis, epsilon } = KALDI_FBANK;
  if (wave.length < frameLength) {
    throw new RangeError(`kaldi fbank needs at least ${frameLength} samples (one 25 ms frame at 16 kHz), got ${wave.length}`);
  }
  melBanks ??= buildMelBanks();
  povey ??= buildPovey();
  const frames = kaldiFbankFrames(wave.length);
  const out = new Float32Array(frames * melBins);
  const frame = new Float64Array(frameLength);
  const re = new Float64Array(fftSize);
  const im = new Float64Array(fftSize);
  const power = new Float64Array(fftSize / 2);
  for (let t = 0; t < frames; t += 1) {
    const offset = t * frameShift;
    let mean = 0;
    for (let i = 0; i < frameLength; i += 1) {
      const x = wave[offset + i] ?? 0;
      frame[i] = x;
      mean += x;
    }
    mean /= frameLength;
    for (let i = 0; i < frameLength; i += 1) frame[i] = (frame[i] ?? 0) - mean;
    // Pre-emphasis runs backwards so each sample still sees its unmodified predecessor; sample 0 uses itself
    // (kaldi.py pads with 'replicate').
    for (let i = frameLength - 1; i >= 0; i -= 1) frame[i] = (frame[i] ?? 0) - preemphasis * (frame[Math.max(i - 1, 0)] ?? 0);
    re.fill(0);
    im.fill(0);
    for (let i = 0; i < frameLength; i += 1) re[i] = (frame[i] ?? 0) * (povey[i] ?? 0);
    fft(re, im);
    // Bin fftSize/2 (Nyquist) is dropped: kaldi.py pads the banks with a zero column for it.
    for (let k = 0; k < fftSize / 2; k += 1) power[k] = (re[k] ?? 0) ** 2 + (im[k] ?? 0) ** 2;
    for (let m = 0; m < melBins; m += 1) {
      const bank = melBanks[m];
      if (bank === undefined) continue;
      let energy = 0;
      for (let j = 0; j < bank.weights.length; j += 1) energy += (bank.weights[j] ?? 0) * (power[bank.start + j] ?? 0);
      out[t * melBins + m] = Math.log(Math.max(energy, epsilon));
    }
  }
  return { data: out, frames, melBins };
}
