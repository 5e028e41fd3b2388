/**
 * Everything that runs for one model bundle: its scheduler, T2S runner and vocoder, and the requests using it.
 * `step()` is one turn of the engine loop for this bundle:
 *   retire cancelled/failed work → schedule → move KV slots → prefill new sequences → decode the running batch →
 *   sample each row → vocode a slice of the finished segments, most urgent first → emit audio in order.
 * The vocoder's slice is paced (vocoder/pacer.ts) so that it takes about its share of the time while requests decode
 * and never freezes them: a finished segment waits in a queue ordered by when its audio is due (vocoder/due-queue.ts)
 * until the vocoder's time credit reaches it.
 * v3/v4 bundles vocode through the CFM stage instead: a finished segment enters it and leaves, some engine steps
 * later, as audio (one Euler step per engine step, so long CFM work never stalls T2S decoding; its vocoder is paced
 * the same way).
 * A graph run that fails is retried row by row, so only the request whose input fails loses its work.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';
import { cfmFeatureFrames } from '../models/cfm/io.ts';
import { sovitsFrameCount, SOVITS_SAMPLES_PER_FRAME } from '../models/sovits/io.ts';
import { hopOf } from '../models/vocoder/config.ts';
import type { T2sDims } from '../models/t2s/config.ts';
import type { AudioStream } from './audio-stream.ts';
import type { LoadedBundle } from './bundle/loaded-bundle.ts';
import { CfmStage } from './cfm/cfm-stage.ts';
import type { CfmOutcome } from './cfm/cfm-item.ts';
import { OrderedEmitter } from './output/ordered-emitter.ts';
import { normalizeSegmentPeak, silence } from './output/postprocess.ts';
import { T2sRunner } from './runner/t2s-runner.ts';
import { advanceSequence } from './scheduler/advance.ts';
import { Scheduler, type SchedulerLimits } from './scheduler/scheduler.ts';
import type { T2sSequence } from './scheduler/sequence.ts';
import { VocoderRunner } from './vocoder/runner.ts';
import type { BatchLimits } from './vocoder/batch-plan.ts';
import { itemFrameCount, type VocoderItem, type VocoderResult } from './vocoder/item.ts';
import { DueQueue, dueAt } from './vocoder/due-queue.ts';
import { VocoderPacer } from './vocoder/pacer.ts';
import type { StreamJob, TokenChunkStream } from './vocoder/token-stream.ts';
import type { CfmPrompt } from './voices/features.ts';

/** GPT-SoVITS's `noise_scale` for VITS decoding. */
export const NOISE_SCALE = 0.5;

export interface SegmentWork {
  readonly index: number;
  /** Target phones only: what VITS sees. */
  readonly phoneIds: Int32Array;
  readonly sequence: T2sSequence;
  /** Present when the request streams inside segments (GPT-SoVITS streaming modes 2-3). */
  readonly stream: TokenChunkStream | undefined;
}

/** A segment waiting for the vocoder: whole, or one token-chunk job of a streamed segment. */
interface VocoderTask {
  readonly request: RequestWork;
  readonly segment: SegmentWork;
  readonly job?: StreamJob;
}

/** What the vocoder did in one engine step. */
interface VocoderTurn {
  readonly vocoded: number;
  readonly milliseconds: number;
}

/** One synthesis request as the worker tracks it. */
export interface RequestWork {
  readonly id: string;
  readonly seed: number;
  readonly speed: number;
  readonly fragmentInterval: number;
  readonly ge: Float32Array;
  readonly segments: readonly SegmentWork[];
  readonly stream: AudioStream;
  readonly startedAt: number;
  firstAudioAt: number | undefined;
  samples: number;
  /** Segments the runaway guard stopped (they never emitted end-of-sequence). */
  runawaySegments: number;
  /** v3/v4: the voice's CFM prompt and the Euler steps per chunk. */
  readonly cfm?: { readonly prompt: CfmPrompt; readonly steps: number };
  /** Set when the request must stop (client gone, or a failure); the worker retires its work at the next step. */
  stopped: 'cancelled' | 'failed' | undefined;
}

