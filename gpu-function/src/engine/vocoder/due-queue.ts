/**
 * Vocoder work in the order its audio is due: a task is due when a listener who started playing at the request's
 * arrival would reach its first sample (arrival + the seconds of the request's audio before it). A new request's
 * first segment is due at once, so it goes ahead of the later segments of a long request, whose audio is not needed
 * for seconds; a long request's segment is never overtaken by work that arrives after it is due, so nothing starves
 * (its wait is bounded by the work due before it). Ties, and the token-chunk jobs of one segment, keep the order
 * they were queued in (their due times only grow).
 * @module
 */

interface Entry<T> {
  readonly due: number;
  readonly task: T;
}

export class DueQueue<T> {
  #entries: Entry<T>[] = [];

  get length(): number {
    return this.#entries.length;
  }

  /** Every queued task, the most urgent first. */
  get tasks(): readonly T[] {
    return this.#entries.map(({ task }) => task);
  }

  /** Queues `task` after every task due at or before `due` (milliseconds on any clock, as long as it is one clock). */
  push(task: T, due: number): void {
    let low = 0;
    let high = this.#entries.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.#entries[middle]?.due ?? 0) <= due) low = middle + 1;
      else high = middle;
    }
    this.#entries.splice(low, 0, { due, task });
  }

  /** Removes and returns the `count` most urgent tasks. */
  take(count: number): T[] {
    return this.#entries.splice(0, count).map(({ task }) => task);
  }

  /** Drops every task `drop` picks (e.g. a stopped request's). */
  remove(drop: (task: T) => boolean): void {
    this.#entries = this.#entries.filter(({ task }) => !drop(task));
  }
}

/**
 * When the audio at `fromSample` of segment `segmentIndex` is due: `startedAt` + the playing time of the segments
 * before it (audio and the silence after each) + `fromSample`. `segmentSamples(i)` gives segment i's audio length as
 * far as it is known (a segment still decoding counts what it has so far, so its successors are due no later than
 * they really are).
 */
export function dueAt(startedAt: number, sampleRate: number, fragmentInterval: number, segmentIndex: number, fromSample: number, segmentSamples: (index: number) => number): number {
  let seconds = fromSample / sampleRate;
  for (let i = 0; i < segmentIndex; i += 1) seconds += segmentSamples(i) / sampleRate + fragmentInterval;
  return startedAt + seconds * 1000;
}
