/**
 * Remembers the nonces of accepted requests until their timestamps leave the signature window, so a captured
 * request cannot be replayed inside the window.
 * @module
 */
import { ApiError } from '../errors/api-error.ts';

export interface NonceStore {
  /** Records `nonce` until `expiresAtMs`; returns `false` if it was already recorded and has not expired. */
  claim(nonce: string, expiresAtMs: number): boolean | Promise<boolean>;
  /**
   * When this store began remembering (ms since the epoch); left out by a store that outlives processes. A request
   * signed before then may have been accepted by a process whose nonces this store never saw.
   */
  readonly rememberedSinceMs?: number;
}

export interface MemoryNonceStoreOptions {
  /** Bound on remembered nonces; a full store refuses new requests rather than forgetting live nonces. */
  readonly maxEntries?: number;
  readonly now?: () => number;
}

/** A process-local store: right for one GPU-function process, which is the unit that verifies signatures. */
export class MemoryNonceStore implements NonceStore {
  readonly #expiries = new Map<string, number>();
  readonly #maxEntries: number;
  readonly #now: () => number;
  #nextSweepAt = 0;
  /** The soonest any remembered nonce expires: while the store is full, sweeping before then would free nothing. */
  #earliestExpiry = Infinity;

  readonly rememberedSinceMs: number;

  constructor(options: MemoryNonceStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 1_000_000;
    this.#now = options.now ?? Date.now;
    this.rememberedSinceMs = this.#now();
  }

  /**
   * Nonces remembered now. Expired ones are dropped first: the store is otherwise swept only when a request comes,
   * and an idle function would go on holding (and reporting) a burst's nonces long after their window.
   */
  get size(): number {
    const now = this.#now();
    if (now >= this.#earliestExpiry) this.#sweep(now);
    return this.#expiries.size;
  }

  get maxEntries(): number {
    return this.#maxEntries;
  }

  claim(nonce: string, expiresAtMs: number): boolean {
    const now = this.#now();
    const full = this.#expiries.size >= this.#maxEntries;
    // A full store is swept only once something in it can have expired: a sweep per refused request would cost a
    // walk over every entry each time, just when the function is busiest.
    if (now >= this.#nextSweepAt || (full && now >= this.#earliestExpiry)) this.#sweep(now);
    const known = this.#expiries.get(nonce);
    if (known !== undefined && known > now) return false;
    if (this.#expiries.size >= this.#maxEntries) {
      // Forgetting a live nonce would reopen the replay window, so refuse instead.
      throw new ApiError('overloaded', 'Too many signed requests in flight; retry shortly.', { retryAfterSeconds: 1 });
    }
    this.#expiries.set(nonce, expiresAtMs);
    this.#earliestExpiry = Math.min(this.#earliestExpiry, expiresAtMs);
    return true;
  }

  #sweep(now: number): void {
    let earliest = Infinity;
    for (const [nonce, expiresAt] of this.#expiries) {
      if (expiresAt <= now) this.#expiries.delete(nonce);
      else earliest = Math.min(earliest, expiresAt);
    }
    this.#earliestExpiry = earliest;
    this.#nextSweepAt = now + 10_000;
  }
}
