export * from './config.ts';
export { ModelSession, type Feeds } from './session.ts';
