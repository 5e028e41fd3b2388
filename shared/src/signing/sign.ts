/**
 * Signs an internal request: HMAC-SHA256 over audience, method, path, timestamp, nonce and body hash.
 * @module
 */
import { randomHex, toHex } from '../bytes.ts';
import { SIGNATURE_HEADERS, SIGNATURE_VERSION_PREFIX } from './headers.ts';
import { hmacSha256, stringToSign } from './string-to-sign.ts';

export interface SignRequestInput {
  readonly secret: string;
  /**
   * The origin the request is sent to, as its receiver knows itself (a GPU function's entry in GPU_ORIGINS, the
   * gateway's GATEWAY_URL): the signature is valid there and nowhere else.
   */
  readonly audience: string;
  readonly method: string;
  readonly pathAndQuery: string;
  readonly body: Uint8Array | string;
  /** Unix seconds; defaults to now. */
  readonly timestamp?: number;
  /** Defaults to 128 random bits. */
  readonly nonce?: string;
}

/** Returns the headers to add to the request. Each call uses a fresh nonce, so a retry must be signed again. */
export async function signRequest(input: SignRequestInput): Promise<Record<string, string>> {
  const timestamp = input.timestamp ?? Math.floor(Date.now() / 1000);
  const nonce = input.nonce ?? randomHex(16);
  const mac = await hmacSha256(
    input.secret,
    await stringToSign({ audience: input.audience, method: input.method, pathAndQuery: input.pathAndQuery, timestamp, nonce, body: input.body }),
  );
  return {
    [SIGNATURE_HEADERS.timestamp]: String(timestamp),
    [SIGNATURE_HEADERS.nonce]: nonce,
    [SIGNATURE_HEADERS.signature]: `${SIGNATURE_VERSION_PREFIX}${toHex(mac)}`,
  };
}
