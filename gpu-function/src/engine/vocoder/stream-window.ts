/**
 * Geometry of token-chunk streaming: where token t's audio starts in the segment, and which tokens a window decode
 * covers. At speed 1 token t starts at frame 2t exactly. At other speeds the decoder resizes a window of n tokens to
 * int(2n / speed) + 1 frames, so a window's frames line up with the whole segment's only to within a frame; the
 * cross-fade absorbs that, and the piece lengths still add up to the whole segment's length exactly.
 * @module
 */
import { SOVITS_FRAMES_PER_TOKEN, SOVITS_SAMPLES_PER_FRAME, sovitsFrameCount } from '../../models/sovits/io.ts';

/** Latent frame at which token `t` of a segment starts. */
export function tokenStartFrame(t: number, speed: number): number {
  return speed === 1 ? SOVITS_FRAMES_PER_TOKEN * t : Math.trunc((SOVITS_FRAMES_PER_TOKEN * t) / speed);
}

/** Sample at which token `t` starts; for the segment's end (`final`), the whole segment's length. */
export function tokenStartSample(t: number, speed: number, final = false): number {
  return (final ? sovitsFrameCount(t, speed) : tokenStartFrame(t, speed)) * SOVITS_SAMPLES_PER_FRAME;
}

export interface DecodeWindow {
  /** Tokens [start, end) of the segment are decoded. */
  readonly start: number;
  readonly end: number;
  /** Segment frame of the window's first output frame (and first noise column). */
  readonly firstFrame: number;
}

/**
 * The window that yields audio from token `from` to token `end` with `context` tokens decoded before `from` (the
 * decoder's convolutions, flow and attention need them; their audio is discarded). A final window is aligned on its
 * end, so its last frame is the segment's last; a window that is not final is aligned on its start.
 */
export function decodeWindow(from: number, end: number, context: number, speed: number, final: boolean): DecodeWindow {
  // At least one token: the decoder needs one (and a final window may have nothing new when a cut fell on the end).
  let start = Math.min(Math.max(0, from - context), end - 1);
  if (!final) return { start, end, firstFrame: tokenStartFrame(start, speed) };
  const firstFrame = (s: number): number => sovitsFrameCount(end, speed) - sovitsFrameCount(end - s, speed);
  // End alignment can start the window a frame after token `start` (speed ≠ 1): widen until it covers `from`.
  while (start > 0 && firstFrame(start) > tokenStartFrame(from, speed)) start -= 1;
  return { start, end, firstFrame: firstFrame(start) };
}
