import { describe, expect, it } from 'vitest';
import { sovitsFrameCount } from '../../models/sovits/io.ts';
import type { AudioPiece } from '../output/ordered-emitter.ts';
import { DEFAULT_CHUNK_GROWTH } from './chunk-policy.ts';
import { itemFrameCount } from './item.ts';
import { TokenChunkStream, type StreamJob, type StreamSegment, type TokenStreamOptions } from './token-stream.ts';

const SEGMENT: StreamSegment = {
  requestId: 'req-7',
  segmentIndex: 3,
  phoneIds: Int32Array.of(1, 2, 3),
  ge: new Float32Array(4),
  speed: 1,
  seed: 42,
  noiseScale: 0.5,
};
const FRAGMENT = 0.01; // 320 samples of silence

/**
 * The "true" segment signal, a 220 Hz tone; a window decode returns it plus its own DC error (as a real decode
 * differs), staying under 1 so the peak rule leaves it alone.
 */
const truth = (sample: number): number => 0.3 * Math.sin((2 * Math.PI * 220 * sample) / 32000);
const windowError = (job: StreamJob): number => 0.1 * (job.sequence + 1);

function fakeDecode(job: StreamJob, gain = 1, flat = false): Float32Array | undefined {
  if (job.item === undefined) return undefined;
  if (flat) return new Float32Array(itemFrameCount(job.item) * 640);
  return Float32Array.from({ length: itemFrameCount(job.item) * 640 }, (_, i) => gain * (truth(job.windowFrom + i) + windowError(job)));
}

interface Streamed {
  readonly jobs: StreamJob[];
  readonly pieces: AudioPiece[];
  readonly audio: Float32Array;
}

function stream(tokens: readonly number[], options: Partial<TokenStreamOptions> & { speed?: number; step?: number; gain?: number; flat?: boolean } = {}): Streamed {
  const s = new TokenChunkStream({ ...SEGMENT, speed: options.speed ?? 1 }, { mode: 'fixed', minChunkTokens: 4, overlapTokens: 2, contextTokens: 3, fragmentInterval: FRAGMENT, growth: FIXED, ...options });
  const jobs: StreamJob[] = [];
  const step = options.step ?? 1;
  for (let i = 0; i < tokens.length; i += step) jobs.push(...s.push(tokens.slice(i, i + step)));
  jobs.push(s.end());
  const pieces = jobs.map((job) => s.receive(job, fakeDecode(job, options.gain, options.flat)));
  const audio = new Float32Array(pieces.reduce((n, p) => n + p.samples.length, 0));
  let at = 0;
  for (const piece of pieces) {
    audio.set(piece.samples, at);
    at += piece.samples.length;
  }
  return { jobs, pieces, audio };
}

/** GPT-SoVITS's schedule (a chunk every min_chunk_length tokens): the most seams, so the strictest tiling tests. */
const FIXED = { growth: 1, maxChunkTokens: 1 } as const;

const tokens = (n: number): number[] => Array.from({ length: n }, (_, i) => (i * 37) % 1024);

