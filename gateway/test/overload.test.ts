/**
 * Overload answered as overload: what the load suite (scripts/reliability/load.ts, issue 14) found when every GPU
 * function was busy. A client must get a documented overload answer (503 with Retry-After), never another 5xx.
 */
import { describe, expect, it } from 'vitest';
import { bearer, call, createKey, errorOf, origins } from './helpers.ts';

describe('every GPU function failing under load', () => {
  it('answers 503 overloaded with Retry-After when one function is busy and another cannot be reached, tried last', async () => {
    const key = await createKey();
    // In turn from the first: the busy function, then the unreachable one; after that both are marked down and the
    // unreachable one, down for longer, still comes last.
    const vars = { GPU_ORIGINS: origins('fail503-overload', 'refused'), ORIGIN_STRATEGY: 'round-robin' };
    for (const text of ['Busy one.', 'Busy two.']) {
      const answered = await call('/v1/tts', { method: 'POST', headers: bearer(key.secret), body: JSON.stringify({ text, voice: 'tone' }) }, vars);
      expect(answered.response.status).toBe(503);
      expect(answered.response.headers.get('retry-after')).toBe('1');
      expect(await errorOf(answered.response)).toMatchObject({ code: 'overloaded', type: 'server_error' });
      await answered.settled();
    }
  });

  it('never answers overloaded when no function said it was busy', async () => {
    const key = await createKey();
    const answered = await call('/v1/tts', { method: 'POST', headers: bearer(key.secret), body: JSON.stringify({ text: 'Nobody.', voice: 'tone' }) }, { GPU_ORIGINS: origins('refused', 'empty-overload') });
    // The refused origin's model list fails, so the request goes to the one that answers no audio: a synthesis
    // failure (500), not a 503 telling the client to come back.
    expect(answered.response.status).toBe(500);
    expect(await errorOf(answered.response)).toMatchObject({ code: 'synthesis_failed' });
    expect(answered.response.headers.get('retry-after')).toBeNull();
    await answered.settled();
  });
});
