/**
 * JSON text the suite writes itself, because `JSON.stringify` cannot write some of what a client can send: `-0`,
 * `1e400`, integers past 2^53 digit for digit. Strings go through `JSON.stringify`, so a lone surrogate is written
 * as the escape `"\ud800"`, as the issue asks.
 * @module
 */

/** JSON text written exactly as given: a number token, or a value nested too deep to build as objects. */
export class RawJson {
  readonly text: string;
  readonly type: 'number' | 'array' | 'object';

  constructor(text: string, type: 'number' | 'array' | 'object' = 'number') {
    this.text = text;
    this.type = type;
  }
}

export type JsonLike = null | boolean | number | string | RawJson | readonly JsonLike[] | { readonly [key: string]: JsonLike };

export function jsonText(value: JsonLike): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((item: JsonLike) => jsonText(item)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}:${jsonText(item)}`).join(',')}}`;
  }
  // NaN and Infinity are not JSON; JSON.stringify writes them as null, so they never reach a server as numbers.
  return JSON.stringify(value);
}
