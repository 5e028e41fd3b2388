/**
 * Chooses which GPU function origin to try first, remembers which failed, and decides when a failed one is probed.
 * State lives in the isolate: each gateway isolate learns origin health from its own traffic, with no shared store
 * to consult on the request path.
 *
 * An origin that fails is taken out of rotation: it is tried again only as a last resort (every other origin
 * failed too) until a probe of its `/readyz` or an answer from it says it is back. Probes are due once its
 * cooldown has passed, and then every cooldown while it stays down; the caller runs them in the background of a
 * request (a Worker has no timers of its own between requests), so no client waits on a suspect origin while a
 * healthy one is there. Without the probe a restarted function would stay out until it happened to be the last
 * resort, and after a plain cooldown a live client request would be the probe, paying a full origin timeout
 * whenever the origin hangs.
 *
 * A probe's "ready" is weaker evidence than an answer: a function whose `/readyz` says ready while its synthesis
 * hangs was re-admitted every cooldown, each time costing a client a full origin timeout (the faults suite, issue
 * 14). So an origin a probe re-admitted is on trial until it answers; failing its trial doubles its next cooldown
 * (up to MAX_BACKOFF times), and only an answer clears the count. Probes that find it not ready do not count: a
 * function that is simply down is still probed every cooldown, so a restart is noticed as soon as before.
 * @module
 */

export type OriginStrategy = 'least-outstanding' | 'round-robin';

interface OriginState {
  /** Requests this isolate has in flight to the origin, bodies included. */
  outstanding: number;
  /** Failed and not seen healthy since: out of rotation, tried only as a last resort. */
  suspect: boolean;
  /** When a suspect origin is next due for a probe (ms since the epoch). */
  probeAt: number;
  /** Re-admitted by a probe and not yet proven by an answer. */
  onTrial: boolean;
  /** Trials failed in a row since the origin last answered. */
  failedTrials: number;
}

/** The most a failed trial's cooldown grows to, as a multiple of the cooldown (30 s: 8 minutes). */
export const MAX_BACKOFF = 16;

const states = new Map<string, OriginState>();
let turn = 0;

function stateOf(origin: string): OriginState {
  let state = states.get(origin);
  if (state === undefined) {
    state = { outstanding: 0, suspect: false, probeAt: 0, onTrial: false, failedTrials: 0 };
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
   * turn), then the suspect ones, soonest due for a probe first, as a last resort.
   */
  order(): string[] {
    const entries = this.#origins.map((origin) => ({ origin, state: stateOf(origin) }));
    // Turns are taken among the healthy origins only: counted over all, a failed origin's turns would all fall to
    // the healthy one after it.
    const healthy = entries.filter((entry) => !entry.state.suspect);
    const count = healthy.length;
    const start = turn % Math.max(1, count);
    if (count > 1) turn += 1;
    const ranked = healthy.map((entry, index) => ({ ...entry, rank: (index - start + count) % count }));
    const suspect = entries.filter((entry) => entry.state.suspect).sort((a, b) => a.state.probeAt - b.state.probeAt);
    ranked.sort((a, b) =>
      this.#strategy === 'least-outstanding' && a.state.outstanding !== b.state.outstanding
        ? a.state.outstanding - b.state.outstanding
        : a.rank - b.rank,
    );
    return [...ranked, ...suspect].map((entry) => entry.origin);
  }

  /**
   * The suspect origins due for a probe, each claimed for `leaseMs`: no other request probes it meanwhile, and a
   * probe whose result never comes (its request was cut off) is simply due again after that.
   */
  claimProbes(leaseMs: number): string[] {
    const now = this.#now();
    const due = this.#origins.filter((origin) => {
      const state = stateOf(origin);
      return state.suspect && state.probeAt <= now;
    });
    for (const origin of due) stateOf(origin).probeAt = now + leaseMs;
    return due;
  }

  /** Records a probe's result: back in rotation on trial, or probed again after another cooldown. */
  probed(origin: string, ready: boolean): void {
    const state = stateOf(origin);
    if (!state.suspect) return;
    if (ready) {
      state.suspect = false;
      state.probeAt = 0;
      state.onTrial = true;
    } else {
      state.probeAt = this.#now() + this.#cooldownMs;
    }
  }

  begin(origin: string): void {
    stateOf(origin).outstanding += 1;
  }

  end(origin: string): void {
    const state = stateOf(origin);
    state.outstanding = Math.max(0, state.outstanding - 1);
  }

  /**
   * Takes the origin out of rotation until its next probe. `cooldownMs` is the origin's own word (Retry-After: busy
   * or starting), which is no failed trial; without it the cooldown is the pool's, doubled for each failed trial.
   */
  markFailed(origin: string, cooldownMs?: number): void {
    const state = stateOf(origin);
    if (cooldownMs === undefined && state.onTrial) state.failedTrials += 1;
    state.onTrial = false;
    state.suspect = true;
    state.probeAt = this.#now() + (cooldownMs ?? this.#cooldownMs * Math.min(MAX_BACKOFF, 2 ** state.failedTrials));
  }

  /** The origin answered: in rotation, and proven. */
  markHealthy(origin: string): void {
    const state = stateOf(origin);
    state.suspect = false;
    state.probeAt = 0;
    state.onTrial = false;
    state.failedTrials = 0;
  }

  /** Requests this isolate has in flight to the origin, bodies included. */
  inFlight(origin: string): number {
    return stateOf(origin).outstanding;
  }

  /** Out of rotation: failed, and neither a probe nor an answer has shown it back yet. */
  isDown(origin: string): boolean {
    return stateOf(origin).suspect;
  }
}
