export * from './convert.ts';
export * from './half.ts';
export * from './tensor.ts';
export { MemoryTensorStore } from './memory-store.ts';
export { parseNpy, readNpy } from './npy.ts';
