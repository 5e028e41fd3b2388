/**
 * Chooses which GPU function origin to try first, and remembers which failed. State lives in the isolate: each
 * gateway isolate learns origin health from its own traffic (passive health), with no shared store to consult on
 * the request path.
 * @module
 */

export type OriginStrategy = 'least-outstanding' | 'round-robin';

interface OriginState {
  /** Requests this isolate has in flight to the origin, bodies included. */
  outstanding: number;
  /** Skipped until then (ms since the epoch) unless every origin is down. */
  downUntil: number;
}

const states = new Map<string, OriginState>();
let turn = 0;

function stateOf(origin: string): OriginState {
  let state = states.get(origin);
  if (state === undefined) {
    state = { outstanding: 0, downUntil: 0 };
    states.set(origin, state);
  }
  return state;
}

export class OriginPool {
  readonly #origins: readonly string[];
  readonly #strategy: OriginStrategy;
  readonly #cooldownMs: number;
  readonly #now: () => number;

  constructor(origins: readonly string[], strategy: OriginStrategy, cooldownMs: number, now: () => number = Date.now) {
    this.#origins = origins;
    this.#strategy = strategy;
    this.#cooldownMs = cooldownMs;
    this.#now = now;
  }

  /**
   * Every origin, in the order to try them: healthy ones first (fewest in flight, ties taken in turn; or simply in
   * turn), then the ones marked down, soonest back first, as a last resort.
   */
  order(): string[] {
    const now = this.#now();
    const count = this.#origins.length;
    const start = turn % Math.max(1, count);
    turn += 1;
    const ranked = this.#origins.map((origin, index) => ({ origin, state: stateOf(origin), rank: (index - start + count) % count }));
    const healthy = ranked.filter((entry) => entry.state.downUntil <= now);
    const down = ranked.filter((entry) => entry.state.downUntil > now).sort((a, b) => a.state.downUntil - b.state.downUntil);
    healthy.sort((a, b) =>
      this.#strategy === 'least-outstanding' && a.state.outstanding !== b.state.outstanding
        ? a.state.outstanding - b.state.outstanding
        : a.rank - b.rank,
    );
    return [...healthy, ...down].map((entry) => entry.origin);
  }

  begin(origin: string): void {
    stateOf(origin).outstanding += 1;
  }

  end(origin: string): void {
    const state = stateOf(origin);
    state.outstanding = Math.max(0, state.outstanding - 1);
  }

  markFailed(origin: string, cooldownMs: number = this.#cooldownMs): void {
    stateOf(origin).downUntil = this.#now() + cooldownMs;
  }

  markHealthy(origin: string): void {
    stateOf(origin).downUntil = 0;
  }

  /** Requests this isolate has in flight to the origin, bodies included. */
  inFlight(origin: string): number {
    return stateOf(origin).outstanding;
  }

  isDown(origin: string): boolean {
    return stateOf(origin).downUntil > this.#now();
  }
}
