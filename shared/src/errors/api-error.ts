/**
 * The one error type both services throw, and the JSON envelope it becomes:
 * `{"error": {"type", "code", "message", "param"}}`, as OpenAI's API answers, so OpenAI clients surface it as-is.
 * @module
 */
import { z } from 'zod';
import { ERROR_CODES, ERROR_TYPES, isErrorCode, type ErrorCode, type ErrorType } from './codes.ts';

export const errorEnvelopeSchema = z.object({
  error: z.object({
    type: z.enum(ERROR_TYPES),
    code: z.string(),
    message: z.string(),
    param: z.string().nullable(),
  }),
});
export type ErrorEnvelope = z.infer<typeof errorEnvelopeSchema>;

export interface ApiErrorOptions {
  /** The request field at fault, as a dotted path (`voice`, `aux_ref_audio.1`). */
  readonly param?: string | null;
  /** Seconds after which a retry may succeed; sent as `Retry-After`. */
  readonly retryAfterSeconds?: number;
  readonly cause?: unknown;
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly param: string | null;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: ApiErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.param = options.param ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }

  get type(): ErrorType {
    return ERROR_CODES[this.code].type;
  }

  /**
   * The same error naming the request's own field, where `names` maps the field it names to another (a GPU
   * function's `text` is the OpenAI route's `input`); itself when it names none of them.
   */
  withParamRenamed(names: Readonly<Record<string, string>>): ApiError {
    const renamed = this.param !== null && Object.hasOwn(names, this.param) ? names[this.param] : undefined;
    if (renamed === undefined) return this;
    return new ApiError(this.code, this.message.replaceAll(`\`${this.param ?? ''}\``, `\`${renamed}\``), {
      param: renamed,
      cause: this,
      ...(this.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: this.retryAfterSeconds }),
    });
  }

  toEnvelope(): ErrorEnvelope {
    return { error: { type: this.type, code: this.code, message: this.message, param: this.param } };
  }

  toResponse(headers?: Record<string, string>): Response {
    const responseHeaders = new Headers(headers);
    responseHeaders.set('content-type', 'application/json; charset=utf-8');
    if (this.retryAfterSeconds !== undefined) {
      responseHeaders.set('retry-after', String(Math.max(1, Math.ceil(this.retryAfterSeconds))));
    }
    return new Response(JSON.stringify(this.toEnvelope()), { status: this.status, headers: responseHeaders });
  }

  /**
   * Rebuilds the error from an envelope another service answered with. Unknown codes (a newer GPU function) become
   * `internal_error` with a generic message: neither an unmapped status nor upstream wording reaches a client.
   */
  static fromEnvelope(envelope: ErrorEnvelope, retryAfterSeconds?: number): ApiError {
    const { code, message, param } = envelope.error;
    if (!isErrorCode(code)) {
      return new ApiError('internal_error', 'The GPU function failed with an error this gateway does not know.');
    }
    return new ApiError(code, message, {
      param,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });
  }
}
