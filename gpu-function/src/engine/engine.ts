/**
 * The inference engine: model bundles loaded at start, registered voices, and one loop that steps every bundle's
 * worker (continuous batching of every request in flight). `synthesize` validates and prepares a request (voice,
 * text frontend), hands its segments to the worker and returns the request's audio stream at once.
 *
 * The loop yields to the event loop between steps, so I/O (HTTP, cancellations) interleaves with inference.
 *
 * Shutting down: `close({ graceMs })` stops accepting at once (new requests and voice registrations fail with
 * `not_ready`, 503), lets the requests in flight run for up to `graceMs`, fails those still running with `not_ready`,
 * then releases the bundles. A server drains by calling it with its grace period when told to stop (and may call it
 * again with a shorter one, e.g. on a second signal); `accepting` and `inFlight` feed its readiness checks and logs.
 * @module
 */
import { ApiError, MAX_SEED, parseOrThrow, RANDOM_SEED, synthesisParamsSchema, ttsRequestSchema, type SynthesisParams } from '@gsv-edge/shared';
import { join } from 'node:path';
import { floatToPcm16 } from '../audio/pcm.ts';
import { encodeWav } from '../audio/wav.ts';
import type { RuntimeConfig } from '../runtime/config.ts';
import { AudioStream } from './audio-stream.ts';
import { bundleTextFrontend } from './bundle/text-frontend.ts';
import { loadBundle, type LoadedBundle } from './bundle/loaded-bundle.ts';
import { quietTokensFromSimilarity, type QuietTokens } from '../models/t2s/quiet-tokens.ts';
import { ModelWorker, NOISE_SCALE, type RequestWork, type SegmentWork, type StepStats } from './model-worker.ts';
import { T2S_RULES, type T2sSequence } from './scheduler/sequence.ts';
import { CPU_BATCH_LIMITS, vocoderBatchLimits, type BatchLimits } from './vocoder/batch-plan.ts';
import { checkVocoderShare, DEFAULT_VOCODER_SHARE } from './vocoder/pacer.ts';
import { DEFAULT_CHUNK_GROWTH, type ChunkGrowth } from './vocoder/chunk-policy.ts';
import { TokenChunkStream } from './vocoder/token-stream.ts';
import { VoiceFeatureCache } from './voices/feature-cache.ts';
import type { VoiceFeatures } from './voices/features.ts';
import { VoiceRegistry, type VoiceModel, type VoiceSource } from './voices/registry.ts';

export interface EngineLimits {
  /** Sequences decoding at once per bundle (KV pool slots). */
  readonly maxRunning: number;
  readonly maxPrefillBatch: number;
  readonly maxPrefillTokens: number;
  /** KV positions per sequence: prompt phones + prompt tokens + target phones + 1500 generated. */
  readonly maxCacheLength: number;
  /** Items per vocoder call and their lengths; by default chosen per execution provider (`vocoderBatchLimits`). */
  readonly vocoder: BatchLimits;
  /**
   * Share of wall time the vocoder may take while requests decode, in (0, 1] (vocoder/pacer.ts): 0.5 alternates the
   * two in about equal time; 1 vocodes every finished segment in the step it finishes, stalling decoding meanwhile.
   */
  readonly vocoderShare: number;
  /**
   * How token-chunk streams (modes 2-3) grow their chunks after the first `min_chunk_length` tokens
   * (vocoder/chunk-policy.ts); `{ growth: 1, ... }` keeps every chunk at `min_chunk_length`, as GPT-SoVITS does.
   */
  readonly streamChunkGrowth: ChunkGrowth;
  /** Voices whose features stay in memory; others are read back from their files when used. */
  readonly voiceCacheEntries: number;
  /** Bytes of voice features kept in memory, whatever the number of voices. */
  readonly voiceCacheBytes: number;
  /** With a voice source (the gateway): voice definitions kept in memory; the rest are fetched again when named. */
  readonly voiceDefinitions: number;
  /** Semantic tokens one segment may generate (GPT-SoVITS: 1499, about 60 s of audio). */
  readonly maxTokensPerSegment: number;
  /** How long a request may run when it brings no deadline of its own. */
  readonly requestTimeoutMs: number;
  /**
   * The runaway guard: a segment stops after this many semantic tokens per target phone (at least
   * {@link RUNAWAY_MIN_TOKENS}), far past what speech needs (about 2 tokens per phone at 25 tokens/s), because a model
   * that never emits end-of-sequence would otherwise talk for 1499 tokens, a minute per segment. 0 turns it off.
   */
  readonly runawayTokensPerPhone: number;
}

