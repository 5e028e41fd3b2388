/**
 * API key format: `sk_live_` or `sk_test_`, 32 random base62 characters (about 190 bits), then a 6-character
 * base62 checksum of everything before it. The checksum lets the gateway refuse a mistyped or truncated key without
 * a database lookup, and lets secret scanners recognise real keys (the scheme GitHub's tokens use).
 *
 * The checksum is the first 32 bits of SHA-256 rather than CRC32 because WebCrypto already provides SHA-256 in
 * workerd and Node, so no extra code or package is needed; any single-character typo changes it.
 * @module
 */
import { sha256Hex } from '@gsv-edge/shared';
import type { ApiKeyMode } from '@gsv-edge/shared';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const RANDOM_CHARS = 32;
const CHECKSUM_CHARS = 6;
const KEY_PATTERN = /^sk_(live|test)_([0-9A-Za-z]{32})([0-9A-Za-z]{6})$/;

export type ParsedKey =
  | { readonly ok: true; readonly mode: ApiKeyMode }
  | { readonly ok: false; readonly reason: string };

/** A new key secret. Rejection sampling keeps every base62 character equally likely. */
export async function generateKey(mode: ApiKeyMode): Promise<string> {
  let random = '';
  while (random.length < RANDOM_CHARS) {
    for (const byte of crypto.getRandomValues(new Uint8Array(RANDOM_CHARS))) {
      // 248 = 4 * 62: bytes at or above it would favour the first characters.
      if (byte < 248 && random.length < RANDOM_CHARS) random += BASE62[byte % 62] ?? '';
    }
  }
  const body = `sk_${mode}_${random}`;
  return `${body}${await checksum(body)}`;
}

/** Checks the shape and the checksum; says what is wrong in words a developer can act on. */
export async function parseKey(token: string): Promise<ParsedKey> {
  const match = KEY_PATTERN.exec(token);
  if (match === null) {
    return token.startsWith('sk_live_') || token.startsWith('sk_test_')
      ? { ok: false, reason: `The API key has the wrong length or characters; keys are sk_live_ or sk_test_ followed by ${String(RANDOM_CHARS + CHECKSUM_CHARS)} letters and digits.` }
      : { ok: false, reason: 'The API key must start with sk_live_ or sk_test_.' };
  }
  const [, mode, random, presented] = match;
  if ((await checksum(`sk_${mode ?? ''}_${random ?? ''}`)) !== presented) {
    return { ok: false, reason: 'The API key checksum does not match: the key was mistyped or truncated.' };
  }
  return { ok: true, mode: mode === 'test' ? 'test' : 'live' };
}

/** The form shown in lists and logs: enough to recognise a key, useless to use it. */
export function redactKey(mode: ApiKeyMode, last4: string): string {
  return `sk_${mode}_...${last4}`;
}

/** What is stored and looked up: keys are 190-bit random strings, so a fast hash is safe (no password stretching). */
export async function hashKey(token: string): Promise<string> {
  return sha256Hex(token);
}

/** The checksum of a key's body (`sk_live_` and the random part): public by design, so scanners can check keys. */
export async function checksum(body: string): Promise<string> {
  let value = Number.parseInt((await sha256Hex(body)).slice(0, 8), 16);
  let text = '';
  for (let i = 0; i < CHECKSUM_CHARS; i += 1) {
    text = (BASE62[value % 62] ?? '') + text;
    value = Math.floor(value / 62);
  }
  return text;
}
