import { sha256Hex, utf8 } from '../bytes.ts';
import { MIN_SIGNING_SECRET_BYTES, SIGNATURE_SCHEME } from './headers.ts';

export interface SignedParts {
  /** The origin the request is sent to (`https://gpu-1.example.com`); see {@link audienceOf}. */
  readonly audience: string;
  readonly method: string;
  /** Path and query string, exactly as sent (`/internal/v1/synthesize?x=1`). */
  readonly pathAndQuery: string;
  readonly timestamp: number;
  readonly nonce: string;
  readonly body: Uint8Array | string;
}

/**
 * One line per signed element, so no element can bleed into its neighbour: the audience, the method, the path with
 * its query, the timestamp, the nonce and the body's SHA-256.
 */
export async function stringToSign(parts: SignedParts): Promise<string> {
  return [
    SIGNATURE_SCHEME,
    audienceOf(parts.audience),
    parts.method.toUpperCase(),
    parts.pathAndQuery,
    String(parts.timestamp),
    parts.nonce,
    await sha256Hex(parts.body),
  ].join('\n');
}

/**
 * The audience as signed: the origin of a URL (scheme, host, port; lower-case host, default port dropped), so
 * `https://GPU-1.example.com:443/base/` and `https://gpu-1.example.com` sign alike. Throws on anything but an
 * http(s) URL: an audience nobody could verify is a configuration error, not a request to send.
 */
export function audienceOf(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError(`a signature audience must be an http(s) origin, got ${url}`);
  return parsed.origin;
}

export async function hmacSha256(secret: string, message: string): Promise<Uint8Array> {
  const keyBytes = utf8(secret);
  if (keyBytes.length < MIN_SIGNING_SECRET_BYTES) {
    throw new RangeError(`signing secret must be at least ${String(MIN_SIGNING_SECRET_BYTES)} bytes long`);
  }
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await crypto.subtle.sign('HMAC', key, utf8(message)));
}

