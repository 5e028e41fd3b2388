/**
 * GPT-SoVITS's reference-audio rules (TTS.py `_set_prompt_semantic` and `_get_ref_spec`), applied to an uploaded
 * file:
 * - 16 kHz path (HuBERT → prompt tokens): mono average, resampled like librosa's soxr_hq (libsamplerate best
 *   stands in, see audio/resample-hq.ts), length checked at 16 kHz (3-10 s, 48000-160000 samples), then 9600 zeros
 *   appended (0.3 × the SoVITS rate, i.e. 0.6 s at 16 kHz), no amplitude normalization.
 * - 32 kHz path (spectrogram → ge): torchaudio's sinc resampler, then divided by min(2, peak) when the peak
 *   exceeds 1.
 * Deviation: GPT-SoVITS averages channels on the 32 kHz path only for exactly two channels; gsv-edge mixes any
 * number of channels down on both paths.
 * @module
 */
import { decodeAudio, mixToMono } from '../../audio/decode.ts';
import { resampleHighQuality } from '../../audio/resample-hq.ts';
import { resampleSinc } from '../../audio/resample-sinc.ts';

export const SSL_SAMPLE_RATE = 16000;
export const SOVITS_SAMPLE_RATE = 32000;
export const MIN_REFERENCE_SAMPLES_16K = 48000;
export const MAX_REFERENCE_SAMPLES_16K = 160000;
/** `int(32000 × 0.3)` zeros, appended at 16 kHz exactly as GPT-SoVITS does. */
export const SSL_PADDING_SAMPLES = 9600;
/** Below this peak a recording holds no usable voice. */
const SILENCE_PEAK = 1e-3;
const MIN_INPUT_RATE = 8000;
const MAX_INPUT_RATE = 384000;

/** A reference recording gsv-edge cannot use; the message says why, for the client. */
export class ReferenceAudioError extends Error {
  override readonly name = 'ReferenceAudioError';
}

export interface PreparedReference {
  /** 16 kHz mono with GPT-SoVITS's 9600 trailing zeros, for HuBERT. */
  readonly ssl16k: Float32Array;
  /** 32 kHz mono after the peak rule, for the reference spectrogram. */
  readonly spec32k: Float32Array;
  /** The decoded recording mixed to mono at its own rate and amplitude (v3/v4 resample it for the prompt mel). */
  readonly mono: Float32Array;
  readonly durationSeconds: number;
  readonly sampleRate: number;
  readonly channels: number;
}

export async function prepareReference(bytes: Uint8Array): Promise<PreparedReference> {
  let decoded;
  try {
    decoded = await decodeAudio(bytes);
  } catch (error) {
    throw new ReferenceAudioError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const { sampleRate, channels } = decoded;
  if (sampleRate < MIN_INPUT_RATE || sampleRate > MAX_INPUT_RATE) {
    throw new ReferenceAudioError(`sample rate ${String(sampleRate)} Hz is outside ${String(MIN_INPUT_RATE)}-${String(MAX_INPUT_RATE)} Hz`);
  }
  const mono = mixToMono(channels);
  let peak = 0;
  for (const sample of mono) {
    if (!Number.isFinite(sample)) throw new ReferenceAudioError('the audio contains NaN or infinite samples');
    const magnitude = Math.abs(sample);
    if (magnitude > peak) peak = magnitude;
  }
  const durationSeconds = mono.length / sampleRate;
  if (peak < SILENCE_PEAK) throw new ReferenceAudioError('the audio is silent');

  const audio16k = await resampleHighQuality(mono, sampleRate, SSL_SAMPLE_RATE);
  if (audio16k.length < MIN_REFERENCE_SAMPLES_16K || audio16k.length > MAX_REFERENCE_SAMPLES_16K) {
    throw new ReferenceAudioError(`the reference must be 3-10 seconds long, got ${(audio16k.length / SSL_SAMPLE_RATE).toFixed(2)} s`);
  }
  const ssl16k = new Float32Array(audio16k.length + SSL_PADDING_SAMPLES);
  ssl16k.set(audio16k);

  const spec32k = resampleSinc(mono, sampleRate, SOVITS_SAMPLE_RATE);
  let peak32k = 0;
  for (const sample of spec32k) peak32k = Math.max(peak32k, Math.abs(sample));
  if (peak32k > 1) {
    const divisor = Math.min(2, peak32k);
    for (let i = 0; i < spec32k.length; i += 1) spec32k[i] = (spec32k[i] ?? 0) / divisor;
  }
  return { ssl16k, spec32k, mono, durationSeconds, sampleRate, channels: channels.length };
}
