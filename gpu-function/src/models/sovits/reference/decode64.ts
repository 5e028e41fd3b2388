/**
 * Float64 `SynthesizerTrn.decode` for one item, with the intermediates the conformance fixtures hold, plus the
 * reference side (`ge` from 32 kHz audio) and prompt extraction. Entry point of the independent reference.
 * @module
 */
import type { SovitsDims } from '../config.ts';
import { mat, zip, type Mat } from './array64.ts';
import { reverseFlow64 } from './flow64.ts';
import { generator64 } from './generator64.ts';
import { linear64 } from './conv64.ts';
import { refEncoder64 } from './ref-encoder64.ts';
import { spectrogram64 } from './spectrogram64.ts';
import { textEncoder64 } from './text-encoder64.ts';
import type { Weights64 } from './weights64.ts';

export { extract64 } from './extract64.ts';
export { spectrogram64 } from './spectrogram64.ts';
export { Weights64 } from './weights64.ts';
export { mat, type Mat } from './array64.ts';

export interface DecodeInputs64 {
  readonly codes: readonly number[];
  readonly phones: readonly number[];
  readonly ge: Float64Array;
  /** `[inter, F]` standard normal noise; zeros when absent. */
  readonly noise?: Mat;
  readonly noiseScale: number;
  readonly speed: number;
}

export interface Decoded64 {
  readonly encoded: Mat;
  readonly m: Mat;
  readonly logs: Mat;
  readonly z: Mat;
  readonly audio: Float64Array;
}

export function decode64(w: Weights64, dims: SovitsDims, inputs: DecodeInputs64): Decoded64 {
  const prior = textEncoder64(w, dims, inputs.codes, inputs.phones, inputs.ge, inputs.speed);
  const noise = inputs.noise ?? mat(prior.m.rows, prior.m.cols);
  const scaled = zip(noise, prior.logs, (n, logs) => n * Math.exp(logs) * inputs.noiseScale);
  const zp = zip(prior.m, scaled, (m, s) => m + s);
  const ge = mat(inputs.ge.length, 1, Float64Array.from(inputs.ge));
  const z = reverseFlow64(w, dims, zp, ge);
  return { ...prior, z, audio: generator64(w, dims, z, ge) };
}

/** `ge [gin]` of one 32 kHz reference; v2Pro/v2ProPlus fuse the reference's speaker embedding `[sv_dim]`. */
export function referenceGe64(w: Weights64, dims: SovitsDims, audio: Float64Array, speakerEmbedding?: Float64Array): { ge: Float64Array; spec: Mat } {
  const spec = spectrogram64(audio, dims.refEncoder.bins);
  const style = refEncoder64(w, dims, spec);
  if (dims.speakerFusion === null) return { ge: style, spec };
  if (speakerEmbedding === undefined) throw new Error(`a ${dims.version} model needs the reference's speaker embedding`);
  const projected = linear64(w, 'sv_emb', mat(1, speakerEmbedding.length, speakerEmbedding)).data;
  const slope = w.vector('prelu.weight');
  const ge = style.map((value, c) => {
    const x = value + (projected[c] ?? 0);
    return x >= 0 ? x : (slope[c] ?? 0) * x;
  });
  return { ge, spec };
}
