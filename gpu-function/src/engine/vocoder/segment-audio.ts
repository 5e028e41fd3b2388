/**
 * A whole decoded segment as the piece the client gets (streaming mode 0/1 and non-streamed requests), post-processed
 * as GPT-SoVITS's `audio_postprocess`: divided by its peak when the peak exceeds 1, then `fragment_interval` seconds
 * of silence (the last segment included). int16 conversion (with clipping, unlike GPT-SoVITS) is the encoder's job.
 * @module
 */
import { SOVITS_SAMPLE_RATE } from '../../models/sovits/io.ts';
import type { AudioPiece } from '../output/ordered-emitter.ts';
import { normalizeSegmentPeak, silence } from '../output/postprocess.ts';

export function segmentPiece(segmentIndex: number, audio: Float32Array, fragmentInterval: number): AudioPiece {
  const normalized = normalizeSegmentPeak(audio);
  const gap = silence(fragmentInterval, SOVITS_SAMPLE_RATE);
  const samples = new Float32Array(normalized.length + gap.length);
  samples.set(normalized);
  return { segmentIndex, samples, last: true };
}
