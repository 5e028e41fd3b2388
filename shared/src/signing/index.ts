export * from './headers.ts';
export { MemoryNonceStore, type MemoryNonceStoreOptions, type NonceStore } from './nonce-store.ts';
export { signRequest, type SignRequestInput } from './sign.ts';
export { audienceOf } from './string-to-sign.ts';
export { verifyRequest, type VerifyRequestInput } from './verify.ts';
