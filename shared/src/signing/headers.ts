/** Header names of the signature on internal calls (gateway -> GPU function and back). */
export const SIGNATURE_HEADERS = {
  timestamp: 'x-gsv-timestamp',
  nonce: 'x-gsv-nonce',
  signature: 'x-gsv-signature',
} as const;

/**
 * Prefix of the signed string and of the signature value; a new scheme gets a new version. v2 added the audience
 * (the origin the request is sent to): a v1 request signed for one GPU function was valid on every other one.
 */
export const SIGNATURE_SCHEME = 'GSV-HMAC-SHA256-v2';
export const SIGNATURE_VERSION_PREFIX = 'v2=';

/** How far a signed timestamp may be from the verifier's clock, either way. */
export const DEFAULT_SIGNATURE_WINDOW_SECONDS = 300;

/** HMAC keys shorter than this are refused: the secret is the only thing between the internet and the GPUs. */
export const MIN_SIGNING_SECRET_BYTES = 32;
