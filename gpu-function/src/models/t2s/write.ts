/**
 * Writes the T2S prefill and decode graphs of one checkpoint. Both reference the same weights, so with a shared
 * `ExternalDataFile` each tensor is stored once.
 * @module
 */
import { writeModel, type ExternalDataFile, type WeightSource, type WrittenModel } from '../../onnx/index.ts';
import type { T2sDims, T2sPrecision } from './config.ts';
import { buildT2sDecode, buildT2sResidentDecode } from './decode-graph.ts';
import { T2S_FILES } from './io.ts';
import { buildT2sPrefill } from './prefill-graph.ts';

export interface WrittenT2sGraphs {
  readonly prefill: WrittenModel;
  readonly decode: WrittenModel;
  /** The decode variant that returns the pool, for providers that keep it on the device (io.ts). */
  readonly decodeResident: WrittenModel;
}

/**
 * Writes `t2s-prefill.onnx`, `t2s-decode.onnx` and `t2s-decode-resident.onnx` into `dir`. Weights go to `externalData` when given (the caller
 * closes it), inline otherwise. The dims and precision are stored as model metadata.
 */
export async function writeT2sGraphs(
  dir: string,
  weights: WeightSource,
  dims: T2sDims,
  precision: T2sPrecision,
  externalData?: ExternalDataFile,
): Promise<WrittenT2sGraphs> {
  const metadata = (graph: string): Record<string, string> => ({
    'gsv-edge.graph': graph,
    'gsv-edge.precision': precision,
    'gsv-edge.t2s.dims': JSON.stringify(dims),
  });
  const shared = externalData === undefined ? {} : { externalData };
  const prefill = await writeModel(buildT2sPrefill(weights, dims, precision), { dir, fileName: T2S_FILES.prefill, metadata: metadata('t2s-prefill'), ...shared });
  const decode = await writeModel(buildT2sDecode(weights, dims, precision), { dir, fileName: T2S_FILES.decode, metadata: metadata('t2s-decode'), ...shared });
  const decodeResident = await writeModel(buildT2sResidentDecode(weights, dims, precision), {
    dir,
    fileName: T2S_FILES.decodeResident,
    metadata: metadata('t2s-decode-resident'),
    ...shared,
  });
  return { prefill, decode, decodeResident };
}
