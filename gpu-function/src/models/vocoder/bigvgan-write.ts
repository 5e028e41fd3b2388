/**
 * Writes v3's BigVGAN vocoder graph of one precision into a folder, optionally into a shared external weight file.
 * @module
 */
import type { ExternalDataFile } from '../../onnx/external-data.ts';
import type { Precision, WeightSource } from '../../onnx/values.ts';
import { writeModel, type WrittenModel } from '../../onnx/writer.ts';
import type { BigvganDims } from './bigvgan-config.ts';
import { buildBigvganVocoderGraph } from './graph/bigvgan.ts';
import { VOCODER_IO } from './io.ts';

export interface WriteBigvganOptions {
  readonly dir: string;
  readonly weights: WeightSource;
  readonly dims: BigvganDims;
  readonly precision: Precision;
  readonly externalData?: ExternalDataFile;
}

export async function writeBigvganVocoder(options: WriteBigvganOptions): Promise<WrittenModel> {
  return writeModel(buildBigvganVocoderGraph(options), {
    dir: options.dir,
    fileName: VOCODER_IO.file,
    metadata: { 'gsv.vocoder.dims': JSON.stringify(options.dims), 'gsv.precision': options.precision },
    ...(options.externalData === undefined ? {} : { externalData: options.externalData }),
  });
}
