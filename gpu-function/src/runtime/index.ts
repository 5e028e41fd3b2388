export * from './config.ts';
export { DeviceTensor, ModelSession, type DeviceFeeds, type Feeds, type ModelSessionOptions, type SessionStats } from './session.ts';
export { countTransfer, crossesBoundary, graphRunTotals, NO_TRANSFER, type GraphRunTotals, type TensorLocation, type TensorPlacement, type TransferCount } from './transfer.ts';
