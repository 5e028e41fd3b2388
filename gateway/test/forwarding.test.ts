/**
 * Forwarding to GPU function origins: failover before the first byte (refused connection, 5xx, timeout, empty
 * answer, refused signature), passive health, origin selection, and what happens when an origin dies mid-stream.
 */
import { describe, expect, it } from 'vitest';
import { OriginPool } from '../src/services/origin-pool.ts';
import { bearer, bytesOf, call, createKey, errorOf, originStats, origins, setOriginDown } from './helpers.ts';

function post(secret: string, text: string, vars: Record<string, string>, body: Record<string, unknown> = {}) {
  return call('/v1/tts', { method: 'POST', headers: bearer(secret), body: JSON.stringify({ text, voice: 'tone', ...body }) }, vars);
}

async function usageOf(secret: string) {
  const { response } = await call('/v1/usage', { headers: bearer(secret) });
  return await response.json<{ totals: { requests: number }; quota: { reserved_characters: number } }>();
}

describe('failover before the first byte', () => {
  it('moves on from a refused connection and from a 503, then skips the failed origins for a while', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('refused', 'fail503-a', 'ok-failover'), ORIGIN_STRATEGY: 'round-robin', ORIGIN_MAX_ATTEMPTS: '3' };
    const send = async (text: string) => {
      const { response, settled } = await post(key.secret, text, vars);
      expect(response.status).toBe(200);
      expect((await bytesOf(response)).length).toBeGreaterThan(44);
      await settled();
    };
    // The turn is shared with model-list calls, so where a request starts varies: send until the overloaded origin
    // has been met.
    let sent = 0;
    for (; sent < 6 && (await originStats('fail503-a')).synthesize === 0; sent += 1) await send(`Failover ${String(sent)}.`);
    expect((await originStats('fail503-a')).synthesize).toBe(1);

    for (const text of ['Failover two.', 'Failover three.']) await send(text);
    // Both bad origins are marked down after one failure each, so only the healthy origin is called again.
    expect((await originStats('fail503-a')).synthesize).toBe(1);
    expect((await originStats('ok-failover')).synthesize).toBe(sent + 2);
  });

  it('times out an origin that sends nothing and uses the next', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('hang-a', 'ok-after-hang'), ORIGIN_STRATEGY: 'round-robin', ORIGIN_TIMEOUT_MS: '300' };
    const results = [];
    for (const text of ['Timeout one.', 'Timeout two.']) {
      const { response, settled } = await post(key.secret, text, vars);
      results.push(response.status);
      await bytesOf(response);
      await settled();
    }
    expect(results).toEqual([200, 200]);
    expect((await originStats('ok-after-hang')).synthesize).toBe(2);
  });

  it('treats an empty answer and a refused signature as origin failures', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('empty-a', 'badsig-a', 'ok-after-bad'), ORIGIN_STRATEGY: 'round-robin' };
    const { response, settled } = await post(key.secret, 'Not silence.', vars);
    expect(response.status).toBe(200);
    await bytesOf(response);
    await settled();
    expect((await originStats('ok-after-bad')).synthesize).toBe(1);
  });

  it('answers 503/502/504 in the envelope when every origin fails, and bills nothing', async () => {
    const key = await createKey();
    // Nothing listening anywhere is temporary (functions restarting): 503 with Retry-After, not a bad-gateway 502.
    const unavailable = await post(key.secret, 'Nobody home.', { GPU_ORIGINS: origins('refused'), ORIGIN_COOLDOWN_SECONDS: '7' });
    expect(unavailable.response.status).toBe(503);
    expect(unavailable.response.headers.get('retry-after')).toBe('7');
    expect(await errorOf(unavailable.response)).toMatchObject({ code: 'not_ready', type: 'server_error' });
    await unavailable.settled();

    await setOriginDown('down-all', true);
    const bothDown = await post(key.secret, 'Nobody home at all.', { GPU_ORIGINS: origins('refused', 'down-all') });
    await setOriginDown('down-all', false);
    expect(bothDown.response.status).toBe(503);
    expect((await errorOf(bothDown.response)).code).toBe('not_ready');
    await bothDown.settled();

    const timeout = await post(key.secret, 'Nobody answers.', { GPU_ORIGINS: origins('hang-b'), ORIGIN_TIMEOUT_MS: '200' });
    expect(timeout.response.status).toBe(504);
    expect((await errorOf(timeout.response)).code).toBe('origin_timeout');
    await timeout.settled();

    // A timeout says more than a refusal, whichever came last: 504, not a 502 or 503 from the last attempt.
    await setOriginDown('down-mixed', true);
    const alone = await post(key.secret, 'Down first.', { GPU_ORIGINS: origins('down-mixed') });
    expect(alone.response.status).toBe(503);
    await alone.settled();
    const mixed = await post(key.secret, 'Slow, then down.', { GPU_ORIGINS: origins('stuck-mixed', 'down-mixed'), ORIGIN_TIMEOUT_MS: '200' });
    await setOriginDown('down-mixed', false);
    expect(mixed.response.status).toBe(504);
    expect((await errorOf(mixed.response)).code).toBe('origin_timeout');
    await mixed.settled();
    expect((await originStats('stuck-mixed')).synthesize).toBe(1);

    const signature = await post(key.secret, 'Wrong secret.', { GPU_ORIGINS: origins('badsig-b') });
    expect(signature.response.status).toBe(502);
    expect((await errorOf(signature.response)).message).toMatch(/signature/);
    await signature.settled();

    const overloaded = await post(key.secret, 'Too busy.', { GPU_ORIGINS: origins('fail503-b') });
    expect(overloaded.response.status).toBe(503);
    expect(overloaded.response.headers.get('retry-after')).toBe('1');
    expect((await errorOf(overloaded.response)).code).toBe('overloaded');
    await overloaded.settled();

    const usage = await usageOf(key.secret);
    expect(usage.totals.requests).toBe(0);
    expect(usage.quota.reserved_characters).toBe(0);
  });
});

