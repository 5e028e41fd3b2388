/**
 * The inference engine: model bundles loaded at start, registered voices, and one loop that steps every bundle's
 * worker (continuous batching of every request in flight). `synthesize` validates and prepares a request (voice,
 * text frontend), hands its segments to the worker and returns the request's audio stream at once.
 *
 * The loop yields to the event loop between steps, so I/O (HTTP, cancellations) interleaves with inference.
 * @module
 */
import { ApiError, type SynthesisParams } from '@gsv-edge/shared';
import { join } from 'node:path';
import type { RuntimeConfig } from '../runtime/config.ts';
import { AudioStream } from './audio-stream.ts';
import { bundleTextFrontend } from './bundle/text-frontend.ts';
import { loadBundle, type LoadedBundle } from './bundle/loaded-bundle.ts';
import { quietTokensFromSimilarity, type QuietTokens } from '../models/t2s/quiet-tokens.ts';
import { ModelWorker, NOISE_SCALE, type RequestWork, type SegmentWork, type StepStats } from './model-worker.ts';
import { T2S_RULES, type T2sSequence } from './scheduler/sequence.ts';
import { DEFAULT_BATCH_LIMITS, type BatchLimits } from './vocoder/batch-plan.ts';
import { TokenChunkStream } from './vocoder/token-stream.ts';
import { VoiceFeatureCache } from './voices/feature-cache.ts';
import { VoiceRegistry, type VoiceModel } from './voices/registry.ts';

export interface EngineLimits {
  /** Sequences decoding at once per bundle (KV pool slots). */
  readonly maxRunning: number;
  readonly maxPrefillBatch: number;
  readonly maxPrefillTokens: number;
  /** KV positions per sequence: prompt phones + prompt tokens + target phones + 1500 generated. */
  readonly maxCacheLength: number;
  readonly vocoder: BatchLimits;
  /** Voices whose features stay in memory. */
  readonly voiceCacheEntries: number;
  /** Semantic tokens one segment may generate (GPT-SoVITS: 1499, about 60 s of audio). */
  readonly maxTokensPerSegment: number;
  /** How long a request may run when it brings no deadline of its own. */
  readonly requestTimeoutMs: number;
}

export const DEFAULT_ENGINE_LIMITS: EngineLimits = {
  maxRunning: 16,
  maxPrefillBatch: 8,
  maxPrefillTokens: 8192,
  maxCacheLength: 4096,
  vocoder: DEFAULT_BATCH_LIMITS,
  voiceCacheEntries: 64,
  maxTokensPerSegment: T2S_RULES.lastStep,
  requestTimeoutMs: 300_000,
};

/** The longest delay `setTimeout` honours; a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface EngineOptions {
  /** Bundle folders (each written by `gsv-edge bundle`). */
  readonly bundles: readonly string[];
  /** Where voices and their cached features live. */
  readonly dataDir: string;
  readonly runtime: RuntimeConfig;
  readonly limits?: Partial<EngineLimits>;
  /** Called after every step of every bundle (metrics, benchmarks, tests). */
  readonly onStep?: (stats: StepStats) => void;
  /** Start-up notices (e.g. frontend data a bundle lacks); stderr by default. */
  readonly log?: (message: string) => void;
}

export interface SynthesisRequest {
  readonly requestId: string;
  readonly params: SynthesisParams;
  /** The seed to use (resolved by `resolveSynthesis`: the caller's, derived from the key, or random). */
  readonly seed: number;
  /** Refuse the request if the voice is no longer this version (the gateway keyed its cache with it). */
  readonly voiceVersion?: string;
  readonly signal?: AbortSignal;
  /** When to give up (epoch ms, as `Date.now()`); start + `requestTimeoutMs` when absent. */
  readonly deadlineMs?: number;
}

interface Model extends VoiceModel {
  readonly worker: ModelWorker;
  /** Tokens GPT-SoVITS treats as quiet, where streaming mode 2 cuts. */
  readonly quietTokens: QuietTokens;
}

