/**
 * The engine's public API, for the server, the CLI, benchmarks and tests: start an {@link Engine} on model bundles,
 * register voices, synthesize into an {@link AudioStream} of float PCM, and shut down (`close({ graceMs })`).
 * Imported as `@gsv-edge/gpu-function/engine`; it runs under plain Node 22 (type stripping), no bundler needed.
 * @module
 */
export { DEFAULT_ENGINE_LIMITS, Engine, RUNAWAY_MIN_TOKENS, type CloseOptions, type EngineLimits, type EngineOptions, type EngineStats, type SynthesisRequest } from './engine.ts';
export { AudioStream, type StreamInfo, type SynthesisSummary } from './audio-stream.ts';
export type { StepStats } from './model-worker.ts';
export type { LoadedBundle } from './bundle/loaded-bundle.ts';
export { BundleLoadError } from './bundle/loaded-bundle.ts';
export type { VoiceRegistry, VoiceSource } from './voices/registry.ts';
export type { BatchLimits } from './vocoder/batch-plan.ts';
export { DEFAULT_RUNTIME_CONFIG, runtimeConfigFromEnv, type ExecutionProvider, type RuntimeConfig } from '../runtime/config.ts';