export interface WorkerLimits {
  readonly scheduler: SchedulerLimits;
  readonly vocoder: BatchLimits;
  /** v3/v4 bundles: rows × frames of one CFM call (default: DEFAULT_CFM_LIMITS). */
  readonly cfm?: Partial<BatchLimits>;
  /** Share of wall time the vocoder may take while requests decode (vocoder/pacer.ts; default 0.5, 1: unpaced). */
  readonly vocoderShare?: number;
}

/** What one engine step did for one bundle. */
export interface StepStats {
  readonly model: string;
  /** Sequences prefilled and decoded this step. */
  readonly prefilled: number;
  readonly decoded: number;
  /** Segments (or token-chunk jobs) vocoded this step, and the milliseconds the vocoder took. */
  readonly vocoded: number;
  readonly vocoderMs: number;
  /** Segments (or jobs) still waiting for the vocoder after this step. */
  readonly vocoderQueue: number;
  readonly milliseconds: number;
}

export class ModelWorker {
  readonly bundle: LoadedBundle;
  readonly scheduler: Scheduler;
  readonly runner: T2sRunner;
  /** v1/v2/v2Pro/v2ProPlus bundles; v3/v4 bundles have `cfm` instead. */
  readonly vocoder: VocoderRunner | undefined;
  readonly cfm: CfmStage | undefined;
  readonly #dims: T2sDims;
  readonly #requests = new Map<string, { work: RequestWork; emitter: OrderedEmitter }>();
  /** In the order the audio is due (vocoder/due-queue.ts), which is the order it is vocoded in. */
  readonly #vocoderQueue = new DueQueue<VocoderTask>();
  readonly #pacer: VocoderPacer;

  constructor(bundle: LoadedBundle, limits: WorkerLimits) {
    this.bundle = bundle;
    this.#dims = bundle.manifest.t2s.dims;
    this.#pacer = new VocoderPacer(limits.vocoderShare);
    this.scheduler = new Scheduler(limits.scheduler);
    this.runner = new T2sRunner({
      prefill: bundle.sessions.t2sPrefill,
      decode: bundle.sessions.t2sDecode,
      decodeResident: bundle.sessions.t2sDecodeResident,
      poolRebuild: bundle.sessions.t2sPoolRebuild,
      dims: this.#dims,
      precision: bundle.precision,
      slots: limits.scheduler.maxRunning,
      maxCacheLength: limits.scheduler.maxCacheLength,
    });
    const cfm = bundle.manifest.cfm;
    const cfmSessions = bundle.sessions.cfm;
    if (cfm === null) {
      this.vocoder = VocoderRunner.fromBundle(bundle, limits.vocoder);
      this.cfm = undefined;
    } else {
      if (cfmSessions === undefined) throw new Error(`bundle ${bundle.manifest.id} has a cfm section but no CFM graphs were opened`);
      this.vocoder = undefined;
      const dims = { version: cfm.dims.version, melDim: cfm.dims.dit.melDim, feaDim: cfm.dims.dit.textDim, hop: hopOf(cfm.vocoder.dims) };
      this.cfm = new CfmStage(cfmSessions, dims, limits.cfm === undefined ? {} : { limits: limits.cfm });
    }
  }

  /** Segments (or token-chunk jobs) waiting for the vocoder, or somewhere in the CFM stage. */
  get vocoderQueue(): number {
    return this.#vocoderQueue.length + (this.cfm?.pending ?? 0);
  }