export class Engine {
  readonly voices: VoiceRegistry;
  readonly limits: EngineLimits;
  readonly #models: ReadonlyMap<string, Model>;
  readonly #onStep: ((stats: StepStats) => void) | undefined;
  /** Ids of requests still being prepared; once submitted, their worker holds the id (see `isInFlight`). */
  readonly #preparing = new Set<string>();
  #wake: (() => void) | undefined;
  #closed = false;
  readonly #loop: Promise<void>;

  private constructor(voices: VoiceRegistry, models: ReadonlyMap<string, Model>, limits: EngineLimits, onStep: ((stats: StepStats) => void) | undefined) {
    this.voices = voices;
    this.#models = models;
    this.limits = limits;
    this.#onStep = onStep;
    this.#loop = this.#run();
  }

  static async start(options: EngineOptions): Promise<Engine> {
    const limits = { ...DEFAULT_ENGINE_LIMITS, ...options.limits };
    const models = new Map<string, Model>();
    for (const dir of options.bundles) {
      const bundle = await loadBundle(dir, { runtime: options.runtime });
      if (models.has(bundle.manifest.id)) throw new Error(`two bundles are named ${bundle.manifest.id}`);
      const { mute_token: muteToken, values } = bundle.manifest.t2s.mute_similarity;
      models.set(bundle.manifest.id, {
        bundle,
        quietTokens: quietTokensFromSimilarity(Float32Array.from(values), muteToken),
        frontend: await bundleTextFrontend(bundle, options.log ?? ((message) => process.stderr.write(`${message}\n`))),
        worker: new ModelWorker(bundle, {
          scheduler: {
            maxRunning: limits.maxRunning,
            maxPrefillBatch: limits.maxPrefillBatch,
            maxPrefillTokens: limits.maxPrefillTokens,
            maxCacheLength: limits.maxCacheLength,
          },
          vocoder: limits.vocoder,
        }),
      });
    }
    const voices = await VoiceRegistry.open({
      dir: options.dataDir,
      models,
      features: new VoiceFeatureCache({ dir: join(options.dataDir, 'features'), maxEntries: limits.voiceCacheEntries }),
    });
    return new Engine(voices, models, limits, options.onStep);
  }

