/**
 * Turns zod validation failures into one {@link ApiError} that names the offending field, in words a client
 * developer can act on ("top_k must be an integer between 1 and 1025, got 0").
 * @module
 */
import type { z } from 'zod';
import { ApiError } from './api-error.ts';

/** What to tell a client that sends a field this schema does not have, keyed by field name. */
export type FieldHints = Readonly<Record<string, string>>;

export interface ParseOptions {
  readonly hints?: FieldHints;
}

/** Parses `input` or throws an `invalid_field` / `unknown_field` {@link ApiError} naming the first bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, options: ParseOptions = {}): z.output<S> {
  const result = schema.safeParse(input, { error: describeIssue, reportInput: true });
  if (result.success) return result.data;
  throw toApiError(result.error.issues, options.hints ?? {});
}

/** Parses a raw request body as JSON, failing with `invalid_json` rather than a generic 500. */
export function parseJsonBody(body: string): unknown {
  if (body.trim() === '') {
    throw new ApiError('invalid_json', 'The request body is empty; send a JSON object.');
  }
  try {
    return JSON.parse(body) as unknown;
  } catch (error) {
    const detail = error instanceof Error ? `: ${error.message}` : '';
    throw new ApiError('invalid_json', `The request body is not valid JSON${detail}.`);
  }
}

function toApiError(issues: readonly z.core.$ZodIssue[], hints: FieldHints): ApiError {
  const issue = issues[0];
  if (issue === undefined) return new ApiError('invalid_field', 'The request is invalid.');
  const more = issues.length > 1 ? ` (and ${String(issues.length - 1)} more problem${issues.length > 2 ? 's' : ''})` : '';

  if (issue.code === 'unrecognized_keys') {
    const [field = ''] = issue.keys;
    const param = joinPath([...issue.path, field]);
    const hint = hints[field] ?? 'check the spelling; unknown fields are rejected so that a misspelt option is never silently ignored';
    return new ApiError('unknown_field', `Unknown field \`${param}\`: ${hint}.${more}`, { param });
  }
  const param = joinPath(issue.path);
  const subject = param === '' ? 'The request body' : `\`${param}\``;
  return new ApiError('invalid_field', `${subject} ${issue.message}.${more}`, { param: param === '' ? null : param });
}

function joinPath(path: readonly PropertyKey[]): string {
  return path.map((part) => (typeof part === 'symbol' ? part.description ?? '' : String(part))).join('.');
}

/** Zod error map: phrases each issue as the predicate of a sentence whose subject is the field name. */
function describeIssue(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is required';
      return `must be ${article(issue.expected)}, got ${describeValue(issue.input)}`;
    case 'too_small':
      return describeBound(issue.origin, 'least', issue.minimum, issue.inclusive ?? true, issue.input);
    case 'too_big':
      return describeBound(issue.origin, 'most', issue.maximum, issue.inclusive ?? true, issue.input);
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(', ')}, got ${describeValue(issue.input)}`;
    case 'invalid_format':
      return `must be ${FORMAT_NAMES[issue.format] ?? `a valid ${issue.format}`}`;
    case 'not_multiple_of':
      return `must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return `has an unsupported form, got ${describeValue(issue.input)}`;
    case 'custom':
    case 'unrecognized_keys':
    case 'invalid_key':
    case 'invalid_element':
    default:
      return issue.message ?? 'is invalid';
  }
}

const FORMAT_NAMES: Readonly<Record<string, string>> = {
  base64: 'base64-encoded data',
  datetime: 'an ISO 8601 date-time',
  regex: 'in the expected form',
  uuid: 'a UUID',
  url: 'a URL',
};

function describeBound(
  origin: string,
  side: 'least' | 'most',
  bound: number | bigint,
  inclusive: boolean,
  input: unknown,
): string {
  const limit = String(bound);
  const got = `, got ${describeValue(input)}`;
  switch (origin) {
    case 'string':
      return `must be at ${side} ${limit} characters long`;
    case 'array':
    case 'set':
      return `must have at ${side} ${limit} items${got}`;
    default: {
      const comparison = inclusive ? `at ${side} ${limit}` : `${side === 'least' ? 'greater' : 'less'} than ${limit}`;
      return `must be ${comparison}${got}`;
    }
  }
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** Echoes short scalar inputs back so the client sees what it sent; never echoes long text. */
function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  switch (typeof value) {
    case 'string':
      return value.length <= 32 ? JSON.stringify(value) : 'a string';
    case 'number':
    case 'boolean':
      return String(value);
    case 'object':
      return 'an object';
    default:
      return typeof value;
  }
}
