import { describe, expect, it } from 'vitest';
import { serverConfig } from './config.ts';

const secret = 'x'.repeat(32);

describe('GPU function configuration', () => {
  it('takes bundles from --bundle and GSV_BUNDLES, and defaults the rest', () => {
    const config = serverConfig(['--bundle', 'models/a', '--port', '8081'], { SIGNING_SECRET: secret, GSV_BUNDLES: 'models/b, models/c' });
    expect(config.bundles.map((dir) => dir.split('/').slice(-2).join('/'))).toEqual(['models/a', 'models/b', 'models/c']);
    expect(config).toMatchObject({ port: 8081, host: '127.0.0.1', gatewayUrl: null, maxConcurrentRequests: 32, secrets: [secret] });
  });

  it('takes the origin the gateway signs for, in its canonical form; by default the address it listens on', () => {
    const listening = serverConfig([], { SIGNING_SECRET: secret, GSV_BUNDLES: 'm', HOST: '0.0.0.0', PUBLIC_ORIGIN: 'HTTPS://GPU-1.example.com:443/' });
    expect(listening.publicOrigin).toBe('https://gpu-1.example.com');
    expect(serverConfig([], { SIGNING_SECRET: secret, GSV_BUNDLES: 'm' }).publicOrigin).toBeNull();
  });

  it('bounds what the function holds in memory, by default and as configured', () => {
    const defaults = serverConfig([], { SIGNING_SECRET: secret, GSV_BUNDLES: 'm' });
    expect(defaults).toMatchObject({ maxConcurrentInspections: 2, nonceStoreMaxEntries: 1_000_000, signatureWindowSeconds: 300, limits: { voiceCacheEntries: 64, voiceCacheBytes: 256 * 1024 * 1024, voiceDefinitions: 10_000 } });
    const set = serverConfig([], { SIGNING_SECRET: secret, GSV_BUNDLES: 'm', MAX_CONCURRENT_INSPECTIONS: '1', NONCE_STORE_MAX_ENTRIES: '5000', VOICE_CACHE_ENTRIES: '3', VOICE_CACHE_MAX_BYTES: '1048576' });
    expect(set).toMatchObject({ maxConcurrentInspections: 1, nonceStoreMaxEntries: 5000, limits: { voiceCacheEntries: 3, voiceCacheBytes: 1_048_576 } });
  });

  it.each([
    [{}, /SIGNING_SECRET/],
    [{ SIGNING_SECRET: secret, GSV_BUNDLES: 'm', VOICE_CACHE_ENTRIES: '0' }, /VOICE_CACHE_ENTRIES must be an integer from 1/],
    [{ SIGNING_SECRET: secret, GSV_BUNDLES: 'm', NONCE_STORE_MAX_ENTRIES: 'lots' }, /NONCE_STORE_MAX_ENTRIES/],
    [{ SIGNING_SECRET: 'short' }, /SIGNING_SECRET must be at least 32 bytes/],
    [{ SIGNING_SECRET: secret, GSV_BUNDLES: 'm', PORT: 'eighty' }, /PORT must be an integer/],
    [{ SIGNING_SECRET: secret, GSV_BUNDLES: 'm', GATEWAY_URL: 'ftp://gateway' }, /GATEWAY_URL/],
    [{ SIGNING_SECRET: secret }, /no model bundle/],
    [{ SIGNING_SECRET: secret, GSV_BUNDLES: 'm', ORT_EP: 'tpu' }, /ORT_EP/],
    [{ SIGNING_SECRET: secret, GSV_BUNDLES: 'm', HOST: '0.0.0.0' }, /PUBLIC_ORIGIN must be set when HOST is 0.0.0.0/],
    [{ SIGNING_SECRET: secret, GSV_BUNDLES: 'm', PUBLIC_ORIGIN: 'gpu-1.example.com' }, /PUBLIC_ORIGIN/],
  ])('refuses %j, naming what is wrong', (env, message) => {
    expect(() => serverConfig([], env)).toThrow(message);
  });
});
