/**
 * Token-chunk streaming of one segment (GPT-SoVITS streaming modes 2 and 3) as a state machine that never runs a
 * graph itself: `push` takes tokens as T2S samples them and returns decode jobs (vocoder items the engine batches
 * with everything else), `receive` turns a job's decoded audio into a piece the client appends as is, `end` returns
 * the final job. Jobs of one segment must be received in the order they were made.
 *
 * Algorithm (tokens t, E = first token whose audio is not out yet, H = end of the last decoded window):
 * 1. A cut after token b (chunk-policy.ts) makes a job decoding the window [max(0, E - context), b) with the noise
 *    the whole segment has on those frames (noise.ts), so a window reproduces the whole decode up to the context it
 *    lacks.
 * 2. Its audio over [E, H) is cross-faded (raised cosine) from the previous window's held-back tail into the new
 *    window; [H, E') follows as decoded, with E' = max(H, b - overlap); [E', b) is held back as the new tail,
 *    because the next window, which sees tokens after b, decodes it better. The piece is [E, E').
 * 3. The final job decodes [E - context, T) aligned on the segment's end and emits [E, T) (cross-faded the same way),
 *    then `fragment_interval` of silence.
 * So the pieces tile the segment exactly (total = sovitsFrameCount(T, speed) × 640 + silence), every seam is inside
 * a cross-fade between two decodes of the same frames with the same noise, and a piece starts where the previous one
 * ended in the same decode: no clicks.
 *
 * Deviations from GPT-SoVITS `decode_streaming` (the exported decoder graph runs encoder, flow and HiFiGAN in one
 * call, so its latent cannot be cross-faded):
 * - GPT-SoVITS re-encodes the whole prefix, cross-fades `overlap` latent frames with a sine window and vocodes only
 *   the new tokens + overlap, then aligns the audio by SOLA (a search of up to 320 samples, which changes the total
 *   length). gsv-edge decodes a bounded window (left `context` tokens + chunk) end to end and cross-fades audio
 *   only: cost per chunk is O(context + chunk), not O(prefix), and the segment's noise is the same in every window,
 *   so the decodes are already aligned and no SOLA shift is needed; the lengths are exact.
 * - The peak rule is applied per piece, as GPT-SoVITS streaming does (audio_postprocess per chunk). The decoder
 *   ends in tanh, so |audio| ≤ 1 and the rule never changes a sound decode in either mode.
 * @module
 */
import { SOVITS_SAMPLES_PER_FRAME } from '../../models/sovits/io.ts';
import type { QuietTokens } from '../../models/t2s/quiet-tokens.ts';
import { normalizeSegmentPeak } from '../output/postprocess.ts';
import type { AudioPiece } from '../output/ordered-emitter.ts';
import { ChunkPolicy, DEFAULT_CHUNK_GROWTH, type ChunkGrowth, type ChunkMode } from './chunk-policy.ts';
import { crossfadeInto } from './crossfade.ts';
import { itemFrameCount, VocoderError, type VocoderItem } from './item.ts';
import { segmentPiece } from './segment-audio.ts';
import { decodeWindow, tokenStartSample } from './stream-window.ts';

/** Everything about a segment the decoder needs except its tokens. */
export type StreamSegment = Omit<VocoderItem, 'tokens' | 'noiseFrameOffset'>;

export interface TokenStreamOptions {
  /** GPT-SoVITS mode 2 (`quiet`) or 3 (`fixed`). */
  readonly mode: ChunkMode;
  /** GPT-SoVITS `min_chunk_length` (16): the first chunk's length; later chunks grow by `growth`. */
  readonly minChunkTokens: number;
  /** How later chunks grow (default {@link DEFAULT_CHUNK_GROWTH}; `{ growth: 1, ... }` is GPT-SoVITS's schedule). */
  readonly growth?: ChunkGrowth;
  /** GPT-SoVITS `overlap_length` (2): tokens held back and cross-faded at each seam; 0 cuts hard. */
  readonly overlapTokens: number;
  /** Tokens decoded before each window's first emitted token (default {@link DEFAULT_CONTEXT_TOKENS}). */
  readonly contextTokens?: number;
  /** Needed for mode `quiet`. */
  readonly quietTokens?: QuietTokens;
  /** Seconds of silence after the segment (GPT-SoVITS `fragment_interval`, 0.3). */
  readonly fragmentInterval: number;
}

/** 24 tokens ≈ 0.96 s: past the flow's receptive field (4 couplings × WN kernel 5 × 4 layers = ±32 frames). */
export const DEFAULT_CONTEXT_TOKENS = 24;

export interface StreamJob {
  readonly sequence: number;
  readonly final: boolean;
  /** What to decode; undefined when nothing is left to decode (the final piece is then only the silence). */
  readonly item: VocoderItem | undefined;
  /** Segment samples: the piece is [from, to); [from, fadeTo) is cross-faded; the window decodes [.., decodedTo). */
  readonly from: number;
  readonly fadeTo: number;
  readonly to: number;
  readonly decodedTo: number;
  /** Segment sample of the window audio's first sample. */
  readonly windowFrom: number;
}

