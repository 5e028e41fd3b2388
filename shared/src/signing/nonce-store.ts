/**
 * Remembers the nonces of accepted requests until their timestamps leave the signature window, so a captured
 * request cannot be replayed inside the window.
 * @module
 */
import { ApiError } from '../errors/api-error.ts';

export interface NonceStore {
  /** Records `nonce` until `expiresAtMs`; returns `false` if it was already recorded and has not expired. */
  claim(nonce: string, expiresAtMs: number): boolean | Promise<boolean>;
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

  constructor(options: MemoryNonceStoreOptions = {}) {
    this.#maxEntries = options.maxEntries ?? 1_000_000;
    this.#now = options.now ?? Date.now;
  }

  get size(): number {
    return this.#expiries.size;
  }

  claim(nonce: string, expiresAtMs: number): boolean {
    const now = this.#now();
    if (now >= this.#nextSweepAt || this.#expiries.size >= this.#maxEntries) this.#sweep(now);
    const known = this.#expiries.get(nonce);
    if (known !== undefined && known > now) return false;
    if (this.#expiries.size >= this.#maxEntries) {
      // Forgetting a live nonce would reopen the replay window, so refuse instead.
      throw new ApiError('overloaded', 'Too many signed requests in flight; retry shortly.', { retryAfterSeconds: 1 });
    }
    this.#expiries.set(nonce, expiresAtMs);
    return true;
  }

  #sweep(now: number): void {
    for (const [nonce, expiresAt] of this.#expiries) {
      if (expiresAt <= now) this.#expiries.delete(nonce);
    }
    this.#nextSweepAt = now + 10_000;
  }
}
