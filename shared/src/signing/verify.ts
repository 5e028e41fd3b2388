/**
 * Verifies a signed gateway -> GPU function request. Order matters: the MAC is checked before the nonce is recorded,
 * so unsigned traffic cannot fill the nonce store.
 * @module
 */
import { constantTimeEqual, fromHex } from '../bytes.ts';
import { ApiError } from '../errors/api-error.ts';
import { DEFAULT_SIGNATURE_WINDOW_SECONDS, SIGNATURE_HEADERS, SIGNATURE_VERSION_PREFIX } from './headers.ts';
import type { NonceStore } from './nonce-store.ts';
import { hmacSha256, stringToSign } from './string-to-sign.ts';

export interface VerifyRequestInput {
  /** Accepted secrets: the current one first, then any still honoured during a rotation. */
  readonly secrets: readonly string[];
  readonly method: string;
  readonly pathAndQuery: string;
  readonly body: Uint8Array | string;
  readonly headers: Headers;
  readonly nonces: NonceStore;
  readonly windowSeconds?: number;
  /** Milliseconds since the epoch; defaults to now. */
  readonly now?: number;
}

const NONCE_PATTERN = /^[0-9a-f]{32}$/;

/** Resolves when the request is authentic and fresh; throws an {@link ApiError} saying why not otherwise. */
export async function verifyRequest(input: VerifyRequestInput): Promise<void> {
  const windowSeconds = input.windowSeconds ?? DEFAULT_SIGNATURE_WINDOW_SECONDS;
  const timestampText = requireHeader(input.headers, SIGNATURE_HEADERS.timestamp);
  const nonce = requireHeader(input.headers, SIGNATURE_HEADERS.nonce);
  const signature = requireHeader(input.headers, SIGNATURE_HEADERS.signature);

  if (!/^\d{1,12}$/.test(timestampText)) {
    throw new ApiError('invalid_signature', `${SIGNATURE_HEADERS.timestamp} must be Unix seconds.`);
  }
  const timestamp = Number(timestampText);
  const nowSeconds = (input.now ?? Date.now()) / 1000;
  if (Math.abs(nowSeconds - timestamp) > windowSeconds) {
    throw new ApiError(
      'stale_request',
      `The signed timestamp is more than ${String(windowSeconds)} s from this server's clock; check both clocks.`,
    );
  }
  if (!NONCE_PATTERN.test(nonce)) {
    throw new ApiError('invalid_signature', `${SIGNATURE_HEADERS.nonce} must be 32 lower-case hex characters.`);
  }
  const presented = signature.startsWith(SIGNATURE_VERSION_PREFIX)
    ? fromHex(signature.slice(SIGNATURE_VERSION_PREFIX.length))
    : null;
  if (presented === null) {
    throw new ApiError('invalid_signature', `${SIGNATURE_HEADERS.signature} must be "v1=" followed by hex.`);
  }

  const message = await stringToSign({
    method: input.method,
    pathAndQuery: input.pathAndQuery,
    timestamp,
    nonce,
    body: input.body,
  });
  let authentic = false;
  for (const secret of input.secrets) {
    // Every secret is tried even after a match, so timing does not reveal which one signed.
    if (constantTimeEqual(await hmacSha256(secret, message), presented)) authentic = true;
  }
  if (!authentic) throw new ApiError('invalid_signature', 'The request signature does not match.');

  if (!(await input.nonces.claim(nonce, (timestamp + windowSeconds) * 1000))) {
    throw new ApiError('replayed_request', 'This signed request was already received; sign every request anew.');
  }
}

function requireHeader(headers: Headers, name: string): string {
  const value = headers.get(name);
  if (value === null || value === '') {
    throw new ApiError('invalid_signature', `The ${name} header is missing.`);
  }
  return value;
}
