import { describe, expect, it } from 'vitest';
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
});
