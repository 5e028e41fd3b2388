/**
 * API keys (format, checksum, storage, the distinct authentication errors, revocation), the admin API (keys, voices,
 * its own authentication), the internal routes GPU functions fetch voices from, plus CORS and security headers.
 */
import { env, exports } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { sha256Hex, signRequest, type ApiKey, type Voice } from '@gsv-edge/shared';
import { generateKey, parseKey } from '../src/services/key-format.ts';
import { adminHeaders, bearer, bytesOf, call, createKey, errorOf, originStats, origins, testEnv } from './helpers.ts';
import { TEST_SECRETS } from './secrets.ts';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

async function usage(authorization?: string) {
  const { response } = await call('/v1/usage', authorization === undefined ? {} : { headers: { authorization } });
  return response;
}

describe('key format', () => {
  it('makes sk_live_/sk_test_ keys of 190 random bits plus a checksum that catches any one-character typo', async () => {
    const key = await generateKey('live');
    expect(key).toMatch(/^sk_live_[0-9A-Za-z]{38}$/);
    expect(await parseKey(key)).toEqual({ ok: true, mode: 'live' });
    expect(await parseKey(await generateKey('test'))).toEqual({ ok: true, mode: 'test' });
    for (const position of [8, 20, 39, 45]) {
      const original = key[position] ?? '0';
      const typo = `${key.slice(0, position)}${BASE62[(BASE62.indexOf(original) + 1) % 62] ?? ''}${key.slice(position + 1)}`;
      expect(await parseKey(typo)).toMatchObject({ ok: false, reason: expect.stringMatching(/checksum/) as string });
    }
    expect(await parseKey(key.slice(0, -1))).toMatchObject({ ok: false, reason: expect.stringMatching(/length/) as string });
    expect(await parseKey('pk_live_abc')).toMatchObject({ ok: false, reason: expect.stringMatching(/start with/) as string });
  });
});

describe('authentication', () => {
  it('tells missing, malformed, forged, unknown and revoked keys apart', async () => {
    const missing = await usage();
    expect(missing.status).toBe(401);
    expect((await errorOf(missing)).code).toBe('missing_api_key');

    const basic = await usage('Basic dXNlcjpwYXNz');
    expect([basic.status, (await errorOf(basic)).code]).toEqual([401, 'malformed_api_key']);

    const short = await usage('Bearer sk_live_tooShort');
    expect([short.status, (await errorOf(short)).code]).toEqual([401, 'malformed_api_key']);

    const real = await generateKey('live');
    const forged = `${real.slice(0, -6)}${real.slice(-6).split('').reverse().join('')}`;
    const forgedResponse = await usage(`Bearer ${forged === real ? `${real.slice(0, -1)}0` : forged}`);
    expect(forgedResponse.status).toBe(401);
    expect(await errorOf(forgedResponse)).toMatchObject({ code: 'malformed_api_key', message: expect.stringMatching(/checksum/) as string });

    const unknown = await usage(`Bearer ${real}`);
    expect([unknown.status, (await errorOf(unknown)).code]).toEqual([401, 'invalid_api_key']);

    const key = await createKey();
    expect((await usage(`Bearer ${key.secret}`)).status).toBe(200);
    await call(`/admin/keys/${key.id}/revoke`, { method: 'POST', headers: adminHeaders });
    const revoked = await usage(`Bearer ${key.secret}`);
    expect(revoked.status).toBe(403);
    expect(await errorOf(revoked)).toMatchObject({ code: 'revoked_api_key', type: 'permission_error' });
  });

  it('stores only the SHA-256, caches it in KV for 60 s, and revokes at once even while KV still has the key', async () => {
    const key = await createKey();
    const hash = await sha256Hex(key.secret);
    const row = await env.DB.prepare('SELECT * FROM api_keys WHERE id = ?').bind(key.id).first();
    expect(row?.key_hash).toBe(hash);
    expect(Object.values(row ?? {})).not.toContain(key.secret);

    expect((await usage(`Bearer ${key.secret}`)).status).toBe(200);
    const listed = await env.KEY_CACHE.list({ prefix: `key:${hash}` });
    const expiration = listed.keys[0]?.expiration ?? 0;
    expect(expiration - Date.now() / 1000).toBeGreaterThan(50);
    expect(expiration - Date.now() / 1000).toBeLessThanOrEqual(61);
    const cached = await env.KEY_CACHE.get(`key:${hash}`);

    await call(`/admin/keys/${key.id}/revoke`, { method: 'POST', headers: adminHeaders });
    // Another location's KV may still serve the old record for up to its TTL; the Durable Object refuses anyway.
    await env.KEY_CACHE.put(`key:${hash}`, cached ?? '', { expirationTtl: 60 });
    const response = await usage(`Bearer ${key.secret}`);
    expect([response.status, (await errorOf(response)).code]).toEqual([403, 'revoked_api_key']);
  });

  it('accepts test-mode keys like live ones', async () => {
    const key = await createKey({}, { mode: 'test' });
    expect(key.secret).toMatch(/^sk_test_/);
    expect(key.redacted).toBe(`sk_test_...${key.secret.slice(-4)}`);
    expect((await usage(`Bearer ${key.secret}`)).status).toBe(200);
  });
});