  get hasWork(): boolean {
    return this.scheduler.hasWork || this.vocoderQueue > 0 || [...this.#requests.values()].some(({ work }) => work.stopped !== undefined);
  }

  /**
   * Whether the worker holds a request with this id: from `submit` until its work is retired (at once when it
   * completes; at the next step boundary when it fails or is cancelled, since its sequences may be mid-step).
   */
  has(requestId: string): boolean {
    return this.#requests.has(requestId);
  }

  /**
   * Starts a request's segments; throws (before anything runs) if one cannot fit the KV pool, or if a request with
   * this id is still held: work is keyed by id, so a second one would orphan the first.
   */
  submit(work: RequestWork): void {
    if (this.#requests.has(work.id)) throw new ApiError('duplicate_request', `Request "${work.id}" is already in flight.`, { param: 'request_id' });
    const emitter = new OrderedEmitter(work.segments.length, (samples) => {
      this.#emit(work, samples);
    });
    this.#requests.set(work.id, { work, emitter });
    try {
      for (const segment of work.segments) this.scheduler.add(segment.sequence);
    } catch (error) {
      this.#requests.delete(work.id);
      this.scheduler.cancelRequest(work.id);
      throw new ApiError('invalid_field', `The text is too long for one segment: ${error instanceof Error ? error.message : String(error)}. Use a splitting text_split_method.`, { param: 'text' });
    }
  }

  /** Fails every request in flight (after an unexpected engine error); their work is retired at the next step. */
  failAll(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    this.failEach(() => new ApiError('synthesis_failed', `Internal engine error: ${reason}`, { cause: error }));
  }

  /**
   * Fails every request in flight with the error `errorFor` gives it (e.g. the engine shutting down): their streams
   * fail now, their work is retired at the next step.
   */
  failEach(errorFor: (requestId: string) => unknown): void {
    for (const { work } of this.#requests.values()) this.#fail(work, errorFor(work.id));
  }

  /** Fails one request (e.g. past its deadline): its stream fails now, its work is retired at the next step. */
  fail(requestId: string, error: unknown): void {
    const entry = this.#requests.get(requestId);
    if (entry !== undefined) this.#fail(entry.work, error);
  }

  cancel(requestId: string): void {
    const entry = this.#requests.get(requestId);
    if (entry !== undefined) entry.work.stopped ??= 'cancelled';
  }

  async step(): Promise<StepStats> {
    const started = performance.now();
    this.#retireStopped();
    const plan = this.scheduler.schedule();
    this.runner.applyMoves(plan.moves);
    if (plan.prefill.length > 0) {
      const logits = await this.#isolated(plan.prefill, (batch) => this.runner.prefill(batch), 'T2S prefill');
      plan.prefill.forEach((sequence, i) => {
        const row = logits[i];
        if (row !== undefined) this.#advance(sequence, row);
      });
    }
    const decoding = plan.decode.filter((sequence) => sequence.status === 'running');
    if (decoding.length > 0) {
      const logits = await this.#isolatedDecode(decoding);
      decoding.forEach((sequence, i) => {
        const row = logits[i];
        if (row !== undefined) this.#advance(sequence, row);
      });
    }
    const t2sMs = performance.now() - started;
    const vocoder = this.cfm === undefined ? await this.#vocode(t2sMs) : await this.#stepCfm(this.cfm, t2sMs);
    return {
      model: this.bundle.manifest.id,
      prefilled: plan.prefill.length,
      decoded: decoding.length,
      vocoded: vocoder.vocoded,
      vocoderMs: vocoder.milliseconds,
      vocoderQueue: this.vocoderQueue,
      milliseconds: performance.now() - started,
    };
  }

  /** Samples one row; a finished sequence leaves the batch now and its segment queues for the vocoder. */
  #advance(sequence: T2sSequence, logits: Float32Array): void {
    if (sequence.status !== 'running') return;
    const result = advanceSequence(sequence, logits, this.#dims.eos);
    const entry = this.#requests.get(sequence.requestId);
    const segment = entry?.work.segments[sequence.segmentIndex];
    if (!result.finished) {
      if (entry !== undefined && segment?.stream !== undefined) {
        for (const job of segment.stream.push([result.token])) this.#queueVocoder({ request: entry.work, segment, job });
      }
      return;
    }
    this.#retire(sequence, 'finished');
    if (entry === undefined || segment === undefined) return;
    if (sequence.runawayGuard === true && sequence.generated.length >= sequence.lastStep) entry.work.runawaySegments += 1;
    if (segment.sequence.generated.length === 0) {
      this.#fail(entry.work, new ApiError('synthesis_failed', `Segment ${String(segment.index)} produced no speech tokens.`));
      return;
    }
    if (this.cfm !== undefined) {
      this.#enqueueCfm(this.cfm, entry.work, segment);
      return;
    }
    const job = segment.stream?.end();
    this.#queueVocoder(job === undefined ? { request: entry.work, segment } : { request: entry.work, segment, job });
  }

  #enqueueCfm(stage: CfmStage, request: RequestWork, segment: SegmentWork): void {
    const { cfm } = request;
    try {
      if (cfm === undefined) throw new Error(`a ${this.bundle.manifest.gpt_sovits_version} model needs the voice's CFM prompt, which request ${request.id} lacks`);
      stage.enqueue({
        requestId: request.id,
        segmentIndex: segment.index,
        tokens: Int32Array.from(segment.sequence.generated),
        phoneIds: segment.phoneIds,
        ge: request.ge,
        prompt: cfm.prompt,
        speed: request.speed,
        seed: request.seed,
        steps: cfm.steps,
      });
    } catch (error) {
      this.#fail(request, new ApiError('synthesis_failed', `Synthesis failed before the CFM: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    }
  }

  /**
   * One turn of the CFM stage; returns how many segments it finished (with audio or failed) and the vocoder's time.
   * Its vocoder is paced as VITS's is: the time T2S and the CFM's earlier phases took this step earns it credit.
   */
  async #stepCfm(stage: CfmStage, t2sMs: number): Promise<VocoderTurn> {
    if (stage.pending === 0) return { vocoded: 0, milliseconds: 0 };
    const started = performance.now();
    let vocoderMs = 0;
    let paced = false;
    const outcomes = await stage.step({
      take: (frames, busy) => {
        paced = busy || this.scheduler.hasWork;
        if (paced) this.#pacer.earn(t2sMs + performance.now() - started);
        return this.#pacer.take(frames, paced, stage.limits.maxItems);
      },
      spent: (ms, frames) => {
        vocoderMs = ms;
        this.#pacer.spent(ms, frames, paced);
      },
    });
    for (const outcome of outcomes) this.#deliverCfm(outcome);
    return { vocoded: outcomes.length, milliseconds: vocoderMs };
  }

  #deliverCfm(outcome: CfmOutcome): void {
    const entry = this.#requests.get(outcome.requestId);
    if (entry === undefined || entry.work.stopped !== undefined) return;
    const { work } = entry;
    const segment = work.segments[outcome.segmentIndex];
    if (outcome.status === 'failed') {
      this.#fail(work, new ApiError('synthesis_failed', `Synthesis failed in ${outcome.stage}: ${outcome.error.message}`, { cause: outcome.error }));
      return;
    }
    try {
      const cfm = this.bundle.manifest.cfm;
      if (segment === undefined || cfm === null) throw new Error(`the CFM stage returned segment ${String(outcome.segmentIndex)}, which request ${work.id} does not have`);
      const frames = cfmFeatureFrames(cfm.dims.version, segment.sequence.generated.length, work.speed).frames;
      const expected = frames * hopOf(cfm.vocoder.dims);
      if (outcome.audio.length !== expected) throw new Error(`the vocoder returned ${String(outcome.audio.length)} samples for segment ${String(segment.index)}, expected ${String(expected)}`);
      this.#pushSegment(entry, work, segment.index, normalizeSegmentPeak(outcome.audio));
    } catch (error) {
      this.#fail(work, new ApiError('synthesis_failed', `Synthesis failed while assembling audio: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
    }
  }

  /** A whole segment's audio and the silence after it, in order; finishes the request with its last segment. */
  #pushSegment(entry: { work: RequestWork; emitter: OrderedEmitter }, request: RequestWork, segmentIndex: number, samples: Float32Array): void {
    entry.emitter.push({ segmentIndex, samples, last: false });
    entry.emitter.push({ segmentIndex, samples: silence(request.fragmentInterval, this.bundle.manifest.sample_rate), last: true });
    if (entry.emitter.complete) this.#finish(request);
  }

