/**
 * Writes the SoVITS v3/v4 graphs of one model and precision into a folder (`sovits-extract`, `sovits-ref-encoder`, `cfm-mel`,
 * `cfm-encp`, `cfm-text`, `cfm-step`), sharing one external weight file with whatever else the caller writes into it.
 * @module
 */
import type { ExternalDataFile } from '../../onnx/external-data.ts';
import type { GraphBuilder } from '../../onnx/graph-builder.ts';
import type { Precision, WeightSource } from '../../onnx/values.ts';
import { writeModel, type WrittenModel } from '../../onnx/writer.ts';
import type { CfmDims } from './config.ts';
import { buildCfmEncpGraph, buildCfmExtractGraph, buildCfmMelGraph, buildCfmRefEncoderGraph, buildCfmStepGraph, buildCfmTextGraph } from './graph/build-graphs.ts';
import { CFM_ENCP_IO, CFM_MEL_IO, CFM_STEP_IO, CFM_TEXT_IO, SOVITS_EXTRACT_IO, SOVITS_REF_ENCODER_IO } from './io.ts';

export interface WriteCfmOptions {
  readonly dir: string;
  readonly weights: WeightSource;
  readonly dims: CfmDims;
  readonly precision: Precision;
  /** Shared weight file; weights stay inline in each model when omitted. */
  readonly externalData?: ExternalDataFile;
}

export interface WrittenCfmGraphs {
  readonly extract: WrittenModel;
  readonly refEncoder: WrittenModel;
  readonly mel: WrittenModel;
  readonly encp: WrittenModel;
  readonly text: WrittenModel;
  readonly step: WrittenModel;
}

export async function writeCfmGraphs(options: WriteCfmOptions): Promise<WrittenCfmGraphs> {
  const graphOptions = { weights: options.weights, dims: options.dims, precision: options.precision };
  const metadata = { 'gsv.cfm.dims': JSON.stringify(options.dims), 'gsv.precision': options.precision };
  const write = (graph: GraphBuilder, fileName: string): Promise<WrittenModel> =>
    writeModel(graph, {
      dir: options.dir,
      fileName,
      metadata,
      ...(options.externalData === undefined ? {} : { externalData: options.externalData }),
    });
  return {
    extract: await write(buildCfmExtractGraph(graphOptions), SOVITS_EXTRACT_IO.file),
    refEncoder: await write(buildCfmRefEncoderGraph(graphOptions), SOVITS_REF_ENCODER_IO.file),
    mel: await write(buildCfmMelGraph({ version: options.dims.version }), CFM_MEL_IO.file),
    encp: await write(buildCfmEncpGraph(graphOptions), CFM_ENCP_IO.file),
    text: await write(buildCfmTextGraph(graphOptions), CFM_TEXT_IO.file),
    step: await write(buildCfmStepGraph(graphOptions), CFM_STEP_IO.file),
  };
}
