import { bfloat16ToFloat32, float16ToFloat32 } from './half.ts';
import { tensor, type HostTensor } from './tensor.ts';

/** Upcasts any floating tensor to float32 (GPT-SoVITS checkpoints are fp16; ONNX graphs compute in fp32). */
export function toFloat32(input: HostTensor): HostTensor<'float32'> {
  switch (input.dtype) {
    case 'float32':
      return input as HostTensor<'float32'>;
    case 'float16':
      return tensor('float32', input.shape, float16ToFloat32(input.data as Uint16Array));
    case 'bfloat16':
      return tensor('float32', input.shape, bfloat16ToFloat32(input.data as Uint16Array));
    case 'float64':
      return tensor('float32', input.shape, Float32Array.from(input.data as Float64Array));
    default:
      throw new TypeError(`cannot convert a ${input.dtype} tensor to float32`);
  }
}

/** Upcasts any floating tensor to float64, for the reference forwards. */
export function toFloat64(input: HostTensor): HostTensor<'float64'> {
  if (input.dtype === 'float64') return input as HostTensor<'float64'>;
  return tensor('float64', input.shape, Float64Array.from(toFloat32(input).data));
}