  /**
   * Vocodes the slice of the queue the pacer allows this step, most urgent first (the runner groups it by length);
   * `t2sMs` is what T2S took this step, which earns the vocoder its share while requests still decode.
   */
  async #vocode(t2sMs: number): Promise<VocoderTurn> {
    // Work of stopped requests leaves first: it must not take the vocoder's time or hold back the tasks behind it.
    this.#vocoderQueue.remove(({ request }) => request.stopped !== undefined);
    const paced = this.scheduler.hasWork;
    if (paced) this.#pacer.earn(t2sMs);
    if (this.#vocoderQueue.length === 0 || this.vocoder === undefined) return { vocoded: 0, milliseconds: 0 };
    const frames = this.#vocoderQueue.tasks.map((task) => this.#taskFrames(task));
    const count = this.#pacer.take(frames, paced, this.vocoder.limits.maxItems);
    if (count === 0) return { vocoded: 0, milliseconds: 0 };
    const tasks = this.#vocoderQueue.take(count);
    const items: VocoderItem[] = [];
    const itemOf = tasks.map((task) => {
      const item = task.job === undefined ? this.#wholeSegmentItem(task) : task.job.item;
      if (item === undefined) return -1;
      items.push(item);
      return items.length - 1;
    });
    const started = performance.now();
    const results = await this.vocoder.decode(items);
    const milliseconds = performance.now() - started;
    this.#pacer.spent(milliseconds, frames.slice(0, count).reduce((sum, f) => sum + f, 0), paced);
    tasks.forEach((task, i) => {
      const index = itemOf[i] ?? -1;
      const result: VocoderResult | undefined = index < 0 ? undefined : results[index];
      if (task.request.stopped !== undefined) return;
      if (result?.status === 'rejected') {
        this.#fail(task.request, new ApiError('synthesis_failed', `Synthesis failed while decoding audio: ${result.reason.message}`, { cause: result.reason }));
        return;
      }
      try {
        this.#deliver(task, result?.value);
      } catch (error) {
        this.#fail(task.request, new ApiError('synthesis_failed', `Synthesis failed while assembling audio: ${error instanceof Error ? error.message : String(error)}`, { cause: error }));
      }
    });
    return { vocoded: tasks.length, milliseconds };
  }

