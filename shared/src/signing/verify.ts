/**
 * Verifies a signed internal request. Order matters: the MAC is checked before the nonce is recorded, so unsigned
 * traffic cannot fill the nonce store. Each header has one spelling only (lower-case hex, a timestamp without
 * leading zeros), so a captured request cannot be sent again in another spelling of the same signature.
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
  /** This service's own origin, as its callers address it: a request signed for another service is refused. */
  readonly audience: string;
  readonly method: string;
  readonly pathAndQuery: string;
  readonly body: Uint8Array | string;
  readonly headers: Headers;
  readonly nonces: NonceStore;
  readonly windowSeconds?: number;
  /** Milliseconds since the epoch; defaults to now. */
  readonly now?: number;
  /**
   * Unix seconds before which timestamps are refused as stale: when `nonces` began remembering. A process that
   * restarts with an empty store cannot tell a request its predecessor accepted from a new one, so it accepts none
   * signed before it started.
   */
  readonly notBefore?: number;
}

const NONCE_PATTERN = /^[0-9a-f]{32}$/;
/** Unix seconds as the signer writes them (`String(number)`): no sign, no leading zero, no fraction. */
const TIMESTAMP_PATTERN = /^(0|[1-9][0-9]{0,11})$/;
/** How long past the window's end a nonce is still remembered; see the claim below. */
const NONCE_GRACE_MS = 1000;
/** An HMAC-SHA256 in lower-case hex, as the signer writes it. */
const MAC_PATTERN = /^[0-9a-f]{64}$/;

/** Resolves when the request is authentic and fresh; throws an {@link ApiError} saying why not otherwise. */
export async function verifyRequest(input: VerifyRequestInput): Promise<void> {
  const windowSeconds = input.windowSeconds ?? DEFAULT_SIGNATURE_WINDOW_SECONDS;
  const timestampText = requireHeader(input.headers, SIGNATURE_HEADERS.timestamp);
  const nonce = requireHeader(input.headers, SIGNATURE_HEADERS.nonce);
  const signature = requireHeader(input.headers, SIGNATURE_HEADERS.signature);

  if (!TIMESTAMP_PATTERN.test(timestampText)) {
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
  if (input.notBefore !== undefined && timestamp < input.notBefore) {
    throw new ApiError('stale_request', 'The request was signed before this server started; sign it anew.');
  }
  if (!NONCE_PATTERN.test(nonce)) {
    throw new ApiError('invalid_signature', `${SIGNATURE_HEADERS.nonce} must be 32 lower-case hex characters.`);
  }
  const macText = signature.startsWith(SIGNATURE_VERSION_PREFIX) ? signature.slice(SIGNATURE_VERSION_PREFIX.length) : '';
  const presented = MAC_PATTERN.test(macText) ? fromHex(macText) : null;
  if (presented === null) {
    throw new ApiError(
      'invalid_signature',
      `${SIGNATURE_HEADERS.signature} must be "${SIGNATURE_VERSION_PREFIX}" followed by 64 lower-case hex characters.`,
    );
  }

  const message = await stringToSign({
    audience: input.audience,
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

  // The MAC check awaited, so time has passed since the window was checked (tens of milliseconds under load): the
  // security suite replayed requests that passed that check just before the window's end and reached the store just
  // after it had forgotten their nonce. So the window is checked again now, and the nonce is kept a grace period past
  // the window's end, for the store's clock reading a moment later than this one (or another machine's clock).
  if (Math.abs((input.now ?? Date.now()) / 1000 - timestamp) > windowSeconds) {
    throw new ApiError('stale_request', `The signed timestamp left the ${String(windowSeconds)} s window while it was checked; sign it anew.`);
  }
  if (!(await input.nonces.claim(nonce, (timestamp + windowSeconds) * 1000 + NONCE_GRACE_MS))) {
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
