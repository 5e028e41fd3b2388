/**
 * Every error either service can answer with, and the HTTP status and OpenAI-style `type` it maps to.
 * One table so that a code always means the same status on the gateway and on the GPU function.
 * @module
 */

export const ERROR_TYPES = [
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'conflict_error',
  'rate_limit_error',
  'insufficient_quota',
  'server_error',
] as const;
export type ErrorType = (typeof ERROR_TYPES)[number];

interface ErrorCodeSpec {
  readonly status: number;
  readonly type: ErrorType;
}

export const ERROR_CODES = {
  // The body or a field is wrong: fixing the request fixes it.
  invalid_json: { status: 400, type: 'invalid_request_error' },
  invalid_field: { status: 400, type: 'invalid_request_error' },
  unknown_field: { status: 400, type: 'invalid_request_error' },
  language_not_supported: { status: 400, type: 'invalid_request_error' },
  invalid_reference_audio: { status: 400, type: 'invalid_request_error' },
  payload_too_large: { status: 413, type: 'invalid_request_error' },
  unsupported_media_type: { status: 415, type: 'invalid_request_error' },
  method_not_allowed: { status: 405, type: 'invalid_request_error' },

  // Who is calling.
  missing_api_key: { status: 401, type: 'authentication_error' },
  malformed_api_key: { status: 401, type: 'authentication_error' },
  invalid_api_key: { status: 401, type: 'authentication_error' },
  revoked_api_key: { status: 403, type: 'permission_error' },
  admin_required: { status: 403, type: 'permission_error' },

  // Gateway -> GPU function authentication (never seen by public clients).
  invalid_signature: { status: 401, type: 'authentication_error' },
  stale_request: { status: 401, type: 'authentication_error' },
  replayed_request: { status: 401, type: 'authentication_error' },

  not_found: { status: 404, type: 'not_found_error' },
  voice_not_found: { status: 404, type: 'not_found_error' },
  model_not_found: { status: 404, type: 'not_found_error' },
  voice_exists: { status: 409, type: 'conflict_error' },
  voice_version_mismatch: { status: 409, type: 'conflict_error' },
  // A request id that is still in flight on the GPU function (ids name one synthesis; a retry takes a new one).
  duplicate_request: { status: 409, type: 'conflict_error' },
  // A request with this Idempotency-Key is still running: the retry waits for it instead of running twice.
  idempotency_key_in_use: { status: 409, type: 'conflict_error' },

  // Limits. Quota exhaustion is 402, not 429: retrying cannot help, and the OpenAI SDKs retry 429 automatically.
  rate_limit_exceeded: { status: 429, type: 'rate_limit_error' },
  concurrency_limit_exceeded: { status: 429, type: 'rate_limit_error' },
  quota_exceeded: { status: 402, type: 'insufficient_quota' },

  // The service's fault: the client may retry later.
  overloaded: { status: 503, type: 'server_error' },
  not_ready: { status: 503, type: 'server_error' },
  origin_unavailable: { status: 502, type: 'server_error' },
  origin_timeout: { status: 504, type: 'server_error' },
  // The GPU function gave up on a synthesis that ran past its deadline.
  deadline_exceeded: { status: 504, type: 'server_error' },
  synthesis_failed: { status: 500, type: 'server_error' },
  internal_error: { status: 500, type: 'server_error' },
} as const satisfies Record<string, ErrorCodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: string): value is ErrorCode {
  return Object.hasOwn(ERROR_CODES, value);
}