/** The runaway guard never cuts a segment shorter than this (2 s of audio). */
export const RUNAWAY_MIN_TOKENS = 50;

export const DEFAULT_ENGINE_LIMITS: EngineLimits = {
  maxRunning: 16,
  maxPrefillBatch: 8,
  maxPrefillTokens: 8192,
  maxCacheLength: 4096,
  vocoder: CPU_BATCH_LIMITS,
  vocoderShare: DEFAULT_VOCODER_SHARE,
  streamChunkGrowth: DEFAULT_CHUNK_GROWTH,
  voiceCacheEntries: 64,
  voiceCacheBytes: 256 * 1024 * 1024,
  voiceDefinitions: 10_000,
  maxTokensPerSegment: T2S_RULES.lastStep,
  runawayTokensPerPhone: 12,
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
  /** Start-up notices (frontend data or BERT a bundle lacks, voice definition files skipped); stderr by default. */
  readonly log?: (message: string) => void;
  /** Where voices this function has not seen are fetched from (the gateway); without one, voices are registered here. */
  readonly voiceSource?: VoiceSource;
}

/**
 * One synthesis. The engine produces mono float PCM at the bundle's sample rate (see {@link AudioStream}); it does not
 * encode.
 */
export interface SynthesisRequest {
  /** Names the request while it runs: a second request with this id is refused until the first is over. */
  readonly requestId: string;
  /**
   * The normalized request (`synthesisParamsSchema`, checked again here: `invalid_field` naming the field). Two of its
   * fields are not the engine's to act on:
   * - `format` is ignored: the engine always produces float PCM; encoding it into `format` is the server's job.
   * - `seed` is the client's original choice (`null`: derive from the synthesis key, `-1`: random, otherwise the seed
   *   itself); the engine samples with {@link SynthesisRequest.seed}, which must equal `params.seed` when the client
   *   named one (a conflict is refused, never silently resolved).
   */
  readonly params: SynthesisParams;
  /**
   * The seed the engine uses: an integer from 0 to 2^32 − 1 (`invalid_field`, param `seed`, before anything runs,
   * otherwise). The caller resolves it with `resolveSynthesis` (shared): `params.seed` when the client gave one,
   * derived from the synthesis key when `params.seed` is `null`, random when it is `-1`. This is the seed that wins.
   */
  readonly seed: number;
  /** Refuse the request if the voice is no longer this version (the gateway keyed its cache with it). */
  readonly voiceVersion?: string;
  readonly signal?: AbortSignal;
  /** When to give up (epoch ms, as `Date.now()`); start + `requestTimeoutMs` when absent. */
  readonly deadlineMs?: number;
}

/** What the engine holds right now, for metrics and readiness. */
export interface EngineStats {
  /** Requests accepted and not over yet. */
  readonly inFlight: number;
  readonly models: readonly {
    readonly model: string;
    /** Segments waiting for a KV slot. */
    readonly waiting: number;
    /** Segments decoding (the running batch). */
    readonly running: number;
    readonly slots: number;
    /** KV pool slots held by a sequence now (each running segment holds one). */
    readonly slotsInUse: number;
    /** Bytes the KV pool holds. */
    readonly kvBytes: number;
    readonly vocoderQueue: number;
  }[];
  /** Voice feature lookups since start, and what the cache holds in memory now. */
  readonly featureCache: { readonly hits: number; readonly misses: number; readonly entries: number; readonly bytes: number };
  /** Voice definitions held in memory. */
  readonly voiceDefinitions: number;
}

