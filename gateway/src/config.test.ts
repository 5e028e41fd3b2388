import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { gatewayConfig } from './config.ts';

describe('gateway configuration', () => {
  it('derives the synthesis body limit from MAX_INPUT_CHARS, and caps MAX_INPUT_CHARS where prices stay exact', () => {
    expect(gatewayConfig({ ...env, MAX_INPUT_CHARS: '4096' }).maxSynthesisBodyBytes).toBeGreaterThan(4096 * 12);
    expect(gatewayConfig({ ...env, MAX_INPUT_CHARS: '100000' }).maxSynthesisBodyBytes).toBeGreaterThan(100_000 * 12);
    expect(() => gatewayConfig({ ...env, MAX_INPUT_CHARS: '100001' })).toThrow(/misconfigured/);
  });

  it('refuses a lease shorter than the longest request, which would free its slot while it still runs', () => {
    expect(() => gatewayConfig({ ...env, LEASE_TTL_SECONDS: '600', ORIGIN_STREAM_TIMEOUT_MS: '600000' })).toThrow(/misconfigured/);
    expect(gatewayConfig({ ...env, LEASE_TTL_SECONDS: '700', ORIGIN_STREAM_TIMEOUT_MS: '600000' }).leaseTtlMs).toBe(700_000);
  });
});
