import { describe, expect, it } from 'vitest';
import { VocoderPacer } from './pacer.ts';

/** Runs `steps` engine steps of `decodeMs` each against a queue of items costing `msPerFrame` × frames. */
function simulate(pacer: VocoderPacer, queue: number[], steps: number, decodeMs: number, msPerFrame: number): { vocoderMs: number; decodeMs: number; perStep: number[] } {
  let vocoderMs = 0;
  const perStep: number[] = [];
  for (let step = 0; step < steps; step += 1) {
    pacer.earn(decodeMs);
    const count = pacer.take(queue, true, 1);
    const frames = queue.splice(0, count).reduce((sum, f) => sum + f, 0);
    const ms = frames * msPerFrame;
    if (count > 0) pacer.spent(ms, frames, true);
    vocoderMs += ms;
    perStep.push(count);
  }
  return { vocoderMs, decodeMs: steps * decodeMs, perStep };
}

describe('vocoder pacer', () => {
  it('runs only the oldest item before it has measured the vocoder, then fits items to the credit', () => {
    const pacer = new VocoderPacer(0.5);
    pacer.earn(20);
    expect(pacer.take([10, 10, 10], true, 16)).toBe(1);
    pacer.spent(10, 10, true);
    expect(pacer.estimate(10)).toBeCloseTo(10);
    expect(pacer.credit).toBeCloseTo(10);
    pacer.earn(20);
    // Credit 20 ms (one step's earning; the 10 left over is not banked): two 10-frame items fit, a third does not.
    expect(pacer.credit).toBeCloseTo(20);
    expect(pacer.take([10, 10, 10], true, 16)).toBe(2);
  });

  it('takes a prefix of the queue: a later item that would fit never jumps an older one that does not', () => {
    const pacer = new VocoderPacer(0.5);
    pacer.earn(1);
    pacer.spent(1, 1, true);
    pacer.earn(30);
    // 1 ms per frame, credit 30: the oldest (40 frames) runs since the credit is not negative; the 5-frame one waits.
    expect(pacer.take([40, 5], true, 16)).toBe(1);
    pacer.spent(40, 40, true);
    expect(pacer.credit).toBeLessThan(0);
    expect(pacer.take([5], true, 16)).toBe(0);
  });

  it('repays an item longer than a step with decode steps, so the vocoder takes its share of the time on average', () => {
    for (const share of [0.25, 0.5, 0.75]) {
      const pacer = new VocoderPacer(share);
      // Items of 100 frames at 1 ms per frame (100 ms) against 20 ms decode steps.
      const queue = Array.from({ length: 200 }, () => 100);
      const { vocoderMs, decodeMs, perStep } = simulate(pacer, queue, 400, 20, 1);
      expect(vocoderMs / (vocoderMs + decodeMs)).toBeCloseTo(share, 1);
      // Every step decodes; none carries more than one of these items.
      expect(Math.max(...perStep)).toBe(1);
      if (share === 0.5) expect(perStep.filter((count) => count > 0).length).toBeLessThanOrEqual(Math.ceil(400 / 5) + 1);
    }
  });

  it('lets many small items through in one step up to about one decode step of vocoder time', () => {
    const pacer = new VocoderPacer(0.5);
    pacer.spent(2, 2, false);
    const queue = Array.from({ length: 50 }, () => 2);
    pacer.earn(20);
    // 1 ms per frame, 2 ms per item, 20 ms of credit: ten items.
    expect(pacer.take(queue, true, 1)).toBe(10);
  });

  it('counts a job with nothing to decode as free, in its place in the queue', () => {
    const pacer = new VocoderPacer(0.5);
    pacer.earn(1);
    pacer.spent(10, 10, true);
    pacer.earn(10);
    expect(pacer.take([10, 0, 0, 10], true, 1)).toBe(3);
  });

  it('runs unpaced when T2S is idle: one call of items per step, and that time is not held against later decoding', () => {
    const pacer = new VocoderPacer(0.5);
    pacer.earn(10);
    pacer.spent(1000, 100, true);
    expect(pacer.credit).toBeLessThan(0);
    expect(pacer.take([100, 100, 100], false, 2)).toBe(2);
    pacer.spent(2000, 200, false);
    expect(pacer.credit).toBe(0);
    expect(pacer.take([100], true, 2)).toBe(1);
  });

  it('with share 1 vocodes everything queued at every step, as before pacing', () => {
    const pacer = new VocoderPacer(1);
    pacer.earn(10);
    pacer.spent(1000, 100, true);
    expect(pacer.take([100, 100, 100], true, 1)).toBe(3);
  });

  it('refuses a share outside (0, 1]', () => {
    expect(() => new VocoderPacer(0)).toThrow(/vocoderShare/);
    expect(() => new VocoderPacer(1.5)).toThrow(/vocoderShare/);
    expect(() => new VocoderPacer(Number.NaN)).toThrow(/vocoderShare/);
  });
});
