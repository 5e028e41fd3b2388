/** Header names of the gateway -> GPU function signature. */
export const SIGNATURE_HEADERS = {
  timestamp: 'x-gsv-timestamp',
  nonce: 'x-gsv-nonce',
  signature: 'x-gsv-signature',
} as const;

/** Prefix of the signed string and of the signature value; a new scheme gets a new version. */
export const SIGNATURE_SCHEME = 'GSV-HMAC-SHA256-v1';
export const SIGNATURE_VERSION_PREFIX = 'v1=';

/** How far a signed timestamp may be from the verifier's clock, either way. */
export const DEFAULT_SIGNATURE_WINDOW_SECONDS = 300;

/** HMAC keys shorter than this are refused: the secret is the only thing between the internet and the GPUs. */
export const MIN_SIGNING_SECRET_BYTES = 32;