describe('health probes', () => {
  it('brings a restarted origin back through a background /readyz probe, never through a client request', { timeout: 20_000 }, async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('flap-a', 'ok-flap'), ORIGIN_STRATEGY: 'round-robin', ORIGIN_COOLDOWN_SECONDS: '1' };
    await setOriginDown('flap-a', true);
    for (let i = 0; i < 4 && (await originStats('flap-a')).dropped === 0; i += 1) {
      const { response, settled } = await post(key.secret, `Flap down ${String(i)}.`, vars);
      expect(response.status).toBe(200);
      await bytesOf(response);
      await settled();
    }
    expect((await originStats('flap-a')).dropped).toBe(1);
    await setOriginDown('flap-a', false);
    await new Promise((resolve) => setTimeout(resolve, 1100));

    // The cooldown has passed: this request goes to the healthy origin while flap-a is probed in the background.
    const during = await post(key.secret, 'Flap probed.', vars);
    expect(during.response.status).toBe(200);
    await bytesOf(during.response);
    await during.settled();
    expect(await originStats('flap-a')).toMatchObject({ probes: 1, synthesize: 0 });

    for (const text of ['Flap back one.', 'Flap back two.']) {
      const { response, settled } = await post(key.secret, text, vars);
      expect(response.status).toBe(200);
      await bytesOf(response);
      await settled();
    }
    expect((await originStats('flap-a')).synthesize).toBe(1);
  });

  it('makes no client wait on a hanging origin after its first timeout, cooldown over or not', { timeout: 30_000 }, async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('hang-probe', 'ok-hang-probe'), ORIGIN_STRATEGY: 'round-robin', ORIGIN_TIMEOUT_MS: '1500', ORIGIN_COOLDOWN_SECONDS: '0' };
    const durations: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      const started = Date.now();
      const { response, settled } = await post(key.secret, `Hang probe ${String(i)}.`, vars);
      expect(response.status).toBe(200);
      await bytesOf(response);
      durations.push(Date.now() - started);
      await settled();
    }
    // Only a request that met the origin before anything was known of it may wait out ORIGIN_TIMEOUT_MS: model lists
    // are not awaited once one origin carries the model, and after its first timeout only background probes go to it.
    expect(durations.filter((ms) => ms >= 1500).length).toBeLessThanOrEqual(1);
    expect((await originStats('ok-hang-probe')).synthesize).toBe(6);
  });
});

describe('after the first byte', () => {
  it('passes an origin failure mid-stream on as a broken stream: not billed, not cached', async () => {
    const key = await createKey();
    const { response, settled } = await post(key.secret, 'Cut short.', { GPU_ORIGINS: origins('abort-a') });
    expect(response.status).toBe(200);
    await expect(response.arrayBuffer()).rejects.toThrow(/stopped mid-stream/);
    await settled();
    const usage = await usageOf(key.secret);
    expect(usage.totals.requests).toBe(0);
    expect(usage.quota.reserved_characters).toBe(0);

    const retry = await post(key.secret, 'Cut short.', { GPU_ORIGINS: origins('ok-after-abort') });
    expect(retry.response.headers.get('x-cache')).toBe('MISS');
    await bytesOf(retry.response);
    await retry.settled();
  });

  it('passes the stream through as it comes, before the origin has finished', async () => {
    const key = await createKey();
    const { response, settled } = await post(key.secret, 'Slowly streamed.', { GPU_ORIGINS: origins('slow-a') }, { stream: true });
    const reader = (response.body ?? new ReadableStream<Uint8Array>()).getReader();
    const started = Date.now();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect(Date.now() - started).toBeLessThan(140); // the origin waits 150 ms before its second chunk
    while (!(await reader.read()).done) {
      // drain
    }
    await settled();
  });
});

