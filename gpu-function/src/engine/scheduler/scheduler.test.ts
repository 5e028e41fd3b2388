import { describe, expect, it } from 'vitest';
import { KvSlots } from './kv-slots.ts';
import { advanceSequence } from './advance.ts';
import { Scheduler, SequenceTooLongError, type SchedulerLimits } from './scheduler.ts';
import type { T2sSequence } from './sequence.ts';

const limits: SchedulerLimits = { maxRunning: 4, maxPrefillBatch: 4, maxPrefillTokens: 10_000, maxCacheLength: 4000 };
let nextId = 0;

function sequence(requestId: string, segmentIndex: number, arrival: number, phones = 20): T2sSequence {
  nextId += 1;
  return {
    id: nextId,
    requestId,
    segmentIndex,
    arrival,
    input: { phoneIds: new Int32Array(phones), bert: new Float32Array(phones * 1024), promptTokens: new Int32Array(10) },
    sampling: { topK: 15, topP: 1, temperature: 1, repetitionPenalty: 1.35 },
    seed: 1,
    lastStep: 1499,
    status: 'waiting',
    generated: [],
    step: 0,
    slot: -1,
    cacheLength: 0,
  };
}

const names = (list: readonly T2sSequence[]) => list.map((s) => `${s.requestId}${String(s.segmentIndex)}`);

describe('KV slots', () => {
  it('keeps occupants contiguous by moving the last one into a hole', () => {
    const slots = new KvSlots<string>(4);
    for (const name of ['a', 'b', 'c', 'd']) slots.acquire(name);
    expect(slots.acquire('e')).toBeUndefined();
    expect(slots.release(1)).toEqual({ from: 3, to: 1 });
    expect(slots.occupants).toEqual(['a', 'd', 'c']);
    expect(slots.release(2)).toBeUndefined();
    expect(slots.occupants).toEqual(['a', 'd']);
  });
});

describe('continuous batching scheduler', () => {
  it('prefills new segments in their own pass, then decodes them with the others', () => {
    const scheduler = new Scheduler(limits);
    scheduler.add(sequence('a', 0, 0));
    const first = scheduler.schedule();
    expect(names(first.prefill)).toEqual(['a0']);
    expect(first.decode).toEqual([]);
    scheduler.add(sequence('b', 0, 1));
    const second = scheduler.schedule();
    expect(names(second.decode)).toEqual(['a0']);
    expect(names(second.prefill)).toEqual(['b0']);
    expect(names(scheduler.schedule().decode)).toEqual(['a0', 'b0']);
  });

  it('bounds the batch by the KV slots and admits waiting work as slots free', () => {
    const scheduler = new Scheduler(limits);
    for (let i = 0; i < 6; i += 1) scheduler.add(sequence('a', i, 0));
    expect(names(scheduler.schedule().prefill)).toEqual(['a0', 'a1', 'a2', 'a3']);
    expect(scheduler.schedule().prefill).toEqual([]);
    scheduler.retire(scheduler.running[1]!, 'finished');
    const step = scheduler.schedule();
    expect(step.moves).toEqual([{ from: 3, to: 1 }]);
    expect(names(step.decode)).toEqual(['a0', 'a3', 'a2']);
    expect(step.decode.map((s) => s.slot)).toEqual([0, 1, 2]);
    expect(names(step.prefill)).toEqual(['a4']);
    expect(step.prefill[0]!.slot).toBe(3);
  });

  it('gives a short request that arrives during a long one the next free slot', () => {
    const scheduler = new Scheduler(limits);
    for (let i = 0; i < 10; i += 1) scheduler.add(sequence('long', i, 0));
    scheduler.schedule();
    scheduler.add(sequence('short', 0, 1));
    scheduler.retire(scheduler.running[0]!, 'finished');
    expect(names(scheduler.schedule().prefill)).toEqual(['short0']);
  });

  it('shares slots between requests in turn when many wait', () => {
    const scheduler = new Scheduler({ ...limits, maxRunning: 6 });
    for (let i = 0; i < 5; i += 1) scheduler.add(sequence('a', i, 0));
    for (let i = 0; i < 5; i += 1) scheduler.add(sequence('b', i, 1));
    for (let i = 0; i < 5; i += 1) scheduler.add(sequence('c', i, 2));
    expect(names(scheduler.schedule().prefill)).toEqual(['a0', 'b0', 'c0', 'a1']);
    expect(names(scheduler.schedule().prefill)).toEqual(['b1', 'c1']);
  });

  it('bounds one prefill pass by sequences and by tokens', () => {
    const scheduler = new Scheduler({ ...limits, maxPrefillBatch: 2, maxPrefillTokens: 100 });
    for (let i = 0; i < 4; i += 1) scheduler.add(sequence('a', i, 0, 40));
    expect(scheduler.schedule().prefill).toHaveLength(2);
    const tight = new Scheduler({ ...limits, maxPrefillTokens: 60 });
    for (let i = 0; i < 4; i += 1) tight.add(sequence('a', i, 0, 40));
    expect(tight.schedule().prefill).toHaveLength(1);
  });

  it('cancels waiting segments at once and hands back running ones to retire', () => {
    const scheduler = new Scheduler({ ...limits, maxRunning: 2 });
    for (let i = 0; i < 4; i += 1) scheduler.add(sequence('a', i, 0));
    scheduler.schedule();
    const { dropped, running } = scheduler.cancelRequest('a');
    expect(names(dropped)).toEqual(['a2', 'a3']);
    expect(dropped.every((s) => s.status === 'cancelled')).toBe(true);
    for (const s of running) scheduler.retire(s, 'cancelled');
    expect(scheduler.hasWork).toBe(false);
  });

  it('refuses a segment that could overflow a KV slot', () => {
    const scheduler = new Scheduler({ ...limits, maxCacheLength: 1000 });
    expect(() => {
      scheduler.add(sequence('a', 0, 0, 600));
    }).toThrow(SequenceTooLongError);
  });
});

