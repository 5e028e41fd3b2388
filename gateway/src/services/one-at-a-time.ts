/**
 * Lets one piece of work run at a time in this isolate, others waiting their turn up to a bound.
 *
 * Waiters poll on timers of their own rather than chaining on the running request's promise: workerd runs a
 * promise's continuation in the I/O context of the request that settled it, so a request queued behind another's
 * promise could not read its own body ("Cannot perform I/O on behalf of a different request") and, once a request
 * in the chain had been cancelled, the rest never answered. The bad-input suite found it: 6,842 of 10,000 voice
 * uploads sent 24 at a time failed that way (scripts/reliability/bad-input.ts, issue 14). A turn is also a lease:
 * work whose request workerd cancelled may never settle, and must not hold the turn for ever.
 * @module
 */
import { ApiError } from '@gsv-edge/shared';

export interface OneAtATimeOptions {
  /** The longest a caller waits for its turn before it is refused with 503 `overloaded`. */
  readonly maxWaitMs: number;
  /** After this long a turn is taken to be abandoned and the next caller may go. */
  readonly maxHoldMs: number;
  /** How often a waiter looks again. */
  readonly pollMs: number;
  /** What the refusal says is busy. */
  readonly what: string;
}

export class OneAtATime {
  readonly #options: OneAtATimeOptions;
  /** The turn in progress (a number of its own) and when its lease ends; `null` when free. */
  #turn: { readonly id: number; readonly heldUntil: number } | null = null;
  #turns = 0;

  constructor(options: OneAtATimeOptions) {
    this.#options = options;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.#options.maxWaitMs;
    while (this.#turn !== null && this.#turn.heldUntil > Date.now()) {
      if (Date.now() >= deadline) {
        throw new ApiError('overloaded', `Another ${this.#options.what} is in progress; retry shortly.`, { retryAfterSeconds: 2 });
      }
      await new Promise((resolve) => setTimeout(resolve, this.#options.pollMs));
    }
    this.#turns += 1;
    const id = this.#turns;
    this.#turn = { id, heldUntil: Date.now() + this.#options.maxHoldMs };
    try {
      return await work();
    } finally {
      // A turn taken over after its lease ran out is not ended by its first owner finishing late.
      if (this.#turn.id === id) this.#turn = null;
    }
  }
}
