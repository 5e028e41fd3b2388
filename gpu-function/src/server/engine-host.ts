/**
 * The main thread's handle on the engine, which runs in a worker thread (engine-thread.ts): synthesis answers come
 * back as {@link AudioStream}s, as from the engine itself, and cancellation, inspection, statistics and shutdown are
 * messages. If the thread dies, every request in flight fails and `onExit` tells the server, which should stop.
 * @module
 */
import { ApiError, type CreateVoiceRequest, type ModelInfo, type VoiceInspection } from '@gsv-edge/shared';
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
// AudioStream from its own module, not the engine's index: the index loads the whole engine (text frontend
// dictionaries, onnxruntime), tens of megabytes that would make every full GC on the HTTP thread take 15-30 ms.
import { AudioStream } from '../engine/audio-stream.ts';
import type { StepStats } from '../engine/index.ts';
import type { EngineThreadConfig, HostMessage, ThreadError, ThreadMessage, ThreadStats, ThreadSynthesisRequest } from './engine-protocol.ts';

interface Pending<T> {
  readonly resolve: (value: T) => void;
  readonly reject: (error: unknown) => void;
}

export interface EngineHostOptions {
  /** Engine notices (bundle data it lacks, voice files skipped). */
  readonly log?: (message: string) => void;
  /** After every engine step (metrics). */
  readonly onStep?: (stats: StepStats) => void;
  /** The thread ended when it should not have. */
  readonly onExit?: (error: Error) => void;
}

export class EngineHost {
  readonly models: readonly ModelInfo[];
  readonly #worker: Worker;
  readonly #starting = new Map<string, Pending<AudioStream>>();
  readonly #streams = new Map<string, AudioStream>();
  readonly #ids = new WeakMap<AudioStream, string>();
  readonly #inspections = new Map<string, Pending<VoiceInspection>>();
  readonly #statistics = new Map<string, Pending<ThreadStats>>();
  #closed: Promise<void> | undefined;
  #onClosed: (() => void) | undefined;
  #exited = false;

  private constructor(worker: Worker, models: readonly ModelInfo[], options: EngineHostOptions) {
    this.#worker = worker;
    this.models = models;
    worker.on('message', (message: ThreadMessage) => {
      this.#receive(message, options);
    });
    worker.on('error', (error) => {
      this.#fail(error, options);
    });
    worker.on('exit', (code) => {
      this.#fail(new Error(`the engine thread exited with code ${String(code)}`), options);
    });
  }

