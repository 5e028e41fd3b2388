export { attr, type Attribute, type Attributes } from './attributes.ts';
export { ExternalDataFile, type ExternalSpan } from './external-data.ts';
export { DEFAULT_OPSET, GraphBuilder, MICROSOFT_DOMAIN, type GraphBuilderOptions, type PendingWeight } from './graph-builder.ts';
export { Ops } from './ops.ts';
export type { Dim, Precision, Value, WeightSource } from './values.ts';
export { encodeModel, writeModel, type WriteModelOptions, type WrittenModel } from './writer.ts';