export class TokenChunkStream {
  readonly segment: StreamSegment;
  readonly #policy: ChunkPolicy;
  readonly #overlap: number;
  readonly #context: number;
  readonly #fragmentInterval: number;
  readonly #tokens: number[] = [];
  /** Token after the last cut (GPT-SoVITS `curr_ptr`) and first token not emitted yet (E). */
  #cut = 0;
  #emitFrom = 0;
  #jobs = 0;
  #ended = false;
  #received = 0;
  /** Held-back audio of the last received window: segment samples [#emitted, #emitted + tail.length). */
  #tail: Float32Array = new Float32Array(0);
  #emitted = 0;

  constructor(segment: StreamSegment, options: TokenStreamOptions) {
    this.segment = segment;
    this.#policy = new ChunkPolicy(options.mode, options.minChunkTokens, options.quietTokens, options.growth ?? DEFAULT_CHUNK_GROWTH);
    this.#overlap = nonNegativeInt(options.overlapTokens, 'overlapTokens');
    this.#context = nonNegativeInt(options.contextTokens ?? DEFAULT_CONTEXT_TOKENS, 'contextTokens');
    if (!(options.fragmentInterval >= 0)) throw new RangeError(`fragmentInterval must be ≥ 0 seconds, got ${options.fragmentInterval}`);
    this.#fragmentInterval = options.fragmentInterval;
  }

  get tokenCount(): number {
    return this.#tokens.length;
  }

  /** Appends tokens; returns the decode jobs of the cuts they complete (checked after each token). */
  push(tokens: ArrayLike<number>): StreamJob[] {
    if (this.#ended) throw new VocoderError(this.segment, 'tokens pushed after the segment ended');
    const jobs: StreamJob[] = [];
    for (let i = 0; i < tokens.length; i += 1) {
      this.#tokens.push(tokens[i] ?? 0);
      const chunk = this.#policy.cut(this.#tokens, this.#cut, this.#jobs);
      if (chunk > 0) jobs.push(this.#job(this.#cut + chunk, false));
    }
    return jobs;
  }

  /** The segment's last tokens are in: the job for the rest of its audio. */
  end(): StreamJob {
    if (this.#ended) throw new VocoderError(this.segment, 'segment ended twice');
    if (this.#tokens.length === 0) throw new VocoderError(this.segment, 'segment ended with no semantic tokens');
    this.#ended = true;
    return this.#job(this.#tokens.length, true);
  }

  #job(end: number, final: boolean): StreamJob {
    const speed = this.segment.speed;
    const emitFrom = this.#emitFrom;
    const keepFrom = final ? end : Math.max(this.#cut, end - this.#overlap);
    const from = tokenStartSample(emitFrom, speed);
    const fadeTo = tokenStartSample(this.#cut, speed);
    const to = tokenStartSample(keepFrom, speed, final);
    const decodedTo = tokenStartSample(end, speed, final);
    this.#cut = end;
    this.#emitFrom = keepFrom;
    const sequence = this.#jobs++;
    if (from === decodedTo) return { sequence, final, item: undefined, from, fadeTo, to, decodedTo, windowFrom: from };
    const window = decodeWindow(emitFrom, end, this.#context, speed, final);
    const tokens = Int32Array.from(this.#tokens.slice(window.start, end));
    const item: VocoderItem = { ...this.segment, tokens, noiseFrameOffset: window.firstFrame };
    return { sequence, final, item, from, fadeTo, to, decodedTo, windowFrom: window.firstFrame * SOVITS_SAMPLES_PER_FRAME };
  }

  /** The piece for `job` from its decoded audio (`undefined` when the job has no item). */
  receive(job: StreamJob, audio: Float32Array | undefined): AudioPiece {
    if (job.sequence !== this.#received) throw new VocoderError(this.segment, `stream job ${job.sequence} received out of order (job ${this.#received} is next)`);
    const expected = job.item === undefined ? 0 : itemFrameCount(job.item) * SOVITS_SAMPLES_PER_FRAME;
    if ((audio?.length ?? 0) !== expected) throw new VocoderError(this.segment, `stream job ${job.sequence} needs ${expected} samples of audio, got ${audio?.length ?? 0}`);
    if (this.#emitted !== job.from || this.#emitted + this.#tail.length !== job.fadeTo) {
      throw new VocoderError(this.segment, `stream job ${job.sequence} does not continue the emitted audio`);
    }
    this.#received += 1;
    const window = audio ?? new Float32Array(0);
    const at = (sample: number): number => sample - job.windowFrom;
    const piece = new Float32Array(job.to - job.from);
    const fade = job.fadeTo - job.from;
    crossfadeInto(piece, this.#tail, window.subarray(at(job.from)), fade);
    piece.set(window.subarray(at(job.fadeTo), at(job.to)), fade);
    this.#tail = window.slice(at(job.to), at(job.decodedTo));
    this.#emitted = job.to;
    if (job.final) return segmentPiece(this.segment.segmentIndex, piece, this.#fragmentInterval);
    return { segmentIndex: this.segment.segmentIndex, samples: normalizeSegmentPeak(piece), last: false };
  }
}

function nonNegativeInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
  return value;
}