  /** The loaded bundles: id, manifest hash and output sample rate. */
  get models(): readonly LoadedBundle[] {
    return [...this.#models.values()].map((model) => model.bundle);
  }

  /**
   * Prepares a request and starts it. Rejects with an {@link ApiError} when the request cannot be served (unknown
   * voice, unsupported language, text too long, an id already in flight, a deadline already past); failures later
   * (including the deadline passing) surface through the returned stream.
   */
  async synthesize(request: SynthesisRequest): Promise<AudioStream> {
    const startedAt = performance.now();
    const { requestId } = request;
    // Checked and reserved before the first await, so two concurrent calls with one id cannot both pass.
    if (this.isInFlight(requestId)) {
      throw new ApiError('duplicate_request', `Request "${requestId}" is already in flight; a new request needs a new id.`, { param: 'request_id' });
    }
    const deadline = request.deadlineMs ?? Date.now() + this.limits.requestTimeoutMs;
    if (Date.now() >= deadline) throw deadlineExceeded(requestId);
    this.#preparing.add(requestId);
    try {
      return await this.#start(request, startedAt, deadline);
    } finally {
      // Submitted: the worker holds the id now, until it retires the request. Not submitted: the id is free again.
      this.#preparing.delete(requestId);
    }
  }

  /**
   * Whether a request with this id is in flight: being prepared, or held by a worker (any bundle) until it completes,
   * or until the step after it failed or was cancelled. Its id cannot be used again before then.
   */
  isInFlight(requestId: string): boolean {
    return this.#preparing.has(requestId) || [...this.#models.values()].some((model) => model.worker.has(requestId));
  }

  async #start(request: SynthesisRequest, startedAt: number, deadline: number): Promise<AudioStream> {
    const { params } = request;
    const voice = this.voices.get(params.voice);
    if (voice === undefined) throw new ApiError('voice_not_found', `No voice "${params.voice}".`, { param: 'voice' });
    if (request.voiceVersion !== undefined && request.voiceVersion !== voice.version) {
      throw new ApiError('voice_version_mismatch', `Voice "${voice.id}" changed since this request was keyed; list voices again and retry.`, { param: 'voice' });
    }
    const model = this.#models.get(voice.model);
    if (model === undefined) throw new ApiError('model_not_found', `Voice "${voice.id}" needs model bundle "${voice.model}", which is not loaded.`, { param: 'voice' });
    const features = await this.voices.features(voice);
    const segments = await model.frontend.prepareTarget(params.text, params.text_lang, params.text_split_method);
    if (segments.length === 0) throw new ApiError('invalid_field', '`text` holds nothing speakable after normalization.', { param: 'text' });

    const bertDim = model.bundle.manifest.t2s.dims.bertDim;
    const stream = new AudioStream(model.bundle.manifest.sample_rate);
    const work: RequestWork = {
      id: request.requestId,
      seed: request.seed,
      speed: params.speed,
      fragmentInterval: params.fragment_interval,
      ge: features.ge,
      stream,
      startedAt,
      firstAudioAt: undefined,
      samples: 0,
      stopped: undefined,
      segments: segments.map((segment, index): SegmentWork => {
        const phoneIds = concatInt32(features.promptPhoneIds, segment.phoneIds);
        const bert = new Float32Array(phoneIds.length * bertDim);
        bert.set(features.promptBert);
        bert.set(segment.bert, features.promptBert.length);
        const sequence: T2sSequence = {
          id: index,
          requestId: request.requestId,
          segmentIndex: index,
          arrival: startedAt,
          input: { phoneIds, bert, promptTokens: features.promptTokens },
          sampling: { topK: params.top_k, topP: params.top_p, temperature: params.temperature, repetitionPenalty: params.repetition_penalty },
          seed: request.seed,
          lastStep: this.limits.maxTokensPerSegment,
          status: 'waiting',
          generated: [],
          step: 0,
          slot: -1,
          cacheLength: 0,
        };
        const stream =
          params.chunking.mode === 'tokens'
            ? new TokenChunkStream(
                { requestId: request.requestId, segmentIndex: index, phoneIds: segment.phoneIds, ge: features.ge, speed: params.speed, seed: request.seed, noiseScale: NOISE_SCALE },
                {
                  mode: params.chunking.split,
                  minChunkTokens: params.chunking.min_chunk_length,
                  overlapTokens: params.chunking.overlap_length,
                  quietTokens: model.quietTokens,
                  fragmentInterval: params.fragment_interval,
                },
              )
            : undefined;
        return { index, phoneIds: segment.phoneIds, sequence, stream };
      }),
    };
    // Voice features and the text frontend may have used up the time.
    if (Date.now() >= deadline) throw deadlineExceeded(request.requestId);
    model.worker.submit(work);
    const onAbort = (): void => {
      model.worker.cancel(request.requestId);
      this.#wake?.();
    };
    request.signal?.addEventListener('abort', onAbort);
    const timer = setTimeout(() => {
      model.worker.fail(request.requestId, deadlineExceeded(request.requestId));
      this.#wake?.();
    }, Math.min(deadline - Date.now(), MAX_TIMER_MS));
    // A pending deadline alone must not keep the process alive.
    timer.unref();
    // Once the request is over, neither may touch a later request that reuses its id.
    const settled = (): void => {
      clearTimeout(timer);
      request.signal?.removeEventListener('abort', onAbort);
    };
    void stream.done.then(settled, settled);
    this.#wake?.();
    return stream;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#wake?.();
    await this.#loop;
    for (const model of this.#models.values()) await model.bundle.release();
  }

  async #run(): Promise<void> {
    while (!this.#closed) {
      const busy = [...this.#models.values()].filter((model) => model.worker.hasWork);
      if (busy.length === 0) {
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
        });
        this.#wake = undefined;
        continue;
      }
      for (const model of busy) {
        try {
          const stats = await model.worker.step();
          this.#onStep?.(stats);
        } catch (error) {
          // A bug, not a request's fault: fail every request of this bundle loudly rather than hang them.
          model.worker.failAll(error);
        }
      }
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

function deadlineExceeded(requestId: string): ApiError {
  return new ApiError('deadline_exceeded', `Request "${requestId}" ran past its deadline.`);
}

function concatInt32(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
