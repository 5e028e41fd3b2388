/**
 * Writes a built graph as an `.onnx` file, loading each weight from its checkpoint only now, converting it to the
 * graph's precision and streaming it to an external data file, so peak memory stays near one tensor.
 * @module
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { float32ToFloat16 } from '../tensor/half.ts';
import { toFloat32 } from '../tensor/convert.ts';
import { DTYPE_BYTES, formatShape, type HostTensor } from '../tensor/tensor.ts';
import type { ExternalDataFile } from './external-data.ts';
import { DEFAULT_OPSET, MICROSOFT_DOMAIN, type GraphBuilder, type PendingWeight } from './graph-builder.ts';
import { elementType, IR_VERSION, onnx, type ModelProto, type TensorProto } from './proto.ts';
import { tensorProto } from './tensor-proto.ts';

export interface WriteModelOptions {
  readonly dir: string;
  readonly fileName: string;
  /** Shared weight file; weights stay inline in the model when omitted. */
  readonly externalData?: ExternalDataFile;
  /** Tensors smaller than this stay inline even with external data. */
  readonly inlineBelowBytes?: number;
  readonly opset?: number;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly onWeight?: (name: string) => void;
}

export interface WrittenModel {
  readonly path: string;
  readonly bytes: number;
}

export async function writeModel(graph: GraphBuilder, options: WriteModelOptions): Promise<WrittenModel> {
  const initializers: TensorProto[] = [];
  for (const pending of graph.pendingWeights) {
    initializers.push(await weightProto(graph, pending, options));
    options.onWeight?.(pending.name);
  }
  const graphProto = graph.toGraphProto();
  const model: ModelProto = {
    irVersion: IR_VERSION,
    producerName: 'gsv-edge',
    opsetImport: graph.domains.map((domain) => ({
      domain,
      version: domain === MICROSOFT_DOMAIN ? 1 : (options.opset ?? DEFAULT_OPSET),
    })),
    graph: { ...graphProto, initializer: [...(graphProto.initializer ?? []), ...initializers] },
    metadataProps: Object.entries(options.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
  const bytes = onnx.ModelProto.encode(model).finish();
  const path = join(options.dir, options.fileName);
  await writeFile(path, bytes);
  return { path, bytes: bytes.length };
}

/** Serializes a graph with inline weights into memory, for tests and tiny models. */
export async function encodeModel(graph: GraphBuilder, opset = DEFAULT_OPSET): Promise<Uint8Array> {
  const initializers: TensorProto[] = [];
  for (const pending of graph.pendingWeights) {
    initializers.push(tensorProto(pending.name, await loadConverted(graph, pending)));
  }
  const graphProto = graph.toGraphProto();
  return onnx.ModelProto.encode({
    irVersion: IR_VERSION,
    producerName: 'gsv-edge',
    opsetImport: graph.domains.map((domain) => ({ domain, version: domain === MICROSOFT_DOMAIN ? 1 : opset })),
    graph: { ...graphProto, initializer: [...(graphProto.initializer ?? []), ...initializers] },
  }).finish();
}

async function weightProto(graph: GraphBuilder, pending: PendingWeight, options: WriteModelOptions): Promise<TensorProto> {
  const external = options.externalData;
  const key = `${pending.name}:${pending.dtype}`;
  const known = external?.get(key);
  if (external !== undefined && known !== undefined) return externalProto(pending, external.fileName, known);
  const value = await loadConverted(graph, pending);
  const byteLength = value.data.length * DTYPE_BYTES[value.dtype];
  if (external === undefined || byteLength < (options.inlineBelowBytes ?? 1024)) return tensorProto(pending.name, value);
  const span = await external.put(key, new Uint8Array(value.data.buffer, value.data.byteOffset, byteLength));
  return externalProto(pending, external.fileName, span);
}

function externalProto(pending: PendingWeight, location: string, span: { offset: number; length: number }): TensorProto {
  return {
    name: pending.name,
    dims: [...pending.shape],
    dataType: elementType(pending.dtype),
    dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [
      { key: 'location', value: location },
      { key: 'offset', value: String(span.offset) },
      { key: 'length', value: String(span.length) },
    ],
  };
}

async function loadConverted(graph: GraphBuilder, pending: PendingWeight): Promise<HostTensor> {
  const source = graph.weightSource;
  if (source === undefined) throw new Error(`graph ${graph.name} has no weight source for ${pending.name}`);
  const loaded = await source.read(pending.name);
  if (formatShape(loaded.shape) !== formatShape(pending.shape)) {
    throw new Error(`tensor ${pending.name} has shape ${formatShape(loaded.shape)}, expected ${formatShape(pending.shape)}`);
  }
  if (pending.dtype === loaded.dtype) return loaded;
  if (pending.dtype === 'float32') return toFloat32(loaded);
  if (pending.dtype === 'float16') {
    return { dtype: 'float16', shape: loaded.shape, data: float32ToFloat16(toFloat32(loaded).data) };
  }
  throw new Error(`tensor ${pending.name} is ${loaded.dtype}; cannot store it as ${pending.dtype}`);
}