  /** Starts the engine thread; resolves once every bundle is loaded, or rejects with why it could not start. */
  static async start(config: EngineThreadConfig, options: EngineHostOptions = {}): Promise<EngineHost> {
    const worker = new Worker(new URL('./engine-thread.ts', import.meta.url), { workerData: config });
    const models = await new Promise<readonly ModelInfo[]>((resolve, reject) => {
      const onMessage = (message: ThreadMessage) => {
        if (message.type === 'log') options.log?.(message.message);
        if (message.type === 'ready') {
          cleanup();
          resolve(message.models);
        }
        if (message.type === 'fatal') {
          cleanup();
          void worker.terminate();
          reject(new Error(`the engine could not start: ${message.message}`));
        }
      };
      const onError = (error: Error) => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new Error(`the engine thread exited with code ${String(code)} while starting`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    });
    return new EngineHost(worker, models, options);
  }

  /**
   * Starts a synthesis; rejects with the engine's {@link ApiError} when it refuses the request. `signal` cancels it,
   * whether it is still being prepared or already producing audio.
   */
  synthesize(request: ThreadSynthesisRequest, signal?: AbortSignal): Promise<AudioStream> {
    if (this.#exited || this.#closed !== undefined) return Promise.reject(shuttingDown());
    const id = randomUUID();
    const cancel = () => {
      this.#post({ type: 'cancel', id });
    };
    signal?.addEventListener('abort', cancel, { once: true });
    const started = new Promise<AudioStream>((resolve, reject) => {
      this.#starting.set(id, { resolve, reject });
      this.#post({ type: 'synthesize', id, request });
    });
    void started.then((stream) => stream.done).finally(() => signal?.removeEventListener('abort', cancel)).catch(() => undefined);
    return started;
  }

  /** Stops a synthesis: its sequences leave the batch at the engine's next step. */
  cancel(stream: AudioStream): void {
    const id = this.#ids.get(stream);
    if (id !== undefined && this.#streams.has(id)) this.#post({ type: 'cancel', id });
  }

  inspect(upload: CreateVoiceRequest): Promise<VoiceInspection> {
    if (this.#exited || this.#closed !== undefined) return Promise.reject(shuttingDown());
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      this.#inspections.set(id, { resolve, reject });
      this.#post({ type: 'inspect', id, upload });
    });
  }

  stats(): Promise<ThreadStats> {
    if (this.#exited) return Promise.reject(new Error('the engine thread has exited'));
    const id = randomUUID();
    return new Promise((resolve, reject) => {
      this.#statistics.set(id, { resolve, reject });
      this.#post({ type: 'stats', id });
    });
  }

  /**
   * Stops taking requests, lets those in flight finish for up to `graceMs`, fails the rest, and ends the thread.
   * Calling it again shortens the grace period if the new one ends sooner.
   */
  close(graceMs = 0): Promise<void> {
    if (this.#exited) return Promise.resolve();
    this.#closed ??= new Promise<void>((resolve) => {
      this.#onClosed = resolve;
    }).then(async () => {
      await this.#worker.terminate();
    });
    this.#post({ type: 'close', graceMs });
    return this.#closed;
  }

  #post(message: HostMessage): void {
    this.#worker.postMessage(message);
  }

  #receive(message: ThreadMessage, options: EngineHostOptions): void {
    switch (message.type) {
      case 'started': {
        const stream = new AudioStream(message.info);
        this.#streams.set(message.id, stream);
        this.#ids.set(stream, message.id);
        this.#starting.get(message.id)?.resolve(stream);
        this.#starting.delete(message.id);
        return;
      }
      case 'chunk':
        this.#streams.get(message.id)?.push(message.samples);
        return;
      case 'done':
        this.#streams.get(message.id)?.end(message.summary);
        this.#streams.delete(message.id);
        return;
      case 'failed': {
        const error = fromThreadError(message.error);
        const starting = this.#starting.get(message.id);
        if (starting !== undefined) {
          this.#starting.delete(message.id);
          starting.reject(error);
        }
        this.#streams.get(message.id)?.fail(error);
        this.#streams.delete(message.id);
        const inspection = this.#inspections.get(message.id);
        this.#inspections.delete(message.id);
        inspection?.reject(error);
        return;
      }
      case 'inspected':
        this.#inspections.get(message.id)?.resolve(message.inspection);
        this.#inspections.delete(message.id);
        return;
      case 'stats':
        this.#statistics.get(message.id)?.resolve(message.stats);
        this.#statistics.delete(message.id);
        return;
      case 'step':
        options.onStep?.(message.stats);
        return;
      case 'log':
        options.log?.(message.message);
        return;
      case 'closed':
        this.#onClosed?.();
        return;
      case 'ready':
      case 'fatal':
        return;
    }
  }

  /** The thread is gone: everything waiting on it fails, and the server is told unless it asked for the end. */
  #fail(error: Error, options: EngineHostOptions): void {
    if (this.#exited) return;
    this.#exited = true;
    const failure = new ApiError('synthesis_failed', 'The engine stopped unexpectedly.', { cause: error });
    for (const pending of [...this.#starting.values(), ...this.#inspections.values(), ...this.#statistics.values()]) pending.reject(failure);
    for (const stream of this.#streams.values()) stream.fail(failure);
    this.#starting.clear();
    this.#inspections.clear();
    this.#statistics.clear();
    this.#streams.clear();
    this.#onClosed?.();
    if (this.#closed === undefined) options.onExit?.(error);
  }
}

function fromThreadError(error: ThreadError): ApiError {
  return new ApiError(error.code, error.message, {
    param: error.param,
    ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
  });
}

function shuttingDown(): ApiError {
  return new ApiError('not_ready', 'This GPU function is shutting down; retry on another.', { retryAfterSeconds: 1 });
}
