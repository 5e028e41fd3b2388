/**
 * High-quality resampling for the 16 kHz HuBERT path. GPT-SoVITS loads references with `librosa.load(sr=16000)`,
 * whose default is soxr "HQ"; soxr is not on npm, so libsamplerate's best sinc converter (wasm, from
 * `@alexanderolsen/libsamplerate-js`) stands in: about 42 dB SNR against soxr_hq at 16 kHz, measured in
 * ../shared/reference/frontend-libs.md §6. The difference is far below what changes HuBERT's codebook choice for
 * most frames, but it is not bit-exact.
 * @module
 */
// A default import: the package is webpack-built CommonJS whose exports Node's CommonJS lexer cannot see, so a named
// import fails under plain Node (vitest's interop hides that). The default import is `module.exports` everywhere.
import libsamplerate from '@alexanderolsen/libsamplerate-js';

const { ConverterType, create } = libsamplerate;

export async function resampleHighQuality(input: Float32Array, origFreq: number, newFreq: number): Promise<Float32Array> {
  if (origFreq === newFreq) return Float32Array.from(input);
  const converter = await create(1, origFreq, newFreq, { converterType: ConverterType.SRC_SINC_BEST_QUALITY });
  try {
    return converter.simple(input);
  } finally {
    converter.destroy();
  }
}
