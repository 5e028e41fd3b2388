/**
 * The vocoder graph's contract. The engine imports this module (never the builder).
 * @module
 */
import type { GraphIo as GraphIoSpec } from '../io-spec.ts';

export interface GraphIo extends GraphIoSpec {
  readonly file: string;
}

/**
 * `mel [B, mel_dim, frames]`: the CFM output's generated columns after `denorm_spec` (`(x + 1) / 2 * 14 - 12`, as
 * TTS.py feeds its vocoder), valid up to `mel_lengths` -> `audio [B, frames · hop]` (v4: 480 samples per frame at
 * 48 kHz), zero past `audio_lengths = mel_lengths · hop`. Each row equals the vocoder run on its own frames.
 */
export const VOCODER_IO: GraphIo = {
  file: 'vocoder.onnx',
  inputs: [
    { name: 'mel', dtype: 'float32', dims: ['batch', 'mel_dim', 'frames'] },
    { name: 'mel_lengths', dtype: 'int64', dims: ['batch'] },
  ],
  outputs: [
    { name: 'audio', dtype: 'float32', dims: ['batch', 'audio_samples'] },
    { name: 'audio_lengths', dtype: 'int64', dims: ['batch'] },
  ],
};
