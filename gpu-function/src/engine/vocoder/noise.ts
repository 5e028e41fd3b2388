/**
 * The decoder's `noise` input: standard normal values that are a pure function of (request seed, segment index,
 * channel, absolute latent frame). GPT-SoVITS draws `torch.randn_like(m_p)` unseeded; gsv-edge seeds it so the same
 * request gives the same audio whatever else shares the batch, and so a streaming window that decodes frames
 * [a, b) of a segment sees exactly the noise the whole-segment decode sees on those frames.
 *
 * Stream layout (Philox4x32-10, as the sampler):
 * - key `[seed, segmentIndex]` (the sampler's key too);
 * - counter `[frame, channel >> 2, VOCODER_NOISE_TAG, 0]`. The sampler's counters are `[step, tokenId, 0, 0]`: the
 *   third word is 0 there and `VOCODER_NOISE_TAG` (non-zero) here, so the two streams never share a counter.
 * - One Philox call gives four 32-bit words = four uniforms in (0, 1) = two Box-Muller pairs = the noise of channels
 *   4q..4q+3 at one frame (cuRAND's `curand_normal4` does the same: 32-bit uniforms, |z| ≤ 6.7).
 * @module
 */
import { philox4x32 } from '../sampling/philox.ts';

/** Third counter word of every vocoder noise draw ("voc0"); the sampler uses 0 there. */
export const VOCODER_NOISE_TAG = 0x766f6330;

const TWO_PI = 2 * Math.PI;
const UINT32_RANGE = 4294967296;

/** Third counter word of the CFM's initial noise ("cfm0"); its fourth word is the chunk index. */
export const CFM_NOISE_TAG = 0x63666d30;

/** One Philox call → four standard normals (channels 4q..4q+3 of `frame`). */
function normals4(seed: number, segment: number, frame: number, quad: number, out: Float64Array, stream: NoiseStream = VOCODER_STREAM): void {
  const [w0, w1, w2, w3] = philox4x32([frame >>> 0, quad >>> 0, stream.tag, stream.index >>> 0], [seed >>> 0, segment >>> 0]);
  boxMuller(w0, w1, out, 0);
  boxMuller(w2, w3, out, 2);
}

/** Two uniforms from two uint32 words (open interval: the +0.5 keeps log() finite) → two standard normals. */
function boxMuller(word1: number, word2: number, out: Float64Array, at: number): void {
  const radius = Math.sqrt(-2 * Math.log((word1 + 0.5) / UINT32_RANGE));
  const angle = (TWO_PI * (word2 + 0.5)) / UINT32_RANGE;
  out[at] = radius * Math.cos(angle);
  out[at + 1] = radius * Math.sin(angle);
}

/** The noise value at (seed, segment, channel, frame): what {@link fillDecoderNoise} writes there. */
export function decoderNoiseAt(seed: number, segment: number, channel: number, frame: number): number {
  const values = new Float64Array(4);
  normals4(seed, segment, frame, channel >>> 2, values);
  return values[channel & 3] ?? 0;
}

/** Which noise: a tag (third counter word) and an index within it (fourth word). */
export interface NoiseStream {
  readonly tag: number;
  readonly index: number;
}

const VOCODER_STREAM: NoiseStream = { tag: VOCODER_NOISE_TAG, index: 0 };

export interface NoiseWindow {
  readonly seed: number;
  readonly segment: number;
  /** Absolute latent frame of column 0. */
  readonly firstFrame: number;
  /** Columns to fill; the rest of the row (up to `width`) stays zero. */
  readonly frames: number;
  /** Multiplies every value (the decoder's noise_scale folded in on the host). */
  readonly scale: number;
  /** Default: the SoVITS decoder's stream. */
  readonly stream?: NoiseStream;
}

/**
 * Writes `[channels, width]` noise (row-major, starting at `out[offset]`) for one batch row: column j holds frame
 * `firstFrame + j` for j < frames. `out` must be zeroed past `frames` by the caller (a fresh array is).
 */
export function fillDecoderNoise(out: Float32Array, offset: number, channels: number, width: number, window: NoiseWindow): void {
  if (window.frames > width) throw new RangeError(`noise window of ${window.frames} frames does not fit ${width} columns`);
  const values = new Float64Array(4);
  for (let j = 0; j < window.frames; j += 1) {
    const frame = window.firstFrame + j;
    for (let quad = 0; 4 * quad < channels; quad += 1) {
      normals4(window.seed, window.segment, frame, quad, values, window.stream);
      const channelEnd = Math.min(4 * quad + 4, channels);
      for (let channel = 4 * quad; channel < channelEnd; channel += 1) {
        out[offset + channel * width + j] = (values[channel - 4 * quad] ?? 0) * window.scale;
      }
    }
  }
}
