import { describe, expect, it, vi } from 'vitest';
import { MemoryNonceStore } from './nonce-store.ts';

describe('nonce store', () => {
  it('forgets a nonce once it has expired', () => {
    let now = 0;
    const store = new MemoryNonceStore({ now: () => now });
    expect(store.claim('n1', 1000)).toBe(true);
    expect(store.claim('n1', 1000)).toBe(false);
    now = 20_000;
    expect(store.claim('n2', 30_000)).toBe(true);
    expect(store.size).toBe(1);
    expect(store.claim('n1', 30_000)).toBe(true);
  });

  it('refuses new nonces rather than forgetting live ones when full', () => {
    const store = new MemoryNonceStore({ maxEntries: 2, now: () => 0 });
    store.claim('a', 1000);
    store.claim('b', 1000);
    expect(() => store.claim('c', 1000)).toThrow(expect.objectContaining({ code: 'overloaded', status: 503 }));
    expect(store.claim('a', 1000)).toBe(false);
  });

  it('takes new nonces again, when full, as soon as the earliest remembered one expires, and not before', () => {
    let now = 0;
    const store = new MemoryNonceStore({ maxEntries: 3, now: () => now });
    expect([store.claim('a', 5000), store.claim('b', 9000), store.claim('c', 9000)]).toEqual([true, true, true]);
    now = 4999;
    expect(() => store.claim('d', 12_000)).toThrow(expect.objectContaining({ code: 'overloaded' }));
    now = 5000;
    expect(store.claim('d', 12_000)).toBe(true);
    expect(store.size).toBe(3);
    expect(() => store.claim('e', 12_000)).toThrow(expect.objectContaining({ code: 'overloaded' }));
    // The nonces still inside their window are all remembered: each is refused as a replay.
    expect([store.claim('b', 9000), store.claim('c', 9000), store.claim('d', 12_000)]).toEqual([false, false, false]);
  });

  it('sweeps a full store only when something in it can have expired', () => {
    let now = 0;
    const store = new MemoryNonceStore({ maxEntries: 1000, now: () => now });
    for (let i = 0; i < 1000; i += 1) store.claim(`n${String(i)}`, 60_000 + i);
    now = 1;
    const iterate = vi.spyOn(Map.prototype, 'entries');
    const iterator = vi.spyOn(Map.prototype, Symbol.iterator);
    for (let i = 0; i < 100; i += 1) expect(() => store.claim(`x${String(i)}`, 70_000)).toThrow(expect.objectContaining({ code: 'overloaded' }));
    expect(iterate.mock.calls.length + iterator.mock.calls.length).toBe(0);
    iterate.mockRestore();
    iterator.mockRestore();
  });

  it('drops expired nonces when asked its size, with no request coming to sweep them', () => {
    let now = 0;
    const store = new MemoryNonceStore({ now: () => now });
    for (let i = 0; i < 5; i += 1) store.claim(`n${String(i)}`, 1000 + i * 1000);
    expect(store.size).toBe(5);
    now = 3000;
    expect(store.size).toBe(2);
    now = 6000;
    expect(store.size).toBe(0);
  });
});
