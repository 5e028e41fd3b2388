/**
 * What one generated request is, and what a right answer to it looks like.
 * @module
 */
import type { Answer } from './http.ts';

/** The service a request goes to: through the gateway, or straight to a GPU function's own routes. */
export type Target = 'gateway' | 'gpu';

export interface BadRequest {
  /** The endpoint it counts for in the report (`POST /v1/tts`). */
  readonly endpoint: string;
  /** What the case does (`wrong type`, `malformed json`), for the failure list and the table. */
  readonly kind: string;
  readonly target: Target;
  readonly method: string;
  /** Path and query as sent. */
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: Uint8Array;
  /** Signed with the stack's SIGNING_SECRET when sent (GPU internal routes), so the body parser is what is hit. */
  readonly sign?: boolean;
  /** Sends the body chunked (no Content-Length), so a limit has to be enforced while reading. */
  readonly chunked?: boolean;
  readonly expect: Expectation;
  /** A check of an accepted answer (audio not empty, a range that matches its headers); the problem, or null. */
  readonly verify?: (answer: Answer) => string | null;
}

/**
 * `reject`: only a 4xx is right. `any`: the input may be valid, so a 2xx is right too (a 4xx still has to be the
 * envelope). `field`: the field at fault; a 4xx must name it (its `param`, or its name in the message). `statuses`:
 * the only statuses that are right, when the case knows them (413 for a body past the limit).
 */
export interface Expectation {
  readonly reject: boolean;
  readonly field: string | readonly string[] | null;
  readonly statuses?: readonly number[];
}

export const utf8 = new TextEncoder();

export function jsonBody(text: string): Uint8Array {
  return utf8.encode(text);
}
