/**
 * Sorts every answer into a class: right (accepted where the input may be valid, refused with the error envelope
 * naming the field at fault, a documented 5xx) or a failure with its reason. The rules are issue 14's: any 500 is a
 * failure, a 4xx that is not the envelope or does not name the field is a failure, no answer is a failure.
 * @module
 */
import { errorEnvelopeSchema, type ErrorEnvelope } from '@gsv-edge/shared';
import type { BadRequest } from './cases.ts';
import type { Answer, Outcome } from './http.ts';

export type AnswerClass = 'accepted' | 'refused' | 'documented 5xx' | 'FAIL';

export interface Verdict {
  readonly cls: AnswerClass;
  /** Why it failed (also set, as `null`, for right answers). */
  readonly failure: string | null;
  /** The answer's status, or 0 for none. */
  readonly status: number;
  readonly code: string | null;
}

/** 5xx a client may see whatever it sends (a busy or restarting GPU function), always as the envelope. */
const DOCUMENTED_5XX: Readonly<Record<number, readonly string[]>> = {
  502: ['origin_unavailable'],
  503: ['overloaded', 'not_ready'],
  504: ['origin_timeout', 'deadline_exceeded'],
};

export function classify(request: BadRequest, outcome: Outcome): Verdict {
  if ('error' in outcome) return fail(0, null, `no answer: ${outcome.error}`);
  const { answer } = outcome;
  const { status } = answer;
  const envelope = envelopeOf(answer);
  const code = envelope?.error.code ?? null;
  const allowed = request.expect.statuses;
  if (allowed !== undefined && !allowed.includes(status)) {
    // A documented 5xx is still right: a busy service may answer it before it looks at the request.
    if (!(status >= 502 && status <= 504 && documented5xx(answer, envelope) === null)) {
      return fail(status, code, `status ${String(status)} where ${allowed.join('/')} was expected${code === null ? '' : ` (${code})`}`);
    }
  }
  if (status >= 200 && status < 300) {
    if (request.expect.reject) return fail(status, code, `accepted (${String(status)}) a request it should refuse`);
    const problem = request.verify?.(answer) ?? null;
    return problem === null ? { cls: 'accepted', failure: null, status, code } : fail(status, code, problem);
  }
  if (status >= 400 && status < 500) {
    if (envelope === null) return fail(status, null, `${String(status)} without the JSON error envelope: ${preview(answer)}`);
    const field = request.expect.field;
    if (field !== null && !namesField(envelope, field)) {
      return fail(status, code, `${String(status)} ${code ?? ''} does not name \`${[field].flat().join('` or `')}\` (param ${JSON.stringify(envelope.error.param)}: ${envelope.error.message.slice(0, 160)})`);
    }
    return { cls: 'refused', failure: null, status, code };
  }
  if (status >= 500) {
    const problem = documented5xx(answer, envelope);
    return problem === null ? { cls: 'documented 5xx', failure: null, status, code } : fail(status, code, problem);
  }
  return fail(status, code, `unexpected status ${String(status)}`);
}

function documented5xx(answer: Answer, envelope: ErrorEnvelope | null): string | null {
  const codes = DOCUMENTED_5XX[answer.status];
  if (envelope === null) return `${String(answer.status)} without the JSON error envelope: ${preview(answer)}`;
  if (codes === undefined || !codes.includes(envelope.error.code)) return `${String(answer.status)} ${envelope.error.code}: ${envelope.error.message.slice(0, 200)}`;
  if (answer.status === 503 && answer.headers['retry-after'] === undefined) return `503 ${envelope.error.code} without Retry-After`;
  return null;
}

/**
 * The field is named by `param` (a dotted path, or a path inside the field), or in backticks in the message (an
 * error about two fields that disagree names one as `param` and the other in its message).
 */
export function namesField(envelope: ErrorEnvelope, field: string | readonly string[]): boolean {
  const { param, message } = envelope.error;
  return [field].flat().some((name) => param === name || (param?.startsWith(`${name}.`) ?? false) || message.includes(`\`${name}\``));
}

function envelopeOf(answer: Answer): ErrorEnvelope | null {
  const type = answer.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) return null;
  try {
    const parsed = errorEnvelopeSchema.safeParse(JSON.parse(new TextDecoder().decode(answer.body)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

function preview(answer: Answer): string {
  const text = new TextDecoder().decode(answer.body.subarray(0, 160)).replace(/\s+/g, ' ');
  return `${answer.headers['content-type'] ?? 'no content-type'} ${JSON.stringify(text)}`;
}

function fail(status: number, code: string | null, failure: string): Verdict {
  return { cls: 'FAIL', failure, status, code };
}