  /** Queues a task at the time its audio is due: a listener who started at the request's arrival reaches it then. */
  #queueVocoder(task: VocoderTask): void {
    const { request, segment, job } = task;
    const samplesOf = (index: number): number => {
      const before = request.segments[index];
      return before === undefined ? 0 : sovitsFrameCount(before.sequence.generated.length, request.speed) * SOVITS_SAMPLES_PER_FRAME;
    };
    const due = dueAt(request.startedAt, this.bundle.manifest.sample_rate, request.fragmentInterval, segment.index, job?.from ?? 0, samplesOf);
    this.#vocoderQueue.push(task, due);
  }

  /** Latent frames a task decodes (0 for a stream's final job with nothing left to decode). */
  #taskFrames({ request, segment, job }: VocoderTask): number {
    if (job !== undefined) return job.item === undefined ? 0 : itemFrameCount(job.item);
    return sovitsFrameCount(segment.sequence.generated.length, request.speed);
  }

  #wholeSegmentItem({ request, segment }: VocoderTask): VocoderItem {
    return {
      requestId: request.id,
      segmentIndex: segment.index,
      tokens: Int32Array.from(segment.sequence.generated),
      phoneIds: segment.phoneIds,
      ge: request.ge,
      speed: request.speed,
      seed: request.seed,
      noiseScale: NOISE_SCALE,
    };
  }

  /** Post-processes decoded audio and hands it to the request's in-order emitter. */
  #deliver(task: VocoderTask, audio: Float32Array | undefined): void {
    const entry = this.#requests.get(task.request.id);
    if (entry === undefined) return;
    const { request, segment, job } = task;
    if (job !== undefined && segment.stream !== undefined) {
      entry.emitter.push(segment.stream.receive(job, audio));
      if (entry.emitter.complete) this.#finish(request);
      return;
    }
    const samples = normalizeSegmentPeak(audio ?? new Float32Array(0));
    const expected = sovitsFrameCount(segment.sequence.generated.length, request.speed) * SOVITS_SAMPLES_PER_FRAME;
    if (samples.length !== expected) throw new Error(`the vocoder returned ${String(samples.length)} samples for segment ${String(segment.index)}, expected ${String(expected)}`);
    this.#pushSegment(entry, request, segment.index, samples);
  }

  #emit(work: RequestWork, samples: Float32Array): void {
    work.firstAudioAt ??= performance.now();
    work.samples += samples.length;
    work.stream.push(samples);
  }

  #finish(work: RequestWork): void {
    this.#requests.delete(work.id);
    const now = performance.now();
    work.stream.end({
      requestId: work.id,
      model: this.bundle.manifest.id,
      sampleRate: this.bundle.manifest.sample_rate,
      segments: work.segments.length,
      tokens: work.segments.reduce((sum, segment) => sum + segment.sequence.generated.length, 0),
      audioSeconds: work.samples / this.bundle.manifest.sample_rate,
      timeToFirstAudioMs: (work.firstAudioAt ?? now) - work.startedAt,
      runawaySegments: work.runawaySegments,
      totalMs: now - work.startedAt,
    });
  }

  #fail(work: RequestWork, error: unknown): void {
    work.stopped ??= 'failed';
    work.stream.fail(error);
  }

  /** Takes the work of stopped requests out of the scheduler (running sequences leave at this step boundary). */
  #retireStopped(): void {
    for (const [id, { work }] of this.#requests) {
      if (work.stopped === undefined) continue;
      const { running } = this.scheduler.cancelRequest(id);
      for (const sequence of running) this.#retire(sequence, work.stopped);
      this.cfm?.cancel(id);
      this.#requests.delete(id);
      if (work.stopped === 'cancelled') work.stream.fail(new ApiError('synthesis_failed', 'The request was cancelled.'));
    }
  }

  /** Frees a sequence's slot; the KV pool forgets the slot's length (a pending move refills it). */
  #retire(sequence: T2sSequence, status: 'finished' | 'failed' | 'cancelled'): void {
    const slot = sequence.slot;
    this.scheduler.retire(sequence, status);
    this.runner.release(slot);
  }

  /** Runs `batch`; if the run fails, runs each sequence alone so only the failing ones lose their request. */
  async #isolated(sequences: readonly T2sSequence[], run: (batch: readonly T2sSequence[]) => Promise<Float32Array[]>, stage: string): Promise<(Float32Array | undefined)[]> {
    try {
      return await run(sequences);
    } catch (error) {
      if (sequences.length === 1) {
        this.#failSequence(sequences[0] as T2sSequence, stage, error);
        return [undefined];
      }
      const results: (Float32Array | undefined)[] = [];
      for (const sequence of sequences) results.push(...(await this.#isolated([sequence], run, stage)));
      return results;
    }
  }

  async #isolatedDecode(sequences: readonly T2sSequence[]): Promise<(Float32Array | undefined)[]> {
    return this.#isolated(sequences, (batch) => this.runner.decode(batch), 'T2S decode');
  }

  #failSequence(sequence: T2sSequence, stage: string, error: unknown): void {
    const entry = this.#requests.get(sequence.requestId);
    const reason = error instanceof Error ? error.message : String(error);
    if (entry !== undefined) this.#fail(entry.work, new ApiError('synthesis_failed', `Synthesis failed in ${stage}: ${reason}`, { cause: error }));
  }
}
