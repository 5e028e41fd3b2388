/**
 * The ONNX protobuf schema, from the `onnx-proto` package (protobufjs static code for onnx.proto), and the mapping
 * between our dtypes and ONNX's element types.
 * @module
 */
import onnxProto from 'onnx-proto';
import type { DType } from '../tensor/tensor.ts';

export const onnx = onnxProto.onnx;
export type ModelProto = onnxProto.onnx.IModelProto;
export type GraphProto = onnxProto.onnx.IGraphProto;
export type NodeProto = onnxProto.onnx.INodeProto;
export type TensorProto = onnxProto.onnx.ITensorProto;
export type AttributeProto = onnxProto.onnx.IAttributeProto;
export type ValueInfoProto = onnxProto.onnx.IValueInfoProto;

/** IR version 8 is what ONNX 1.10-1.12 writes; onnxruntime 1.30 reads up to 11. */
export const IR_VERSION = 8;

const ELEMENT_TYPES: Readonly<Record<DType, number>> = {
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  bfloat16: onnx.TensorProto.DataType.BFLOAT16,
  float64: onnx.TensorProto.DataType.DOUBLE,
  int64: onnx.TensorProto.DataType.INT64,
  int32: onnx.TensorProto.DataType.INT32,
  int16: onnx.TensorProto.DataType.INT16,
  int8: onnx.TensorProto.DataType.INT8,
  uint8: onnx.TensorProto.DataType.UINT8,
  bool: onnx.TensorProto.DataType.BOOL,
};

export function elementType(dtype: DType): number {
  return ELEMENT_TYPES[dtype];
}
