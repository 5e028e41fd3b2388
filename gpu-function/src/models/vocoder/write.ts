/**
 * Writes the vocoder graph of one precision into a folder, optionally into a shared external weight file.
 * @module
 */
import type { ExternalDataFile } from '../../onnx/external-data.ts';
import type { Precision, WeightSource } from '../../onnx/values.ts';
import { writeModel, type WrittenModel } from '../../onnx/writer.ts';
import type { HifiganVocoderDims } from './config.ts';
import { buildHifiganVocoderGraph } from './graph/hifigan.ts';
import { VOCODER_IO } from './io.ts';

export interface WriteVocoderOptions {
  readonly dir: string;
  readonly weights: WeightSource;
  readonly dims: HifiganVocoderDims;
  readonly precision: Precision;
  readonly externalData?: ExternalDataFile;
}

export async function writeHifiganVocoder(options: WriteVocoderOptions): Promise<WrittenModel> {
  return writeModel(buildHifiganVocoderGraph(options), {
    dir: options.dir,
    fileName: VOCODER_IO.file,
    metadata: { 'gsv.vocoder.dims': JSON.stringify(options.dims), 'gsv.precision': options.precision },
    ...(options.externalData === undefined ? {} : { externalData: options.externalData }),
  });
}
