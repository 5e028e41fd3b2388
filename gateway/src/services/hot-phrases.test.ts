import { describe, expect, it } from 'vitest';
import { HotPhrases, readUpTo, streamOf } from './hot-phrases.ts';
import type { PhraseMeta } from './phrase-cache.ts';

const meta: PhraseMeta = { contentType: 'audio/wav', seed: '1', sampleRate: '32000', characters: 5, audioSeconds: 0.1, voice: 'tone' };
const bytes = (size: number, fill = 1) => new Uint8Array(size).fill(fill);

describe('HotPhrases', () => {
  it('keeps phrases within its byte budget, evicting the least recently used', () => {
    const hot = new HotPhrases(30, 20);
    hot.put('a', bytes(10), meta);
    hot.put('b', bytes(10), meta);
    hot.get('a');
    hot.put('c', bytes(10), meta);
    expect(hot.bytes).toBe(30);
    hot.put('d', bytes(10), meta);
    expect([hot.get('a'), hot.get('b'), hot.get('c'), hot.get('d')].map((entry) => entry !== undefined)).toEqual([true, false, true, true]);
    expect(hot.bytes).toBe(30);
  });

  it('refuses empty phrases and phrases over the entry limit, and replaces a phrase put twice', () => {
    const hot = new HotPhrases(100, 20);
    hot.put('empty', bytes(0), meta);
    hot.put('large', bytes(21), meta);
    expect([hot.get('empty'), hot.get('large')]).toEqual([undefined, undefined]);
    hot.put('same', bytes(10), meta);
    hot.put('same', bytes(12), meta);
    expect(hot.bytes).toBe(12);
    hot.delete('same');
    expect(hot.bytes).toBe(0);
  });

  it('keeps its own copy and hands each answer a fresh one', async () => {
    const hot = new HotPhrases(100, 20);
    const source = bytes(4, 7);
    hot.put('p', source, meta);
    source.fill(0);
    const entry = hot.get('p');
    if (entry === undefined) throw new Error('not kept');
    const first = await readUpTo(streamOf(entry.bytes), 100);
    first?.fill(9);
    expect(await readUpTo(streamOf(entry.bytes), 100)).toEqual(bytes(4, 7));
  });

  it('reads a body whole, or gives up past the limit', async () => {
    const body = () => new Response(bytes(10)).body as ReadableStream<Uint8Array>;
    expect(await readUpTo(body(), 10)).toEqual(bytes(10));
    expect(await readUpTo(body(), 9)).toBeNull();
  });
});