describe('admin API', () => {
  it('needs the admin secret: 401 without a token, 403 with a wrong one, a customer key, or none configured', async () => {
    const key = await createKey();
    const none = await call('/admin/keys');
    expect([none.response.status, (await errorOf(none.response)).code]).toEqual([401, 'missing_api_key']);
    for (const token of ['wrong-secret', key.secret]) {
      const { response } = await call('/admin/keys', { headers: { authorization: `Bearer ${token}` } });
      expect([response.status, (await errorOf(response)).code]).toEqual([403, 'admin_required']);
    }
    const disabled = await call('/admin/keys', { headers: adminHeaders }, { ADMIN_SECRET: '' });
    expect((await errorOf(disabled.response)).message).toMatch(/disabled/);
  });

  it('creates, shows, lists and revokes keys; the secret is shown once', async () => {
    const created = await createKey({ monthly_character_quota: 1000 }, { name: 'Acme' });
    expect(created).toMatchObject({ object: 'api_key', name: 'Acme', mode: 'live', revoked_at: null, plan: { monthly_character_quota: 1000, currency: 'usd' } });
    const shown = await (await call(`/admin/keys/${created.id}`, { headers: adminHeaders })).response.json<ApiKey>();
    expect(shown).not.toHaveProperty('secret');
    expect(shown.redacted).toBe(`sk_live_...${created.secret.slice(-4)}`);

    const revoke = await call(`/admin/keys/${created.id}/revoke`, { method: 'POST', headers: adminHeaders });
    expect((await revoke.response.json<ApiKey>()).revoked_at).not.toBeNull();
    const active = await (await call('/admin/keys', { headers: adminHeaders })).response.json<{ data: ApiKey[] }>();
    expect(active.data.map((key) => key.id)).not.toContain(created.id);
    const all = await (await call('/admin/keys?include_revoked=true', { headers: adminHeaders })).response.json<{ data: ApiKey[] }>();
    expect(all.data.map((key) => key.id)).toContain(created.id);
    expect(JSON.stringify(all)).not.toContain(created.secret);

    const missing = await call('/admin/keys/key_0000000000000000', { headers: adminHeaders });
    expect(missing.response.status).toBe(404);
    const invalid = await call('/admin/keys', { method: 'POST', headers: adminHeaders, body: JSON.stringify({ plan: { requests_per_minute: 1 } }) });
    expect(await errorOf(invalid.response)).toMatchObject({ code: 'invalid_field', param: 'plan.max_concurrent' });
  });

  it('creates voices at the gateway: inspected by a GPU function with the model, stored, listed at once', async () => {
    const key = await createKey();
    const vars = { GPU_ORIGINS: origins('nomodel-admin-voices', 'ok-admin-voices'), VOICE_CACHE_TTL_SECONDS: '3600' };
    const listed = async () => (await (await call('/v1/voices', { headers: bearer(key.secret) }, vars)).response.json<{ data: Voice[] }>()).data.map((voice) => voice.id);
    expect(await listed()).not.toContain('newcomer');

    const invalid = await call('/admin/voices', { method: 'POST', headers: adminHeaders, body: JSON.stringify({ id: 'newcomer' }) }, vars);
    expect((await errorOf(invalid.response)).param).toBe('model');
    const upload = { id: 'newcomer', model: 'tiny', prompt_text: 'hello', prompt_lang: 'en', ref_audio: btoa('RIFF ref'), aux_ref_audio: [btoa('RIFF aux')] };
    const notAudio = await call('/admin/voices', { method: 'POST', headers: adminHeaders, body: JSON.stringify({ ...upload, ref_audio: btoa('hello') }) }, vars);
    expect(await errorOf(notAudio.response)).toMatchObject({ code: 'invalid_reference_audio', param: 'ref_audio' });
    const otherModel = await call('/admin/voices', { method: 'POST', headers: adminHeaders, body: JSON.stringify({ ...upload, model: 'other' }) }, vars);
    expect(await errorOf(otherModel.response)).toMatchObject({ code: 'model_not_found', param: 'model' });
    // Only the origin that carries the model was asked to inspect.
    expect((await originStats('nomodel-admin-voices')).inspections).toBe(0);

    const created = await call('/admin/voices', { method: 'POST', headers: adminHeaders, body: JSON.stringify(upload) }, vars);
    expect(created.response.status).toBe(201);
    const voice = await created.response.json<Voice>();
    expect(voice).toMatchObject({ object: 'voice', id: 'newcomer', model: 'tiny', aux_references: [expect.objectContaining({ duration_s: 5 })] });
    expect(voice.reference.sha256).toBe(await sha256Hex('RIFF ref'));
    const conflict = await call('/admin/voices', { method: 'POST', headers: adminHeaders, body: JSON.stringify(upload) }, vars);
    expect([conflict.response.status, (await errorOf(conflict.response)).code]).toEqual([409, 'voice_exists']);
    expect(await listed()).toContain('newcomer');

    const spoken = await call('/v1/tts', { method: 'POST', headers: bearer(key.secret), body: JSON.stringify({ text: 'New voice.', voice: 'newcomer' }) }, vars);
    await bytesOf(spoken.response);
    await spoken.settled();
    expect((await originStats('ok-admin-voices')).jobs.at(-1)?.voice_version).toBe(voice.version);

    const deleted = await call('/admin/voices/newcomer', { method: 'DELETE', headers: adminHeaders }, vars);
    expect(await deleted.response.json()).toEqual({ id: 'newcomer', object: 'voice.deleted', deleted: true });
    expect(await listed()).not.toContain('newcomer');
    const gone = await call('/admin/voices/newcomer', { method: 'DELETE', headers: adminHeaders }, vars);
    expect(await errorOf(gone.response)).toMatchObject({ code: 'voice_not_found' });
    const badId = await call('/admin/voices/Not%20An%20Id', { method: 'DELETE', headers: adminHeaders }, vars);
    expect(await errorOf(badId.response)).toMatchObject({ code: 'invalid_field', param: 'id' });
  });

  // The bad-input suite found uploads queued on the running upload's promise failing in `wrangler dev` (a 500 "Cannot
  // perform I/O on behalf of a different request", or no answer once one in the chain was cancelled). The test
  // runner's worker entry does not reproduce workerd's per-request contexts (these pass on the old code too): the suite is the
  // regression check; these say what a burst of uploads, and one client that went away, must get.
  it('answers every one of several voice uploads sent at once, each as a request of its own', async () => {
    const upload = (id: string, audio: string) => JSON.stringify({ id, model: 'tiny', prompt_text: 'hello', prompt_lang: 'en', ref_audio: btoa(audio) });
    const bodies = Array.from({ length: 8 }, (_, index) => (index % 2 === 0 ? upload(`burst-${String(index)}`, `RIFF burst ${String(index)}`) : upload(`burst-${String(index)}`, 'hello')));
    const answers = await Promise.all(
      bodies.map(async (body) => {
        // Streamed, as bodies arrive from the network (a buffered body needs no I/O to read).
        const stream = new Blob([body]).stream();
        const response = await exports.default.fetch('https://gateway.test/admin/voices', { method: 'POST', headers: adminHeaders, body: stream, duplex: 'half' } as RequestInit);
        return { status: response.status, body: await response.json<{ id?: string; error?: { code: string; param?: string } }>() };
      }),
    );
    for (const [index, answer] of answers.entries()) {
      if (index % 2 === 0) expect(answer).toMatchObject({ status: 201, body: { id: `burst-${String(index)}` } });
      else expect(answer).toMatchObject({ status: 400, body: { error: { code: 'invalid_reference_audio', param: 'ref_audio' } } });
    }
  });

  it('still answers uploads after one whose client stalled and went away mid-body', async () => {
    const stalled = new AbortController();
    const trickle = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"id":"stalled","model":"tiny","prompt_text":"hi","prompt_lang":"en","ref_audio":"'));
      },
    });
    const first = exports.default.fetch('https://gateway.test/admin/voices', { method: 'POST', headers: adminHeaders, body: trickle, duplex: 'half', signal: stalled.signal } as RequestInit).catch(() => null);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const next = exports.default.fetch('https://gateway.test/admin/voices', {
      method: 'POST',
      headers: adminHeaders,
      body: JSON.stringify({ id: 'after-stall', model: 'tiny', prompt_text: 'hello', prompt_lang: 'en', ref_audio: btoa('RIFF after stall') }),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    stalled.abort();
    await first;
    const answer = await next;
    expect(answer.status).toBe(201);
    expect(await answer.json()).toMatchObject({ id: 'after-stall' });
  });

  it('serves a voice and its recordings to GPU functions on signed internal routes only', async () => {
    const audience = 'https://gateway.test';
    const signed = async (path: string) =>
      call(path, { headers: await signRequest({ secret: TEST_SECRETS.signing, audience, method: 'GET', pathAndQuery: path, body: '' }) });
    const voice = await (await signed('/internal/v1/voices/tone')).response.json<Voice>();
    expect(voice).toMatchObject({ object: 'voice', id: 'tone', model: 'tiny' });
    const audio = await signed(`/internal/v1/voice-audio/${voice.reference.sha256}`);
    expect(new TextDecoder().decode(await bytesOf(audio.response))).toBe('RIFF a test recording');
    expect(await errorOf((await signed('/internal/v1/voices/nobody')).response)).toMatchObject({ code: 'voice_not_found' });

    const unsigned = await call('/internal/v1/voices/tone');
    expect(await errorOf(unsigned.response)).toMatchObject({ code: 'invalid_signature' });
    const headers = await signRequest({ secret: TEST_SECRETS.signing, audience, method: 'GET', pathAndQuery: '/internal/v1/voices/tone', body: '' });
    expect((await call('/internal/v1/voices/tone', { headers })).response.status).toBe(200);
    expect(await errorOf((await call('/internal/v1/voices/tone', { headers })).response)).toMatchObject({ code: 'replayed_request' });
    const forged = await signRequest({ secret: 'another-secret-another-secret-another', audience, method: 'GET', pathAndQuery: '/internal/v1/voices/tone', body: '' });
    expect(await errorOf((await call('/internal/v1/voices/tone', { headers: forged })).response)).toMatchObject({ code: 'invalid_signature' });
  });

  // Found by the security suite (scripts/reliability/security.ts): v1 signatures did not name their receiver.
  it('refuses a request signed for another service (a GPU function, another deployment), Host forged or not', async () => {
    const path = '/internal/v1/voices/tone';
    for (const elsewhere of [testEnv.FAKE_ORIGIN, 'https://gateway-staging.test', 'http://gateway.test']) {
      const headers = await signRequest({ secret: TEST_SECRETS.signing, audience: elsewhere, method: 'GET', pathAndQuery: path, body: '' });
      expect(await errorOf((await call(path, { headers })).response)).toMatchObject({ code: 'invalid_signature' });
      expect(await errorOf((await call(path, { headers: { ...headers, host: new URL(elsewhere).host } })).response)).toMatchObject({ code: 'invalid_signature' });
    }
    // With GATEWAY_URL set, that origin is the only one accepted, whatever host the request names.
    const configured = { GATEWAY_URL: 'https://tts.example.com/' };
    const forConfigured = await signRequest({ secret: TEST_SECRETS.signing, audience: 'https://tts.example.com', method: 'GET', pathAndQuery: path, body: '' });
    expect((await call(path, { headers: forConfigured }, configured)).response.status).toBe(200);
    const forRequestHost = await signRequest({ secret: TEST_SECRETS.signing, audience: 'https://gateway.test', method: 'GET', pathAndQuery: path, body: '' });
    expect(await errorOf((await call(path, { headers: forRequestHost }, configured)).response)).toMatchObject({ code: 'invalid_signature' });
  });
});

describe('CORS and security headers', () => {
  it('allows only the configured browser origins and answers preflights', async () => {
    const preflight = {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization' },
    };
    const allowed = await call('/v1/tts', preflight, { CORS_ORIGINS: 'https://app.example' });
    expect(allowed.response.status).toBe(204);
    expect(allowed.response.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(allowed.response.headers.get('access-control-allow-headers')).toMatch(/authorization/);
    const other = await call('/v1/tts', preflight, { CORS_ORIGINS: 'https://other.example' });
    expect(other.response.headers.get('access-control-allow-origin')).toBeNull();
    const off = await call('/v1/tts', preflight);
    expect(off.response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('sends security headers and a request id on errors too', async () => {
    const { response } = await call('/v1/usage');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('strict-transport-security')).toMatch(/max-age/);
    expect(response.headers.get('x-request-id')).toMatch(/\S/);
  });
});
