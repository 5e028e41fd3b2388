import { DTYPE_BYTES, type HostTensor } from '../tensor/tensor.ts';
import { elementType, type TensorProto } from './proto.ts';

/** An inline TensorProto (raw little-endian bytes), for constants and small initializers. */
export function tensorProto(name: string, value: HostTensor): TensorProto {
  const bytes = new Uint8Array(value.data.buffer, value.data.byteOffset, value.data.length * DTYPE_BYTES[value.dtype]);
  return { name, dims: [...value.shape], dataType: elementType(value.dtype), rawData: bytes };
}
