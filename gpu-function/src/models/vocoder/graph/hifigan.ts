/**
 * The v4 vocoder graph: the SoVITS HiFi-GAN (`sovits/graph/generator.ts`) read from `vocoder.pth`'s own names (no
 * prefix) without `cond`, at rates [10, 6, 2, 2, 2]. Masked per row like the SoVITS decoder: the mel past a row's
 * length is zeroed first and every convolution output is masked at its rate, so each row computes what it would alone.
 * fp16 graphs keep fp16 weights and activations throughout (as the SoVITS decoder).
 * @module
 */
import type { GraphBuilder } from '../../../onnx/graph-builder.ts';
import type { Precision, WeightSource } from '../../../onnx/values.ts';
import { declareGraph } from '../../cfm/graph/declare.ts';
import { generator } from '../../sovits/graph/generator.ts';
import { hopOf, validateHifiganDims, type HifiganVocoderDims } from '../config.ts';
import { VOCODER_IO } from '../io.ts';

export interface VocoderGraphOptions {
  readonly weights: WeightSource;
  readonly dims: HifiganVocoderDims;
  readonly precision: Precision;
  /** Checkpoint prefix of the generator's tensors (`''` for `vocoder.pth`). */
  readonly prefix?: string;
}

export function buildHifiganVocoderGraph(options: VocoderGraphOptions): GraphBuilder {
  const { dims } = options;
  validateHifiganDims(dims);
  const d = declareGraph(VOCODER_IO, { mel_dim: dims.melChannels }, options);
  const { op } = d;
  const mel = d.input('mel');
  const lengths = d.input('mel_lengths');
  const masked = op.mul(op.toCompute(mel), op.channelMask(lengths, mel)); // [B, mel, F]
  const audio = generator(op, masked, null, lengths, dims, options.prefix ?? ''); // [B, 1, F * hop]
  d.output('audio', op.toFloat32(op.squeeze(audio, [1])));
  d.output('audio_lengths', op.mul(lengths, op.i64Scalar(hopOf(dims))));
  return d.g;
}
