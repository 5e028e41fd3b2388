/**
 * When the vocoder runs, so that it never stalls T2S decoding. The engine loop is one thread and onnxruntime-node
 * runs a graph synchronously on it, so a step that vocoded every finished segment at once froze every request's
 * decoding for the whole call (one 8-item call took 13–19 s on the full-size CPU bundle, issue 13). A vocoder item
 * cannot be cut either: the decoder graph's encoder attends over the whole item, so a segment decoded in pieces
 * would not sound the same as decoded whole. What can be chosen is how many queued items run in a step.
 *
 * Policy, a time credit: while T2S has work, each engine step earns the vocoder `share / (1 − share)` × that step's
 * T2S time (capped at one step's earning, so credit is never banked into a long burst), and the vocoder runs the
 * queue's first items while its credit lasts (the first whenever the credit is not negative, the next ones only if
 * their estimated time still fits), then pays what they measurably took. On average the vocoder therefore takes
 * `share` of the wall time while requests decode; an item longer than a step overdraws the credit, and decoding runs
 * alone until it is repaid. When T2S has nothing to do, the vocoder runs unpaced, one graph call's worth of items
 * per step, so a request arriving meanwhile is prefilled after at most one call. Items always leave from the head
 * of the queue (the VITS worker's is ordered by when the audio is due, due-queue.ts; the CFM stage's by arrival), so
 * the pacer never reorders work: it only decides how much of it runs now.
 * @module
 */

/** Vocoder and decoding alternate in about equal time while both have work. */
export const DEFAULT_VOCODER_SHARE = 0.5;

/** How much the last measurement moves the estimate of the vocoder's milliseconds per frame. */
const ESTIMATE_WEIGHT = 0.3;

export function checkVocoderShare(share: number): void {
  if (!(share > 0 && share <= 1)) throw new RangeError(`vocoderShare must be in (0, 1], got ${String(share)}`);
}

export class VocoderPacer {
  /** Share of wall time the vocoder may take while T2S decodes; 1 turns pacing off (everything queued runs each step). */
  readonly share: number;
  /** Milliseconds the vocoder may still spend; negative: time it took beyond its share, to be repaid by decoding. */
  #credit = 0;
  #msPerFrame: number | undefined;

  constructor(share: number = DEFAULT_VOCODER_SHARE) {
    checkVocoderShare(share);
    this.share = share;
  }

  get credit(): number {
    return this.#credit;
  }

  /** Estimated milliseconds to vocode `frames` latent frames; undefined before the first measurement. */
  estimate(frames: number): number | undefined {
    return this.#msPerFrame === undefined ? undefined : this.#msPerFrame * frames;
  }

  /** T2S ran for `ms` this step and still has work: the vocoder earns its share of that time. */
  earn(ms: number): void {
    if (this.share >= 1) return;
    const allowance = (this.share / (1 - this.share)) * Math.max(0, ms);
    this.#credit = Math.min(this.#credit + allowance, allowance);
  }

  /**
   * How many of the queued items to vocode now, from the head of the queue. `frames` are their latent frames in queue
   * order (0 for a job with nothing to decode). `paced`: whether T2S has work; when it has none, up to `idleItems` run.
   */
  take(frames: readonly number[], paced: boolean, idleItems: number): number {
    if (this.share >= 1) return frames.length;
    if (!paced) return Math.min(frames.length, Math.max(1, idleItems));
    if (this.#credit < 0) return 0;
    let left = this.#credit;
    let count = 0;
    for (const itemFrames of frames) {
      // Before any measurement the cost is unknown: only the oldest item runs, and its time is the first estimate.
      const cost = itemFrames === 0 ? 0 : (this.estimate(itemFrames) ?? Infinity);
      if (count > 0 && cost > Math.max(left, 0)) break;
      left -= cost;
      count += 1;
    }
    return count;
  }

  /**
   * The vocoder ran for `ms` over `frames` frames. Paced work is paid from the credit; unpaced work (T2S idle) is
   * not, since it delayed no decoding, and leaves the credit at zero.
   */
  spent(ms: number, frames: number, paced: boolean): void {
    if (frames > 0) {
      const measured = ms / frames;
      this.#msPerFrame = this.#msPerFrame === undefined ? measured : this.#msPerFrame + ESTIMATE_WEIGHT * (measured - this.#msPerFrame);
    }
    this.#credit = paced ? this.#credit - ms : 0;
  }
}
