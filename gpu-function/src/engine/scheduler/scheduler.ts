/**
 * Continuous batching for T2S, as pure bookkeeping over plain data (vLLM v1's split: the scheduler decides, the
 * runner computes). At every step boundary it admits waiting segments into free KV slots (they are prefilled in
 * their own pass, then join the decode batch on the next step) and keeps running sequences in slots 0..n-1.
 *
 * Fairness: a free slot goes to the waiting request with the fewest running segments, then the earliest request,
 * then the earliest segment. A short request arriving during a long one therefore gets the next free slot instead
 * of queueing behind the long request's remaining segments.
 * @module
 */
import { KvSlots, type SlotMove } from './kv-slots.ts';
import { worstCaseCacheLength, type SequenceStatus, type T2sSequence } from './sequence.ts';

export interface SchedulerLimits {
  /** KV pool slots: the largest decode batch. */
  readonly maxRunning: number;
  /** Sequences prefilled together in one pass. */
  readonly maxPrefillBatch: number;
  /** Bound on the summed prompt lengths of one prefill pass (its cost is quadratic in length). */
  readonly maxPrefillTokens: number;
  /** Capacity of each KV slot in tokens. */
  readonly maxCacheLength: number;
}

export interface ScheduleStep {
  /** KV copies to apply, in order, before anything runs (slots vacated by finished sequences). */
  readonly moves: readonly SlotMove[];
  /** Sequences admitted now: prefill them; they hold the slots after the decode batch. */
  readonly prefill: readonly T2sSequence[];
  /** Sequences decoding one token this step, in slot order (slots 0..n-1). */
  readonly decode: readonly T2sSequence[];
}

export class SequenceTooLongError extends Error {
  override readonly name = 'SequenceTooLongError';
}

export class Scheduler {
  readonly limits: SchedulerLimits;
  readonly #slots: KvSlots<T2sSequence>;
  readonly #waiting: T2sSequence[] = [];
  readonly #runningPerRequest = new Map<string, number>();
  #pendingMoves: SlotMove[] = [];

  constructor(limits: SchedulerLimits) {
    this.limits = limits;
    this.#slots = new KvSlots(limits.maxRunning);
  }

  get running(): readonly T2sSequence[] {
    return this.#slots.occupants;
  }

  /** KV slots held now (the running sequences'; a slot is freed when its sequence retires). */
  get slotsInUse(): number {
    return this.#slots.size;
  }

  get waiting(): readonly T2sSequence[] {
    return this.#waiting;
  }

  get hasWork(): boolean {
    return this.#waiting.length > 0 || this.#slots.size > 0;
  }

  add(sequence: T2sSequence): void {
    const needed = worstCaseCacheLength(sequence.input, sequence.lastStep);
    if (needed > this.limits.maxCacheLength) {
      throw new SequenceTooLongError(
        `segment ${String(sequence.segmentIndex)} needs ${String(needed)} KV positions; the limit is ${String(this.limits.maxCacheLength)}`,
      );
    }
    sequence.status = 'waiting';
    this.#waiting.push(sequence);
  }

  schedule(): ScheduleStep {
    const moves = this.#pendingMoves;
    this.#pendingMoves = [];
    const decode = [...this.#slots.occupants];
    const prefill: T2sSequence[] = [];
    let prefillTokens = 0;
    while (this.#slots.free > 0 && prefill.length < this.limits.maxPrefillBatch && this.#waiting.length > 0) {
      const next = this.#nextWaiting();
      const length = next.input.phoneIds.length + next.input.promptTokens.length;
      if (prefill.length > 0 && prefillTokens + length > this.limits.maxPrefillTokens) break;
      this.#waiting.splice(this.#waiting.indexOf(next), 1);
      next.slot = this.#slots.acquire(next) ?? -1;
      next.status = 'running';
      this.#runningPerRequest.set(next.requestId, (this.#runningPerRequest.get(next.requestId) ?? 0) + 1);
      prefill.push(next);
      prefillTokens += length;
    }
    return { moves, prefill, decode };
  }

  /** Takes a running sequence out (finished, failed or cancelled) and frees its slot. */
  retire(sequence: T2sSequence, status: Exclude<SequenceStatus, 'waiting' | 'running'>): void {
    if (sequence.status !== 'running') throw new Error(`sequence ${String(sequence.id)} is not running`);
    const move = this.#slots.release(sequence.slot);
    if (move !== undefined) {
      const moved = this.#slots.occupants[move.to];
      if (moved !== undefined) moved.slot = move.to;
      this.#pendingMoves.push(move);
    }
    const running = (this.#runningPerRequest.get(sequence.requestId) ?? 1) - 1;
    if (running === 0) this.#runningPerRequest.delete(sequence.requestId);
    else this.#runningPerRequest.set(sequence.requestId, running);
    sequence.status = status;
    sequence.slot = -1;
  }

  /** Drops a request's waiting segments and returns its running ones, which the caller retires at the step boundary. */
  cancelRequest(requestId: string): { readonly dropped: readonly T2sSequence[]; readonly running: readonly T2sSequence[] } {
    const dropped = this.#waiting.filter((sequence) => sequence.requestId === requestId);
    for (const sequence of dropped) {
      this.#waiting.splice(this.#waiting.indexOf(sequence), 1);
      sequence.status = 'cancelled';
    }
    return { dropped, running: this.#slots.occupants.filter((sequence) => sequence.requestId === requestId) };
  }

  #nextWaiting(): T2sSequence {
    let best = this.#waiting[0] as T2sSequence;
    for (const candidate of this.#waiting) {
      if (this.#before(candidate, best)) best = candidate;
    }
    return best;
  }

  #before(a: T2sSequence, b: T2sSequence): boolean {
    const runningA = this.#runningPerRequest.get(a.requestId) ?? 0;
    const runningB = this.#runningPerRequest.get(b.requestId) ?? 0;
    if (runningA !== runningB) return runningA < runningB;
    if (a.arrival !== b.arrival) return a.arrival < b.arrival;
    return a.segmentIndex < b.segmentIndex;
  }
}
