/**
 * Writes the three SoVITS graphs of one model and precision into a folder, sharing one external weight file with
 * whatever else the caller writes into it (the bundle command passes the file).
 * @module
 */
import { writeModel, type WrittenModel } from '../../onnx/writer.ts';
import type { ExternalDataFile } from '../../onnx/external-data.ts';
import type { Precision, WeightSource } from '../../onnx/values.ts';
import type { SovitsDims } from './config.ts';
import { buildDecoderGraph, buildExtractGraph, buildRefEncoderGraph } from './graph/build-graphs.ts';
import { SOVITS_DECODER_IO, SOVITS_EXTRACT_IO, SOVITS_REF_ENCODER_IO } from './io.ts';

export interface WriteSovitsOptions {
  readonly dir: string;
  readonly weights: WeightSource;
  readonly dims: SovitsDims;
  readonly precision: Precision;
  /** Shared weight file; weights stay inline in each model when omitted. */
  readonly externalData?: ExternalDataFile;
}

export interface WrittenSovitsGraphs {
  readonly extract: WrittenModel;
  readonly refEncoder: WrittenModel;
  readonly decoder: WrittenModel;
}

export async function writeSovitsGraphs(options: WriteSovitsOptions): Promise<WrittenSovitsGraphs> {
  const graphOptions = { weights: options.weights, dims: options.dims, precision: options.precision };
  const metadata = { 'gsv.sovits.dims': JSON.stringify(options.dims), 'gsv.precision': options.precision };
  const write = (graph: ReturnType<typeof buildDecoderGraph>, fileName: string): Promise<WrittenModel> =>
    writeModel(graph, {
      dir: options.dir,
      fileName,
      metadata,
      ...(options.externalData === undefined ? {} : { externalData: options.externalData }),
    });
  const extract = await write(buildExtractGraph(graphOptions), SOVITS_EXTRACT_IO.file);
  const refEncoder = await write(buildRefEncoderGraph(graphOptions), SOVITS_REF_ENCODER_IO.file);
  const decoder = await write(buildDecoderGraph(graphOptions), SOVITS_DECODER_IO.file);
  return { extract, refEncoder, decoder };
}