describe('token-chunk stream', () => {
  it('tiles the segment: pieces add up to its exact length plus the fragment silence, the last one ends it', () => {
    const { pieces, audio } = stream(tokens(23));
    expect(pieces.length).toBe(6); // cuts at 4, 8, 12, 16, 20 and the end
    expect(audio.length).toBe(23 * 1280 + 320);
    expect(pieces.map((p) => p.last)).toEqual([false, false, false, false, false, true]);
    expect(pieces.every((p) => p.segmentIndex === 3)).toBe(true);
    expect(audio.subarray(23 * 1280).every((v) => v === 0)).toBe(true);
  });

  it('with growing chunks (the default), tiles the segment the same way with fewer, longer windows', () => {
    const { jobs, pieces, audio } = stream(tokens(59), { growth: DEFAULT_CHUNK_GROWTH });
    // Cuts after 4, 4+8 and 12+16 tokens, then the end at 59. Each window decodes from 3 context tokens before the
    // first token not emitted yet (2 held back at every seam): [0,4), [0,12), [7,28), [23,59).
    expect(jobs.map((job) => job.item?.tokens.length)).toEqual([4, 12, 21, 36]);
    expect(audio.length).toBe(59 * 1280 + 320);
    expect(pieces.map((p) => p.last)).toEqual([false, false, false, true]);
  });

  it('has no clicks: every seam moves between windows through a cross-fade, a hard cut only at overlap 0', () => {
    const maxSlopeError = (audio: Float32Array): number => {
      let worst = 0;
      for (let i = 1; i < 23 * 1280; i += 1) worst = Math.max(worst, Math.abs(audio[i]! - audio[i - 1]! - (truth(i) - truth(i - 1))));
      return worst;
    };
    const faded = stream(tokens(23)).audio;
    // Window errors step by 0.1; spread over a 2-token (2560-sample) raised cosine the slope is at most 0.1·π/(2·2560).
    expect(maxSlopeError(faded)).toBeLessThan((0.1 * Math.PI) / (2 * 2560) + 1e-6);
    const cut = stream(tokens(23), { overlapTokens: 0 }).audio;
    expect(maxSlopeError(cut)).toBeGreaterThan(0.09);
    // Away from the fades, each sample is the truth plus the error of one window.
    for (let i = 0; i < 23 * 1280; i += 97) {
      const offset = faded[i]! - truth(i);
      expect(offset).toBeGreaterThan(0.1 - 1e-5);
      expect(offset).toBeLessThan(0.6 + 1e-5);
    }
  });

  it('decodes each window with its context and the segment noise frames, in modes 2 and 3 alike', () => {
    const quietTokens = { muteToken: 486, threshold: 0, ids: Int32Array.of(486), similarity: Float32Array.of(1) };
    const input = tokens(30).map((t, i) => (i % 7 === 6 ? 486 : t));
    for (const mode of ['fixed', 'quiet'] as const) {
      const { jobs, audio } = stream(input, { mode, quietTokens });
      expect(jobs.length, mode).toBeGreaterThan(2);
      expect(audio.length).toBe(30 * 1280 + 320);
      for (const job of jobs) {
        const item = job.item!;
        const start = item.noiseFrameOffset! / 2;
        expect(Array.from(item.tokens), `${mode} job ${job.sequence}`).toEqual(input.slice(start, start + item.tokens.length));
        expect(job.from - job.windowFrom, 'context before the first emitted sample').toBe(Math.min(3, job.from / 1280) * 1280);
      }
    }
  });

  it('gives the same jobs however T2S delivers the tokens', () => {
    const one = stream(tokens(41), { step: 1 }).jobs;
    for (const step of [3, 41]) expect(stream(tokens(41), { step }).jobs).toEqual(one);
  });

  it('decodes a segment shorter than a chunk in one window, exactly as a whole segment', () => {
    const { jobs, pieces } = stream(tokens(3));
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.item?.noiseFrameOffset).toBe(0);
    expect(Array.from(jobs[0]?.item?.tokens ?? [])).toEqual(tokens(3));
    expect(pieces[0]?.samples.length).toBe(3 * 1280 + 320);
  });

  it('keeps the exact length at every speed, chunk, overlap and context', () => {
    for (const speed of [0.25, 0.7, 1.3, 3.7, 4]) {
      for (const overlapTokens of [0, 2, 5]) {
        for (const contextTokens of [0, 1, 4]) {
          for (const n of [1, 2, 3, 4, 5, 7, 11, 13, 17, 19, 23]) {
            const { audio } = stream(tokens(n), { speed, overlapTokens, contextTokens, fragmentInterval: 0, minChunkTokens: 3, flat: true });
            expect(audio.length, `speed ${speed} overlap ${overlapTokens} context ${contextTokens} tokens ${n}`).toBe(sovitsFrameCount(n, speed) * 640);
          }
        }
      }
    }
  });

  it('applies the peak rule per piece, as GPT-SoVITS streaming does', () => {
    const loud = stream(tokens(23), { gain: 4 }).pieces;
    for (const piece of loud) expect(Math.max(...piece.samples.map(Math.abs))).toBeCloseTo(1, 6);
    const quiet = stream(tokens(23)).pieces;
    expect(Math.max(...(quiet[0]?.samples ?? []).map(Math.abs))).toBeLessThan(0.41);
  });

  it('refuses misuse with messages naming the request and segment', () => {
    const s = new TokenChunkStream(SEGMENT, { mode: 'fixed', minChunkTokens: 2, overlapTokens: 1, fragmentInterval: 0, growth: FIXED });
    expect(() => s.end()).toThrow(/request req-7 segment 3: segment ended with no semantic tokens/);
    const [first, second] = s.push([1, 2, 3, 4]);
    expect(() => s.receive(second!, fakeDecode(second!))).toThrow(/job 1 received out of order \(job 0 is next\)/);
    expect(() => s.receive(first!, new Float32Array(5))).toThrow(/needs 2560 samples/);
    s.receive(first!, fakeDecode(first!));
    s.end();
    expect(() => s.push([5])).toThrow(/after the segment ended/);
  });
});
