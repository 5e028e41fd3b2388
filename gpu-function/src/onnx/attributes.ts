/**
 * Typed ONNX attributes. A JavaScript number cannot say whether it is an INT or a FLOAT attribute, and onnxruntime
 * rejects a mismatch, so every attribute states its type.
 * @module
 */
import type { HostTensor } from '../tensor/tensor.ts';
import { onnx, type AttributeProto, type GraphProto } from './proto.ts';
import { tensorProto } from './tensor-proto.ts';

export type Attribute =
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'tensor'; readonly value: HostTensor }
  | { readonly kind: 'graph'; readonly value: GraphProto };

export const attr = {
  int: (value: number): Attribute => ({ kind: 'int', value }),
  float: (value: number): Attribute => ({ kind: 'float', value }),
  string: (value: string): Attribute => ({ kind: 'string', value }),
  ints: (value: readonly number[]): Attribute => ({ kind: 'ints', value }),
  floats: (value: readonly number[]): Attribute => ({ kind: 'floats', value }),
  tensor: (value: HostTensor): Attribute => ({ kind: 'tensor', value }),
  graph: (value: GraphProto): Attribute => ({ kind: 'graph', value }),
};

export type Attributes = Readonly<Record<string, Attribute>>;

const TYPE = onnx.AttributeProto.AttributeType;

export function attributeProto(name: string, attribute: Attribute): AttributeProto {
  switch (attribute.kind) {
    case 'int':
      return { name, type: TYPE.INT, i: attribute.value };
    case 'float':
      return { name, type: TYPE.FLOAT, f: attribute.value };
    case 'string':
      return { name, type: TYPE.STRING, s: new TextEncoder().encode(attribute.value) };
    case 'ints':
      return { name, type: TYPE.INTS, ints: [...attribute.value] };
    case 'floats':
      return { name, type: TYPE.FLOATS, floats: [...attribute.value] };
    case 'tensor':
      return { name, type: TYPE.TENSOR, t: tensorProto('value', attribute.value) };
    case 'graph':
      return { name, type: TYPE.GRAPH, g: attribute.value };
  }
}
