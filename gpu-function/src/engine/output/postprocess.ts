/**
 * GPT-SoVITS's `audio_postprocess` per text segment: a segment whose peak exceeds 1 is divided by its peak, and
 * `fragment_interval` seconds of silence follow every segment, the last one included.
 * @module
 */

export function normalizeSegmentPeak(audio: Float32Array): Float32Array {
  let peak = 0;
  for (const sample of audio) {
    const magnitude = Math.abs(sample);
    if (magnitude > peak) peak = magnitude;
  }
  if (peak <= 1) return audio;
  const out = new Float32Array(audio.length);
  for (let i = 0; i < audio.length; i += 1) out[i] = (audio[i] ?? 0) / peak;
  return out;
}

export function silence(seconds: number, sampleRate: number): Float32Array {
  return new Float32Array(Math.trunc(sampleRate * seconds));
}