export interface CloseOptions {
  /**
   * How long requests in flight may keep running before they are failed with `not_ready` (ms; default 0: fail them
   * at once; `Infinity`: wait for all of them). Delays past about 24.8 days (the longest timer) end then.
   */
  readonly graceMs?: number;
}

/** `open`: accepting; `draining`: refusing new work while requests in flight finish; `closed`: stopped. */
type EngineState = 'open' | 'draining' | 'closed';

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
  /** One promise per accepted request, settling once it is over (refused while prepared, or its stream settled). */
  readonly #active = new Set<Promise<void>>();
  #wake: (() => void) | undefined;
  #state: EngineState = 'open';
  #closing: Promise<void> | undefined;
  /** Ends the grace period of `close` (set by the first `close`). */
  #endGrace: (() => void) | undefined;
  #graceEndsAt = Infinity;
  #graceTimer: NodeJS.Timeout | undefined;
  readonly #loop: Promise<void>;

  readonly #features: VoiceFeatureCache;

  private constructor(
    voices: VoiceRegistry,
    features: VoiceFeatureCache,
    models: ReadonlyMap<string, Model>,
    limits: EngineLimits,
    onStep: ((stats: StepStats) => void) | undefined,
  ) {
    this.voices = voices;
    this.#features = features;
    this.#models = models;
    this.limits = limits;
    this.#onStep = onStep;
    this.#loop = this.#run();
  }

  static async start(options: EngineOptions): Promise<Engine> {
    // The vocoder's batch limits follow the provider unless the caller chose them (vocoder/batch-plan.ts says why).
    const limits = { ...DEFAULT_ENGINE_LIMITS, vocoder: vocoderBatchLimits(options.runtime.executionProvider), ...options.limits };
    checkVocoderShare(limits.vocoderShare);
    const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
    const models = new Map<string, Model>();
    for (const dir of options.bundles) {
      const bundle = await loadBundle(dir, { runtime: options.runtime });
      if (models.has(bundle.manifest.id)) throw new Error(`two bundles are named ${bundle.manifest.id}`);
      const { mute_token: muteToken, values } = bundle.manifest.t2s.mute_similarity;
      models.set(bundle.manifest.id, {
        bundle,
        quietTokens: quietTokensFromSimilarity(Float32Array.from(values), muteToken),
        frontend: await bundleTextFrontend(bundle, log),
        worker: new ModelWorker(bundle, {
          scheduler: {
            maxRunning: limits.maxRunning,
            maxPrefillBatch: limits.maxPrefillBatch,
            maxPrefillTokens: limits.maxPrefillTokens,
            maxCacheLength: limits.maxCacheLength,
          },
          vocoder: limits.vocoder,
          vocoderShare: limits.vocoderShare,
        }),
      });
    }
    const features = new VoiceFeatureCache({ dir: join(options.dataDir, 'features'), maxEntries: limits.voiceCacheEntries, maxBytes: limits.voiceCacheBytes, log });
    await features.removeLeftovers();
    const voices = await VoiceRegistry.open({
      dir: options.dataDir,
      models,
      features,
      log,
      maxDefinitions: limits.voiceDefinitions,
      ...(options.voiceSource === undefined ? {} : { source: options.voiceSource }),
    });
    return new Engine(voices, features, models, limits, options.onStep);
  }

  /** The loaded bundles: id, manifest hash and output sample rate. */
  get models(): readonly LoadedBundle[] {
    return [...this.#models.values()].map((model) => model.bundle);
  }

  /** Whether new requests are taken: false from the first `close` on. */
  get accepting(): boolean {
    return this.#state === 'open';
  }

  /** Requests accepted and not over yet (being prepared, or with a stream that has not settled). */
  get inFlight(): number {
    return this.#active.size;
  }

  stats(): EngineStats {
    return {
      inFlight: this.inFlight,
      models: [...this.#models.values()].map(({ bundle, worker }) => ({
        model: bundle.manifest.id,
        waiting: worker.scheduler.waiting.length,
        running: worker.scheduler.running.length,
        slots: worker.runner.pool.shape.slots,
        slotsInUse: worker.scheduler.slotsInUse,
        kvBytes: worker.runner.pool.bytes,
        vocoderQueue: worker.vocoderQueue,
      })),
      featureCache: { hits: this.#features.hits, misses: this.#features.misses, entries: this.#features.entries, bytes: this.#features.bytes },
      voiceDefinitions: this.voices.size,
    };
  }

  /**
   * Prepares a request and starts it. Rejects with an {@link ApiError} when the request cannot be served (invalid
   * parameters or seed, unknown voice, unsupported language, text too long, an id already in flight, a deadline
   * already past, the engine shutting down); failures later (including the deadline passing, or the engine closing
   * before it finished) surface through the returned stream.
   */
  async synthesize(request: SynthesisRequest): Promise<AudioStream> {
    const startedAt = performance.now();
    const { requestId } = request;
    if (this.#state !== 'open') throw new ApiError('not_ready', 'The engine is shutting down and takes no new requests; retry elsewhere.');
    checkRequest(request);
    // Checked and reserved before the first await, so two concurrent calls with one id cannot both pass.
    if (this.isInFlight(requestId)) {
      throw new ApiError('duplicate_request', `Request "${requestId}" is already in flight; a new request needs a new id.`, { param: 'request_id' });
    }
    const deadline = request.deadlineMs ?? Date.now() + this.limits.requestTimeoutMs;
    if (Date.now() >= deadline) throw deadlineExceeded(requestId);
    this.#preparing.add(requestId);
    const starting = this.#start(request, startedAt, deadline);
    const over = starting.then(async (stream) => stream.done).then(
      () => undefined,
      () => undefined,
    );
    this.#active.add(over);
    void over.then(() => this.#active.delete(over));
    try {
      return await starting;
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
    const voice = await this.voices.resolve(request.params.voice, request.voiceVersion);
    const model = this.#models.get(voice.model);
    if (model === undefined) throw new ApiError('model_not_found', `Voice "${voice.id}" needs model bundle "${voice.model}", which is not loaded.`, { param: 'voice' });
    const features = await this.voices.features(voice);
    return this.#submit(request, model, features, voice.version, startedAt, deadline);
  }

  /**
   * Runs one short synthesis per bundle, on features of a generated reference clip, so that the first real request
   * does not pay for what a graph's first runs cost (allocations, kernel selection on a GPU), nor for the text
   * frontend's first use of a language: the target is Mandarin mixed with English, which loads both languages' data
   * and runs BERT (an English-only warm-up left 200–300 ms of Mandarin dictionary loading and BERT's first run to the
   * first Mandarin request: bench/engine/warm-start.ts). Nothing is stored.
   */
  async warmUp(): Promise<void> {
    for (const model of this.#models.values()) {
      if (model.bundle.sessions.hubert === undefined) continue;
      const features = await this.voices.transientFeatures(model.bundle.manifest.id, warmUpClip(model.bundle.manifest.sample_rate), WARM_UP_TEXT, 'en');
      const params = { ...parseOrThrow(ttsRequestSchema(), { text: WARM_UP_TARGET, voice: 'warm-up', text_lang: 'zh' }).params };
      const requestId = `warm-up-${model.bundle.manifest.id}`;
      const stream = await this.#submit({ requestId, params, seed: 1 }, model, features, 'warm-up', performance.now(), Date.now() + this.limits.requestTimeoutMs);
      await stream.collect();
    }
  }

  async #submit(request: SynthesisRequest, model: Model, features: VoiceFeatures, voiceVersion: string, startedAt: number, deadline: number): Promise<AudioStream> {
    const { params } = request;
    const segments = await model.frontend.prepareTarget(params.text, params.text_lang, params.text_split_method);
    if (segments.length === 0) throw new ApiError('invalid_field', '`text` holds nothing speakable after normalization.', { param: 'text' });

    const bertDim = model.bundle.manifest.t2s.dims.bertDim;
    const cfm = this.#cfmWork(model, features, params.sample_steps);
    // As GPT-SoVITS: v3/v4 cannot stream inside a segment, so token-chunk streaming falls back to whole segments.
    const chunking = cfm === undefined ? params.chunking : { mode: 'segment' as const };
    const stream = new AudioStream({
      requestId: request.requestId,
      model: model.bundle.manifest.id,
      modelSha256: model.bundle.sha256,
      sampleRate: model.bundle.manifest.sample_rate,
      voiceVersion,
    });
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
      runawaySegments: 0,
      stopped: undefined,
      ...(cfm === undefined ? {} : { cfm }),
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
          ...this.#lastStep(segment.phoneIds.length),
          status: 'waiting',
          generated: [],
          step: 0,
          slot: -1,
          cacheLength: 0,
        };
        const stream =
          chunking.mode === 'tokens'
            ? new TokenChunkStream(
                { requestId: request.requestId, segmentIndex: index, phoneIds: segment.phoneIds, ge: features.ge, speed: params.speed, seed: request.seed, noiseScale: NOISE_SCALE },
                {
                  mode: chunking.split,
                  minChunkTokens: chunking.min_chunk_length,
                  growth: this.limits.streamChunkGrowth,
                  overlapTokens: chunking.overlap_length,
                  quietTokens: model.quietTokens,
                  fragmentInterval: params.fragment_interval,
                },
              )
            : undefined;
        return { index, phoneIds: segment.phoneIds, sequence, stream };
      }),
    };
    // Voice features and the text frontend may have used up the time, or the engine may have closed meanwhile.
    if (Date.now() >= deadline) throw deadlineExceeded(request.requestId);
    if (this.#state === 'closed') throw shutDown(request.requestId);
    model.worker.submit(work);
    const onAbort = (): void => {
      model.worker.cancel(request.requestId);
      this.#wake?.();
    };
    request.signal?.addEventListener('abort', onAbort);
    // Aborted while it was being prepared (its voice fetched, its text read): it leaves at the first step.
    if (request.signal?.aborted === true) onAbort();
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

  /** v3/v4: the voice's CFM prompt and the Euler steps (the request's, else the bundle's default); none for VITS models. */
  #cfmWork(model: Model, features: VoiceFeatures, sampleSteps: number | undefined): RequestWork['cfm'] {
    const cfm = model.bundle.manifest.cfm;
    if (cfm === null) return undefined;
    if (features.cfmPrompt === undefined) {
      throw new ApiError('synthesis_failed', `The voice's features for model bundle "${model.bundle.manifest.id}" lack the CFM prompt a ${model.bundle.manifest.gpt_sovits_version} model needs.`);
    }
    return { prompt: features.cfmPrompt, steps: sampleSteps ?? cfm.sample_steps };
  }

  /** Where a segment of `phones` target phones stops without end-of-sequence (the runaway guard, or the cap). */
  #lastStep(phones: number): { lastStep: number; runawayGuard: boolean } {
    const { maxTokensPerSegment, runawayTokensPerPhone } = this.limits;
    if (runawayTokensPerPhone === 0) return { lastStep: maxTokensPerSegment, runawayGuard: false };
    const guard = Math.max(RUNAWAY_MIN_TOKENS, Math.ceil(phones * runawayTokensPerPhone));
    return guard < maxTokensPerSegment ? { lastStep: guard, runawayGuard: true } : { lastStep: maxTokensPerSegment, runawayGuard: false };
  }

  /**
   * Shuts the engine down. At once: new `synthesize` calls and voice registrations reject with `not_ready` (503).
   * Requests in flight keep running for up to `graceMs` (default 0); those still running then fail with `not_ready`
   * (their streams settle). Resolves once the loop has stopped and the bundles are released. Calling it again returns
   * the same shutdown, shortening the grace period if the new one ends sooner.
   */
  async close(options: CloseOptions = {}): Promise<void> {
    const graceMs = options.graceMs ?? 0;
    if (!(graceMs >= 0)) throw new RangeError(`graceMs must be a non-negative number of milliseconds, got ${String(graceMs)}`);
    if (this.#closing === undefined) {
      this.#state = 'draining';
      const graceOver = new Promise<void>((resolve) => {
        this.#endGrace = resolve;
      });
      this.#closing = this.#shutDown(graceOver);
    }
    this.#shortenGrace(graceMs);
    return this.#closing;
  }

  #shortenGrace(graceMs: number): void {
    const endsAt = Date.now() + graceMs;
    if (this.#state !== 'draining' || endsAt >= this.#graceEndsAt) return;
    this.#graceEndsAt = endsAt;
    clearTimeout(this.#graceTimer);
    if (graceMs === 0) {
      this.#endGrace?.();
      return;
    }
    this.#graceTimer = setTimeout(() => this.#endGrace?.(), Math.min(graceMs, MAX_TIMER_MS));
    // A grace period alone must not keep the process alive; the requests it waits for do.
    this.#graceTimer.unref();
  }

  async #shutDown(graceOver: Promise<void>): Promise<void> {
    const registrations = this.voices.close();
    // Nothing new is accepted, so the requests in flight are those in #active now.
    await Promise.race([this.#allOver(), graceOver]);
    clearTimeout(this.#graceTimer);
    this.#state = 'closed';
    for (const model of this.#models.values()) model.worker.failEach(shutDown);
    // Requests still being prepared (voice features, text frontend) may be running the bundles' sessions: they are
    // refused when they reach submission, and the sessions are released only after that, as after registrations.
    await this.#allOver();
    await registrations;
    this.#wake?.();
    await this.#loop;
    for (const model of this.#models.values()) await model.bundle.release();
  }

  async #allOver(): Promise<void> {
    await Promise.all([...this.#active]);
  }

  async #run(): Promise<void> {
    while (this.#state !== 'closed') {
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

const WARM_UP_TEXT = 'Warming up.';
/** GPT-SoVITS's `zh` mode reads Mandarin and English alike. */
const WARM_UP_TARGET = '预热一下。Warming up.';

/** Four seconds of a voiced tone at the bundle's rate, as a WAV file (what a reference upload is). */
function warmUpClip(rate: number): Uint8Array {
  const samples = Float32Array.from({ length: 4 * rate }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 160 * i) / rate) * (0.6 + 0.4 * Math.sin((2 * Math.PI * 3 * i) / rate)));
  return encodeWav(floatToPcm16(samples), rate);
}

function deadlineExceeded(requestId: string): ApiError {
  return new ApiError('deadline_exceeded', `Request "${requestId}" ran past its deadline.`);
}

function shutDown(requestId: string): ApiError {
  return new ApiError('not_ready', `The engine is shutting down; request "${requestId}" was stopped before it finished. Retry elsewhere.`);
}

/** Checks what `synthesize` cannot trust a library caller with, before anything runs. */
function checkRequest(request: SynthesisRequest): void {
  parseOrThrow(synthesisParamsSchema, request.params);
  const { seed } = request;
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > MAX_SEED) {
    throw new ApiError('invalid_field', `\`seed\` must be an integer from 0 to ${String(MAX_SEED)}, got ${String(seed)}.`, { param: 'seed' });
  }
  const requested = request.params.seed;
  if (requested !== null && requested !== RANDOM_SEED && requested !== seed) {
    throw new ApiError('invalid_field', `\`seed\` (${String(seed)}) differs from the client's \`params.seed\` (${String(requested)}); pass the seed \`resolveSynthesis\` resolved.`, {
      param: 'seed',
    });
  }
}

function concatInt32(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
