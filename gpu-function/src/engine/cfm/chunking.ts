/**
 * How GPT-SoVITS's `TTS.using_vocoder_synthesis` cuts a v3/v4 segment for the CFM (constants from `init_vocoder`):
 * the prompt is at most `promptFrames` (T_ref) frames of the reference's mel and features; each chunk holds the
 * prompt plus up to `chunkFrames - prompt` (T_chunk - T_min) new frames; the next chunk's prompt is the last
 * `prompt` frames the previous chunk generated (fewer when that chunk was shorter: GPT-SoVITS keeps slicing with
 * T_min, so a short chunk hands on all it made).
 * @module
 */
import type { CfmVersion } from '../../models/cfm/config.ts';

export interface CfmChunking {
  /** T_ref: the most prompt frames the CFM sees. */
  readonly promptFrames: number;
  /** T_chunk: prompt plus new frames of one CFM call. */
  readonly chunkFrames: number;
}

export const CFM_CHUNKING: Readonly<Record<CfmVersion, CfmChunking>> = {
  v4: { promptFrames: 500, chunkFrames: 1000 },
  v3: { promptFrames: 468, chunkFrames: 934 },
};

/** GPT-SoVITS's `sample_steps` default for v3/v4. */
export const DEFAULT_SAMPLE_STEPS = 32;

export function checkChunking(chunking: CfmChunking): void {
  const { promptFrames, chunkFrames } = chunking;
  if (!Number.isInteger(promptFrames) || promptFrames < 1) throw new RangeError(`promptFrames must be a positive integer, got ${String(promptFrames)}`);
  if (!Number.isInteger(chunkFrames) || chunkFrames <= promptFrames) throw new RangeError(`chunkFrames must be an integer above promptFrames (${String(promptFrames)}), got ${String(chunkFrames)}`);
}

/** `[start, end)` of each chunk of `frames` new frames for a prompt of `prompt` frames. */
export function chunkRanges(frames: number, prompt: number, chunking: CfmChunking): { readonly start: number; readonly end: number }[] {
  const length = chunking.chunkFrames - prompt;
  if (length <= 0) throw new RangeError(`a ${String(prompt)}-frame prompt leaves no room in a ${String(chunking.chunkFrames)}-frame chunk`);
  const ranges: { start: number; end: number }[] = [];
  for (let start = 0; start < frames; start += length) ranges.push({ start, end: Math.min(frames, start + length) });
  return ranges;
}
