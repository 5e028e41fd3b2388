/** Secrets the test worker and the fake origin share. Test-only values. */
export const TEST_SECRETS = {
  signing: 'gateway-test-signing-secret-0123456789abcdef',
  admin: 'gateway-test-admin-secret',
  stripe: 'sk_test_fake_stripe_key',
} as const;
