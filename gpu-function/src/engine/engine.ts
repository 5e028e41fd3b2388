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
}

export const DEFAULT_ENGINE_LIMITS: EngineLimits = {
  maxRunning: 16,
  maxPrefillBatch: 8,
  maxPrefillTokens: 8192,
  maxCacheLength: 4096,
  vocoder: DEFAULT_BATCH_LIMITS,
  voiceCacheEntries: 64,
  maxTokensPerSegment: T2S_RULES.lastStep,
};

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
   * voice, unsupported language, text too long); failures later surface through the returned stream.
   */
  async synthesize(request: SynthesisRequest): Promise<AudioStream> {
    const startedAt = performance.now();
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
    model.worker.submit(work);
    request.signal?.addEventListener('abort', () => {
      model.worker.cancel(request.requestId);
      this.#wake?.();
    });
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

function concatInt32(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
