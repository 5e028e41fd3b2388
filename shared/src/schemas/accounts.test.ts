import { describe, expect, it } from 'vitest';
import { parseOrThrow } from '../errors/validation.ts';
import { createApiKeyRequestSchema, planSchema } from './accounts.ts';

const plan = { requests_per_minute: 60, max_concurrent: 2, price_per_1k_chars_micros: 15_000, cache_hit_price_per_1k_chars_micros: 1_500 };

describe('API key plans', () => {
  it('fills in an unlimited quota and USD', () => {
    expect(parseOrThrow(planSchema, plan)).toEqual({ ...plan, monthly_character_quota: null, currency: 'usd' });
  });

  it('names the field at fault', () => {
    expect(() => parseOrThrow(planSchema, { ...plan, max_concurrent: 0 })).toThrow(
      expect.objectContaining({ code: 'invalid_field', param: 'max_concurrent' }),
    );
    expect(() => parseOrThrow(planSchema, { ...plan, price_per_1k_chars_micros: 0.5 })).toThrow(
      expect.objectContaining({ param: 'price_per_1k_chars_micros' }),
    );
    expect(() => parseOrThrow(createApiKeyRequestSchema, { plan, rpm: 3 })).toThrow(
      expect.objectContaining({ code: 'unknown_field', param: 'rpm' }),
    );
  });

  it('defaults a new key to live mode without a Stripe customer', () => {
    expect(parseOrThrow(createApiKeyRequestSchema, { plan })).toMatchObject({ name: '', mode: 'live', stripe_customer_id: null });
  });
});
