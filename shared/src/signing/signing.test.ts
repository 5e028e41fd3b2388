import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.ts';
import { SIGNATURE_HEADERS } from './headers.ts';
import { MemoryNonceStore } from './nonce-store.ts';
import { signRequest } from './sign.ts';
import { verifyRequest, type VerifyRequestInput } from './verify.ts';

const secret = 'test-secret-0123456789abcdef0123456789';
const otherSecret = 'another-secret-0123456789abcdef01234567';
const path = '/internal/v1/synthesize';
const body = '{"hello":"world"}';
const now = 1_764_000_000_000;

async function signed(overrides: { secret?: string; body?: string; timestamp?: number } = {}) {
  return new Headers(
    await signRequest({
      secret: overrides.secret ?? secret,
      method: 'POST',
      pathAndQuery: path,
      body: overrides.body ?? body,
      timestamp: overrides.timestamp ?? now / 1000,
    }),
  );
}

function verify(headers: Headers, overrides: Partial<VerifyRequestInput> = {}) {
  return verifyRequest({
    secrets: [secret],
    method: 'POST',
    pathAndQuery: path,
    body,
    headers,
    nonces: new MemoryNonceStore({ now: () => now }),
    now,
    ...overrides,
  });
}

describe('request signing', () => {
  it('matches an HMAC computed independently (openssl), in every runtime', async () => {
    const headers = await signRequest({
      secret,
      method: 'post',
      pathAndQuery: path,
      body,
      timestamp: 1764000000,
      nonce: '00112233445566778899aabbccddeeff',
    });
    expect(headers).toEqual({
      'x-gsv-timestamp': '1764000000',
      'x-gsv-nonce': '00112233445566778899aabbccddeeff',
      'x-gsv-signature': 'v1=cf9d9b749a631d79012fdf3ef6ad5e86d8c76652ca4be9c9ff057f7cbc19d9cb',
    });
  });

  it('verifies what it signs, for string and byte bodies alike', async () => {
    await expect(verify(await signed())).resolves.toBeUndefined();
    await expect(verify(await signed(), { body: utf8(body) })).resolves.toBeUndefined();
  });

  it('uses a fresh nonce for every signature', async () => {
    const first = await signed();
    const second = await signed();
    expect(first.get(SIGNATURE_HEADERS.nonce)).not.toBe(second.get(SIGNATURE_HEADERS.nonce));
  });

  it('rejects a tampered body', async () => {
    await expect(verify(await signed(), { body: '{"hello":"World"}' })).rejects.toMatchObject({ code: 'invalid_signature', status: 401 });
  });

  it('rejects a different method or path', async () => {
    await expect(verify(await signed(), { method: 'PUT' })).rejects.toMatchObject({ code: 'invalid_signature' });
    await expect(verify(await signed(), { pathAndQuery: `${path}?voice=x` })).rejects.toMatchObject({ code: 'invalid_signature' });
  });

  it('rejects a signature made with the wrong secret', async () => {
    await expect(verify(await signed({ secret: otherSecret }))).rejects.toMatchObject({ code: 'invalid_signature' });
  });

  it('accepts the previous secret during a rotation', async () => {
    await expect(verify(await signed({ secret: otherSecret }), { secrets: [secret, otherSecret] })).resolves.toBeUndefined();
  });

  it('rejects timestamps outside the 300 s window, either way', async () => {
    await expect(verify(await signed({ timestamp: now / 1000 - 301 }))).rejects.toMatchObject({ code: 'stale_request', status: 401 });
    await expect(verify(await signed({ timestamp: now / 1000 + 301 }))).rejects.toMatchObject({ code: 'stale_request' });
    await expect(verify(await signed({ timestamp: now / 1000 - 299 }))).resolves.toBeUndefined();
  });

  it('rejects a replayed nonce, but only once the signature is valid', async () => {
    const nonces = new MemoryNonceStore({ now: () => now });
    const headers = await signed();
    await verify(headers, { nonces });
    await expect(verify(headers, { nonces })).rejects.toMatchObject({ code: 'replayed_request', status: 401 });

    const forged = await signed({ secret: otherSecret });
    await expect(verify(forged, { nonces })).rejects.toMatchObject({ code: 'invalid_signature' });
    expect(nonces.size).toBe(1);
  });

  it('rejects missing and malformed signature headers', async () => {
    for (const name of Object.values(SIGNATURE_HEADERS)) {
      const headers = await signed();
      headers.delete(name);
      await expect(verify(headers)).rejects.toMatchObject({ code: 'invalid_signature', message: expect.stringContaining(name) as string });
    }
    const cases: [string, string][] = [
      [SIGNATURE_HEADERS.signature, 'cf9d9b74'],
      [SIGNATURE_HEADERS.signature, 'v1=zz'],
      [SIGNATURE_HEADERS.signature, 'v1=00'],
      [SIGNATURE_HEADERS.timestamp, '12.5'],
      [SIGNATURE_HEADERS.nonce, 'short'],
    ];
    for (const [name, value] of cases) {
      const headers = await signed();
      headers.set(name, value);
      await expect(verify(headers)).rejects.toMatchObject({ status: 401 });
    }
  });

  it('refuses to sign with a short secret', async () => {
    await expect(signRequest({ secret: 'short', method: 'POST', pathAndQuery: path, body })).rejects.toThrow(/at least 32 bytes/);
  });
});
