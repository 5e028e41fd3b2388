import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from '../bytes.ts';
import { SIGNATURE_HEADERS } from './headers.ts';
import { MemoryNonceStore } from './nonce-store.ts';
import { signRequest } from './sign.ts';
import { verifyRequest, type VerifyRequestInput } from './verify.ts';

const secret = 'test-secret-0123456789abcdef0123456789';
const otherSecret = 'another-secret-0123456789abcdef01234567';
const path = '/internal/v1/synthesize';
const audience = 'http://gpu-1.internal:9880';
const body = '{"hello":"world"}';
const now = 1_764_000_000_000;

async function signed(overrides: { secret?: string; body?: string; timestamp?: number; audience?: string } = {}) {
  return new Headers(
    await signRequest({
      secret: overrides.secret ?? secret,
      audience: overrides.audience ?? audience,
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
    audience,
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
      audience,
      method: 'post',
      pathAndQuery: path,
      body,
      timestamp: 1764000000,
      nonce: '00112233445566778899aabbccddeeff',
    });
    expect(headers).toEqual({
      'x-gsv-timestamp': '1764000000',
      'x-gsv-nonce': '00112233445566778899aabbccddeeff',
      'x-gsv-signature': 'v2=6b69234f47ab8fbd042d8123687e350a0dc4712662c1ecd2b251b75b1e8596f2',
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
      [SIGNATURE_HEADERS.signature, 'v2=zz'],
      [SIGNATURE_HEADERS.signature, 'v2=00'],
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
    await expect(signRequest({ secret: 'short', audience, method: 'POST', pathAndQuery: path, body })).rejects.toThrow(/at least 32 bytes/);
  });

  // The security suite (scripts/reliability/security.ts) found each of these accepted by the v1 verifier.
  it('binds the signature to the origin it was sent to, so it is refused on any other service', async () => {
    const forOther = await signed({ audience: 'http://gpu-2.internal:9880' });
    await expect(verify(forOther)).rejects.toMatchObject({ code: 'invalid_signature', status: 401 });
    await expect(verify(await signed(), { audience: 'https://gateway.example.com' })).rejects.toMatchObject({ code: 'invalid_signature' });
    // Only the origin counts, in its canonical form.
    await expect(verify(await signed({ audience: 'HTTP://GPU-1.internal:9880/some/base/' }))).resolves.toBeUndefined();
    await expect(signRequest({ secret, audience: 'gpu-1.internal', method: 'GET', pathAndQuery: path, body: '' })).rejects.toThrow();
  });

  it('accepts each header in its one spelling only', async () => {
    const respellings: [string, (value: string) => string][] = [
      [SIGNATURE_HEADERS.signature, (value) => `v2=${value.slice(3).toUpperCase()}`],
      [SIGNATURE_HEADERS.signature, (value) => `V2=${value.slice(3)}`],
      [SIGNATURE_HEADERS.signature, (value) => `v1=${value.slice(3)}`],
      [SIGNATURE_HEADERS.timestamp, (value) => `0${value}`],
      [SIGNATURE_HEADERS.timestamp, (value) => `+${value}`],
      [SIGNATURE_HEADERS.nonce, (value) => value.toUpperCase()],
    ];
    for (const [name, respell] of respellings) {
      const headers = await signed();
      headers.set(name, respell(headers.get(name) ?? ''));
      await expect(verify(headers)).rejects.toMatchObject({ code: 'invalid_signature' });
    }
  });

  it('still refuses a replay at the last millisecond of the window, when the nonce store would forget it', async () => {
    let clock = now;
    const nonces = new MemoryNonceStore({ now: () => clock });
    const timestamp = now / 1000;
    const headers = await signed({ timestamp });
    await verify(headers, { nonces, now: clock });
    clock = (timestamp + 300) * 1000;
    await expect(verify(headers, { nonces, now: clock })).rejects.toMatchObject({ code: 'replayed_request' });
    clock += 1;
    await expect(verify(headers, { nonces, now: clock })).rejects.toMatchObject({ code: 'stale_request' });
  });

  it('still refuses a replay that passed the window check just before its end and reaches the nonce store just after', async () => {
    // The MAC check awaits between the two: under load the store reads its clock tens of milliseconds later.
    const timestamp = now / 1000;
    const edge = (timestamp + 300) * 1000;
    let storeClock = now;
    const nonces = new MemoryNonceStore({ now: () => storeClock });
    const headers = await signed({ timestamp });
    await verify(headers, { nonces, now });
    storeClock = edge + 50;
    await expect(verify(headers, { nonces, now: edge - 50 })).rejects.toMatchObject({ code: 'replayed_request' });
  });

  it('refuses requests signed before the verifier started (a restarted process has forgotten their nonces)', async () => {
    const started = now / 1000;
    await expect(verify(await signed({ timestamp: started - 1 }), { notBefore: started })).rejects.toMatchObject({ code: 'stale_request', status: 401 });
    await expect(verify(await signed({ timestamp: started }), { notBefore: started })).resolves.toBeUndefined();
  });

  it('refuses a signature for any other audience, method, path, body, timestamp or nonce (property)', async () => {
    const part = fc.constantFrom('audience', 'method', 'path', 'body', 'timestamp', 'nonce');
    await fc.assert(
      fc.asyncProperty(part, fc.string({ minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 299 }), async (changed, text, delta) => {
        const signedFor = {
          audience: changed === 'audience' ? `https://x${encodeURIComponent(text).toLowerCase().replace(/[^a-z0-9]/g, '')}.example` : audience,
          method: changed === 'method' ? 'PUT' : 'POST',
          pathAndQuery: changed === 'path' ? `${path}/${encodeURIComponent(text)}` : path,
          body: changed === 'body' ? `${body}${text}` : body,
          timestamp: changed === 'timestamp' ? now / 1000 - delta : now / 1000,
        };
        const headers = new Headers(await signRequest({ secret, ...signedFor }));
        // The headers then carry values other than the signed ones.
        if (changed === 'timestamp') headers.set(SIGNATURE_HEADERS.timestamp, String(now / 1000));
        if (changed === 'nonce') headers.set(SIGNATURE_HEADERS.nonce, '0'.repeat(31) + String(delta % 10));
        await expect(verify(headers)).rejects.toMatchObject({ code: 'invalid_signature' });
      }),
      { numRuns: 60 },
    );
  });
});