describe('advancing a sequence (EOS rules)', () => {
  const eos = 8;
  /** Logits that make `favourite` overwhelmingly likely. */
  const logitsFor = (favourite: number) => Float32Array.from({ length: eos + 1 }, (_, i) => (i === favourite ? 50 : 0));

  it('cannot stop during the first 11 steps, even when EOS dominates', () => {
    const s = sequence('a', 0, 0);
    for (let step = 0; step < 11; step += 1) {
      const result = advanceSequence(s, logitsFor(eos), eos);
      expect(result.finished).toBe(false);
    }
    expect(s.generated).toHaveLength(11);
    expect(s.generated.includes(eos)).toBe(false);
    expect(advanceSequence(s, logitsFor(eos), eos)).toEqual({ finished: true });
    expect(s.generated).toHaveLength(11);
  });

  it('stops when the argmax is EOS even if another token is drawn, dropping that draw', () => {
    const s = sequence('a', 0, 0);
    s.step = 20;
    // EOS leads token 3 by a hair: about half the draws pick token 3, but the argmax is EOS, so the sequence stops
    // whichever is drawn.
    const logits = Float32Array.from({ length: eos + 1 }, (_, i) => (i === eos ? 10.0001 : i === 3 ? 10 : -50));
    const result = advanceSequence(s, logits, eos);
    expect(result.finished).toBe(true);
    expect(s.generated).toEqual([]);
  });

  it('stops at step 1499 keeping 1499 tokens', () => {
    const s = sequence('a', 0, 0);
    for (let step = 0; step < 1499; step += 1) s.generated.push(1);
    s.step = 1499;
    expect(advanceSequence(s, logitsFor(2), eos)).toEqual({ finished: true });
    expect(s.generated).toHaveLength(1499);
  });

  it('penalizes tokens already in the prompt', () => {
    const s = sequence('a', 0, 0);
    s.step = 20;
    const prompt = s.input.promptTokens;
    prompt.fill(4);
    // Token 4 leads by a margin the 1.35 penalty (10/1.35 ≈ 7.4) removes; token 5 then dominates.
    const logits = Float32Array.from({ length: eos + 1 }, (_, i) => (i === 4 ? 10 : i === 5 ? 9 : -50));
    const result = advanceSequence(s, logits, eos);
    expect(result).toEqual({ finished: false, token: 5 });
  });
});
