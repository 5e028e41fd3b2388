/**
 * The contract between the gsv-edge gateway and GPU function. Depends on nothing but zod and canonicalize, and runs
 * unchanged in workerd and Node.
 * @module
 */
export * from './bytes.ts';
export * from './cache-key.ts';
export * from './env-vars.ts';
export * from './errors/api-error.ts';
export * from './errors/codes.ts';
export * from './errors/validation.ts';
export * from './http/bounded-body.ts';
export * from './schemas/accounts.ts';
export * from './schemas/common.ts';
export * from './schemas/internal.ts';
export * from './schemas/speech.ts';
export * from './schemas/synthesis.ts';
export * from './schemas/tts.ts';
export * from './schemas/voices.ts';
export * from './signing/index.ts';
export * from './voice-version.ts';
