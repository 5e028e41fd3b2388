/**
 * How onnxruntime sessions are created, in one place: execution provider, threads, graph optimization.
 * @module
 */

export type ExecutionProvider = 'cpu' | 'cuda' | 'webgpu';
export type GraphOptimization = 'disabled' | 'basic' | 'extended' | 'all';

export interface RuntimeConfig {
  readonly executionProvider: ExecutionProvider;
  /** Threads inside one operator; 0 lets onnxruntime use every core. */
  readonly intraOpThreads: number;
  readonly graphOptimization: GraphOptimization;
  /** CUDA device ordinal. */
  readonly deviceId: number;
}

export const DEFAULT_RUNTIME_CONFIG: RuntimeConfig = {
  executionProvider: 'cpu',
  intraOpThreads: 0,
  graphOptimization: 'all',
  deviceId: 0,
};

const PROVIDERS: readonly ExecutionProvider[] = ['cpu', 'cuda', 'webgpu'];

/** Reads `ORT_EP`, `ORT_THREADS` and `ORT_DEVICE_ID`; a wrong value is a startup error, never a silent fallback. */
export function runtimeConfigFromEnv(env: Readonly<Record<string, string | undefined>>): RuntimeConfig {
  const provider = env['ORT_EP'] ?? DEFAULT_RUNTIME_CONFIG.executionProvider;
  if (!PROVIDERS.includes(provider as ExecutionProvider)) {
    throw new RangeError(`ORT_EP must be one of ${PROVIDERS.join(', ')}, got "${provider}"`);
  }
  const threads = Number(env['ORT_THREADS'] ?? '0');
  if (!Number.isInteger(threads) || threads < 0) throw new RangeError(`ORT_THREADS must be a non-negative integer`);
  const deviceId = Number(env['ORT_DEVICE_ID'] ?? '0');
  if (!Number.isInteger(deviceId) || deviceId < 0) throw new RangeError(`ORT_DEVICE_ID must be a non-negative integer`);
  return { ...DEFAULT_RUNTIME_CONFIG, executionProvider: provider as ExecutionProvider, intraOpThreads: threads, deviceId };
}
