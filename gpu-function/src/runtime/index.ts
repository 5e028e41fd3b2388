export * from './config.ts';
export { ModelSession, type Feeds, type SessionStats } from './session.ts';
export { countTransfer, crossesBoundary, graphRunTotals, NO_TRANSFER, type GraphRunTotals, type TensorLocation, type TensorPlacement, type TransferCount } from './transfer.ts';
