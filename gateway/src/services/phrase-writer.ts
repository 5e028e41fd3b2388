/**
 * Streams one phrase into R2 as its answer is relayed, holding at most one R2 part in memory: a phrase that fits in
 * one part is written with one `put`; a longer one becomes a multipart upload of equal parts (R2 needs every part
 * but the last to have the same size, at least 5 MiB). A phrase over the size limit, or one that would take the
 * isolate over its buffer budget, is abandoned (streamed to the client but not cached).
 *
 * Hand-written because a Worker's R2 binding accepts a stream only of a length known in advance, and a streamed
 * answer's length is known only at its end.
 * @module
 */

/** R2's smallest part (every part but the last must be exactly this size). */
export const PART_BYTES = 5 * 1024 * 1024;

export interface WriterLimits {
  /** Phrases larger than this are not cached. */
  readonly maxBytes: number;
  /** Shared by every writer of the isolate. */
  readonly budget: BufferBudget;
}

/**
 * Bytes all writers of an isolate may hold at once. An isolate has 128 MB for everything, and running out of it
 * kills every request it serves; past the budget a phrase is simply not cached.
 */
export class BufferBudget {
  readonly capacity: number;
  #used = 0;
  #highWater = 0;

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  get used(): number {
    return this.#used;
  }

  /** The most bytes held at once since the last {@link resetHighWater}. */
  get highWater(): number {
    return this.#highWater;
  }

  resetHighWater(): void {
    this.#highWater = this.#used;
  }

  take(bytes: number): boolean {
    if (this.#used + bytes > this.capacity) return false;
    this.#used += bytes;
    this.#highWater = Math.max(this.#highWater, this.#used);
    return true;
  }

  give(bytes: number): void {
    this.#used = Math.max(0, this.#used - bytes);
  }
}

/** The isolate's budget: room for six phrases' parts at once. */
export const ISOLATE_BUFFER_BUDGET = new BufferBudget(6 * PART_BYTES);

export class PhraseWriter {
  readonly #bucket: R2Bucket;
  readonly #key: string;
  readonly #customMetadata: Record<string, string>;
  readonly #contentType: string;
  readonly #limits: WriterLimits;
  readonly #afterStore: (stored: Uint8Array | null) => Promise<void>;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #total = 0;
  #upload: R2MultipartUpload | null = null;
  readonly #parts: R2UploadedPart[] = [];
  #active = true;

  constructor(
    bucket: R2Bucket,
    key: string,
    customMetadata: Record<string, string>,
    contentType: string,
    limits: WriterLimits,
    afterStore: (stored: Uint8Array | null) => Promise<void>,
  ) {
    this.#bucket = bucket;
    this.#key = key;
    this.#customMetadata = customMetadata;
    this.#contentType = contentType;
    this.#limits = limits;
    this.#afterStore = afterStore;
  }

  /** Still caching (not abandoned, not finished). */
  get active(): boolean {
    return this.#active;
  }

  /** Bytes this writer holds right now. */
  get buffered(): number {
    return this.#buffered;
  }

  /** Takes the next chunk; uploads a part when one is full. Never throws: a failure abandons the phrase. */
  async write(chunk: Uint8Array): Promise<void> {
    if (!this.#active) return;
    this.#total += chunk.byteLength;
    if (this.#total > this.#limits.maxBytes || !this.#limits.budget.take(chunk.byteLength)) {
      await this.abandon();
      return;
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.byteLength;
    try {
      while (this.#buffered >= PART_BYTES) await this.#uploadPart(PART_BYTES);
    } catch {
      await this.abandon();
    }
  }

  /** Stores what was written (the answer ended whole); `true` when the phrase is now cached. */
  async finish(): Promise<boolean> {
    if (!this.#active) return false;
    try {
      if (this.#total === 0) {
        await this.abandon();
        return false;
      }
      if (this.#upload === null) {
        // One part's worth at most: stored with one put, then copied to the edge from memory (no R2 read).
        const size = this.#buffered;
        const audio = this.#take(size);
        try {
          await this.#bucket.put(this.#key, audio, { httpMetadata: { contentType: this.#contentType }, customMetadata: this.#customMetadata });
          this.#active = false;
          await this.#afterStore(audio).catch(() => undefined);
        } finally {
          this.#limits.budget.give(size);
        }
        return true;
      }
      if (this.#buffered > 0) await this.#uploadPart(this.#buffered);
      await this.#upload.complete(this.#parts);
      this.#active = false;
    } catch {
      await this.abandon();
      return false;
    }
    await this.#afterStore(null).catch(() => undefined);
    return true;
  }

  /** Gives up on caching this phrase and frees what it holds. */
  async abandon(): Promise<void> {
    if (!this.#active) return;
    this.#active = false;
    this.#limits.budget.give(this.#buffered);
    this.#chunks = [];
    this.#buffered = 0;
    await this.#upload?.abort().catch(() => undefined);
  }

  async #uploadPart(size: number): Promise<void> {
    this.#upload ??= await this.#bucket.createMultipartUpload(this.#key, {
      httpMetadata: { contentType: this.#contentType },
      customMetadata: this.#customMetadata,
    });
    try {
      this.#parts.push(await this.#upload.uploadPart(this.#parts.length + 1, this.#take(size)));
    } finally {
      this.#limits.budget.give(size);
    }
  }

  /** Moves the first `size` buffered bytes into one array (still counted against the budget until uploaded). */
  #take(size: number): Uint8Array {
    const out = new Uint8Array(size);
    let offset = 0;
    while (offset < size) {
      const chunk = this.#chunks[0];
      if (chunk === undefined) break;
      const used = Math.min(chunk.byteLength, size - offset);
      out.set(chunk.subarray(0, used), offset);
      offset += used;
      if (used === chunk.byteLength) this.#chunks.shift();
      else this.#chunks[0] = chunk.subarray(used);
    }
    this.#buffered -= size;
    return out;
  }
}
