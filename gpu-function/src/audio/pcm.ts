/**
 * Float audio to 16-bit PCM. GPT-SoVITS multiplies by 32768 and casts, so a sample of exactly 1.0 wraps to -32768;
 * gsv-edge clips instead (documented deviation: it only differs on samples at full scale).
 * @module
 */

export function floatToPcm16(samples: Float32Array): Int16Array {
  const pcm = new Int16Array(samples.length);
  for (let i = 0; i < samples.length; i += 1) {
    const scaled = Math.round((samples[i] ?? 0) * 32768);
    pcm[i] = scaled > 32767 ? 32767 : scaled < -32768 ? -32768 : scaled;
  }
  return pcm;
}

/** Little-endian bytes of 16-bit PCM (the `pcm` response format). */
export function pcm16Bytes(pcm: Int16Array): Uint8Array {
  return new Uint8Array(pcm.buffer, pcm.byteOffset, pcm.byteLength);
}