describe('origin selection', () => {
  it('sends a voice only to GPU functions that carry its model, asking each for its models once', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('nomodel-route', 'ok-route'), ORIGIN_STRATEGY: 'round-robin' };
    for (const text of ['Route one.', 'Route two.', 'Route three.']) {
      const { response, settled } = await post(key.secret, text, vars);
      expect(response.status).toBe(200);
      await bytesOf(response);
      await settled();
    }
    expect(await originStats('nomodel-route')).toMatchObject({ models: 1, synthesize: 0 });
    expect(await originStats('ok-route')).toMatchObject({ models: 1, synthesize: 3 });

    const nobody = await post(key.secret, 'No model anywhere.', { GPU_ORIGINS: origins('nomodel-only') });
    expect(nobody.response.status).toBe(502);
    expect((await errorOf(nobody.response)).message).toMatch(/carries model bundle "tiny"/);
    await nobody.settled();
  });

  it('takes origins in turn (round-robin), skipping one marked down unless all are', () => {
    let now = 0;
    const pool = new OriginPool(['a', 'b', 'c'], 'round-robin', 1000, () => now);
    const firsts = [pool.order()[0], pool.order()[0], pool.order()[0]];
    expect(new Set(firsts)).toEqual(new Set(['a', 'b', 'c']));
    pool.markFailed('b');
    for (let i = 0; i < 3; i += 1) expect(pool.order().slice(0, 2)).not.toContain('b');
    expect(pool.order().at(-1)).toBe('b');
    expect(pool.claimProbes(500)).toEqual([]);
    // Past its cooldown a failed origin is due for a probe, not back in rotation: no client request is the probe.
    now = 1001;
    expect(pool.isDown('b')).toBe(true);
    expect(pool.order().at(-1)).toBe('b');
    expect(pool.claimProbes(500)).toEqual(['b']);
    expect(pool.claimProbes(500)).toEqual([]);
    pool.probed('b', false);
    now = 1500;
    expect(pool.claimProbes(500)).toEqual([]);
    now = 2001;
    expect(pool.claimProbes(500)).toEqual(['b']);
    pool.probed('b', true);
    expect(pool.isDown('b')).toBe(false);
    expect(new Set([pool.order()[0], pool.order()[0], pool.order()[0]])).toEqual(new Set(['a', 'b', 'c']));
  });

  it('shares the turns evenly among the healthy origins while one is down', () => {
    const pool = new OriginPool(['even-a', 'even-b', 'even-c'], 'round-robin', 1000);
    pool.markFailed('even-c');
    const firsts = Array.from({ length: 6 }, () => pool.order()[0]);
    expect(firsts.filter((origin) => origin === 'even-a')).toHaveLength(3);
    expect(firsts.filter((origin) => origin === 'even-b')).toHaveLength(3);
  });

  it('probes again a claimed origin whose probe never reported back', () => {
    let now = 0;
    const pool = new OriginPool(['p', 'q'], 'round-robin', 1000, () => now);
    pool.markFailed('p');
    now = 1000;
    expect(pool.claimProbes(300)).toEqual(['p']);
    now = 1299;
    expect(pool.claimProbes(300)).toEqual([]);
    now = 1300;
    expect(pool.claimProbes(300)).toEqual(['p']);
  });

  it('prefers the origin with the fewest requests in flight (least-outstanding)', () => {
    const pool = new OriginPool(['x', 'y'], 'least-outstanding', 1000);
    pool.begin('x');
    pool.begin('x');
    pool.begin('y');
    for (let i = 0; i < 4; i += 1) expect(pool.order()[0]).toBe('y');
    pool.end('x');
    pool.end('x');
    expect(pool.order()[0]).toBe('x');
  });

  it('sends a new request to the idle origin while another origin is streaming', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('slow-lo', 'ok-lo'), ORIGIN_STRATEGY: 'least-outstanding' };
    // Learn both model lists first: a request no longer waits for every list, and one still loading is in flight.
    const warm = await post(key.secret, 'Warm.', vars);
    await bytesOf(warm.response);
    await warm.settled();
    const [slowBefore, okBefore] = [(await originStats('slow-lo')).synthesize, (await originStats('ok-lo')).synthesize];
    // Whichever origin the first request lands on, the second must go to the other one.
    const first = await post(key.secret, 'Long one.', vars, { stream: true });
    const second = await post(key.secret, 'Short one.', vars);
    await bytesOf(second.response);
    await bytesOf(first.response);
    await Promise.all([first.settled(), second.settled()]);
    const [slow, ok] = [await originStats('slow-lo'), await originStats('ok-lo')];
    expect(slow.synthesize - slowBefore).toBe(1);
    expect(ok.synthesize - okBefore).toBe(1);
  });
});
