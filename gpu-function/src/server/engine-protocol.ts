/**
 * The messages between the server's main thread (HTTP, cancellation, metrics) and the engine's worker thread
 * (onnxruntime's `session.run()` is a synchronous native call that would otherwise block every socket for the length
 * of a step). Audio crosses as transferred Float32Array buffers, errors as envelopes.
 * @module
 */
import type { CreateVoiceRequest, ErrorCode, ModelInfo, SynthesisParams, VoiceInspection } from '@gsv-edge/shared';
import type { EngineLimits, EngineStats, RuntimeConfig, StepStats, StreamInfo, SynthesisSummary } from '../engine/index.ts';
import type { GraphRunTotals } from '../runtime/transfer.ts';

/**
 * The engine's statistics plus the runtime's per-graph totals (runs, onnxruntime time, host↔device bytes) and the
 * engine thread's own V8 heap (the HTTP thread's metrics see only theirs).
 */
export type ThreadStats = EngineStats & { readonly graphs: readonly GraphRunTotals[]; readonly heap: { readonly usedBytes: number; readonly externalBytes: number } };

/** What the engine thread needs to start (structured-cloned into it). */
export interface EngineThreadConfig {
  readonly bundles: readonly string[];
  readonly dataDir: string;
  readonly runtime: RuntimeConfig;
  readonly limits: Partial<EngineLimits>;
  /** Where voices this function has not seen are fetched from; `null` when it runs without a gateway. */
  readonly gateway: { readonly url: string; readonly secret: string } | null;
}

export interface ThreadSynthesisRequest {
  readonly requestId: string;
  readonly params: SynthesisParams;
  readonly seed: number;
  readonly voiceVersion: string;
  readonly deadlineMs: number;
}

/** An error as it crosses the thread boundary. */
export interface ThreadError {
  readonly code: ErrorCode;
  readonly message: string;
  readonly param: string | null;
  readonly retryAfterSeconds?: number;
}

export type HostMessage =
  | { readonly type: 'synthesize'; readonly id: string; readonly request: ThreadSynthesisRequest }
  | { readonly type: 'cancel'; readonly id: string }
  | { readonly type: 'inspect'; readonly id: string; readonly upload: CreateVoiceRequest }
  | { readonly type: 'stats'; readonly id: string }
  | { readonly type: 'close'; readonly graceMs: number };

export type ThreadMessage =
  | { readonly type: 'ready'; readonly models: readonly ModelInfo[] }
  | { readonly type: 'fatal'; readonly message: string }
  | { readonly type: 'started'; readonly id: string; readonly info: StreamInfo }
  | { readonly type: 'chunk'; readonly id: string; readonly samples: Float32Array }
  | { readonly type: 'done'; readonly id: string; readonly summary: SynthesisSummary }
  | { readonly type: 'failed'; readonly id: string; readonly error: ThreadError }
  | { readonly type: 'inspected'; readonly id: string; readonly inspection: VoiceInspection }
  | { readonly type: 'stats'; readonly id: string; readonly stats: ThreadStats }
  | { readonly type: 'step'; readonly stats: StepStats }
  | { readonly type: 'log'; readonly message: string }
  | { readonly type: 'closed' };
