/**
 * The audio of one synthesis as the engine produces it: float PCM chunks in text order, then a summary, or an
 * error. Iterating it yields the chunks; a failure after some audio was produced surfaces as an error from the
 * iterator, so no partial audio is ever mistaken for a complete result.
 *
 * What answers the request (model bundle, sample rate, voice version) is known when the stream is returned, before
 * any audio, so a server can send its response headers at once.
 * @module
 */

/** What a stream carries, fixed when the engine accepts the request. */
export interface StreamInfo {
  readonly requestId: string;
  /** Id of the model bundle that speaks (its manifest id, the voice's `model`). */
  readonly model: string;
  /** SHA-256 of that bundle's manifest (the voice's `model_sha256`). */
  readonly modelSha256: string;
  /** Of every chunk, in Hz: the bundle's output rate (32000 for GPT-SoVITS v1/v2). Chunks are mono float PCM. */
  readonly sampleRate: number;
  /** The voice's version when the request was accepted. */
  readonly voiceVersion: string;
}

export interface SynthesisSummary {
  readonly requestId: string;
  /** Id of the model bundle that spoke. */
  readonly model: string;
  readonly sampleRate: number;
  readonly segments: number;
  /** Semantic tokens generated over all segments. */
  readonly tokens: number;
  readonly audioSeconds: number;
  /** From the call to the first audio leaving the engine. */
  readonly timeToFirstAudioMs: number;
  /** Segments the runaway guard stopped because they never ended on their own (see `runawayTokensPerPhone`). */
  readonly runawaySegments: number;
  readonly totalMs: number;
}

type Waiter = { resolve: (result: IteratorResult<Float32Array>) => void; reject: (error: unknown) => void };

export class AudioStream implements AsyncIterable<Float32Array>, StreamInfo {
  readonly requestId: string;
  readonly model: string;
  readonly modelSha256: string;
  readonly sampleRate: number;
  readonly voiceVersion: string;
  /** Settles with the summary after the last chunk, or rejects with the failure. */
  readonly done: Promise<SynthesisSummary>;
  readonly #chunks: Float32Array[] = [];
  #waiter: Waiter | undefined;
  #ended = false;
  #error: Error | undefined;
  #settle!: { resolve: (summary: SynthesisSummary) => void; reject: (error: unknown) => void };

  constructor(info: StreamInfo) {
    this.requestId = info.requestId;
    this.model = info.model;
    this.modelSha256 = info.modelSha256;
    this.sampleRate = info.sampleRate;
    this.voiceVersion = info.voiceVersion;
    this.done = new Promise<SynthesisSummary>((resolve, reject) => {
      this.#settle = { resolve, reject };
    });
    // A caller that only iterates must not trigger an unhandled rejection.
    this.done.catch(() => undefined);
  }

  get finished(): boolean {
    return this.#ended || this.#error !== undefined;
  }

  push(chunk: Float32Array): void {
    if (this.finished) return;
    const waiter = this.#waiter;
    if (waiter !== undefined) {
      this.#waiter = undefined;
      waiter.resolve({ value: chunk, done: false });
    } else {
      this.#chunks.push(chunk);
    }
  }

  end(summary: SynthesisSummary): void {
    if (this.finished) return;
    this.#ended = true;
    this.#settle.resolve(summary);
    this.#waiter?.resolve({ value: undefined, done: true });
    this.#waiter = undefined;
  }

  fail(error: unknown): void {
    if (this.finished) return;
    const failure = error instanceof Error ? error : new Error(String(error));
    this.#error = failure;
    this.#settle.reject(failure);
    this.#waiter?.reject(failure);
    this.#waiter = undefined;
  }

  [Symbol.asyncIterator](): AsyncIterator<Float32Array> {
    return {
      next: () => {
        const chunk = this.#chunks.shift();
        if (chunk !== undefined) return Promise.resolve({ value: chunk, done: false });
        if (this.#error !== undefined) return Promise.reject(this.#error);
        if (this.#ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => {
          this.#waiter = { resolve, reject };
        });
      },
    };
  }

  /** Collects every chunk into one array (for non-streamed responses and tests). */
  async collect(): Promise<Float32Array> {
    const chunks: Float32Array[] = [];
    for await (const chunk of this) chunks.push(chunk);
    const out = new Float32Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0));
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}
